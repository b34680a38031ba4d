#include "gcra_tool/cli.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "gcra/policy.hpp"
#include "gcra/version.hpp"
#include "gcra_tool/decimal.hpp"
#include "gcra_tool/report.hpp"
#include "gcra_tool/simulation.hpp"
#include "gcra_tool/traffic.hpp"

namespace gcra::tool {
namespace {

constexpr std::string_view kVerbs[] = {"simulate"};

constexpr const char* kSimulateFooter = R"(
Traffic file (CSV, one request per line):
  timestamp,key[,cost]
  timestamp  seconds, up to 9 decimals, exact (e.g. 1796342400.125); any order
  key        any text; double-quote it to keep commas or spaces ("a, b")
  cost       a non-negative integer, 1 if absent; 0 only looks (a peek)
  An optional first line "timestamp,key[,cost]", blank lines and lines
  starting with # are skipped. --traffic - reads standard input.

Synthetic traffic (--rps N --duration D --keys K): N requests per second in
total, evenly spaced, dealt round-robin to K keys named key:0 .. key:K-1, for
D (60s, 5m, 1.5h, 250ms; a bare number is seconds). Deterministic.

Output: per key and in total, requests admitted and denied and the time of
the first denial (the traffic's own time, in seconds). --format json prints
{"total": {"admitted": N, "denied": M}, "keys": {"<key>": {"admitted": N,
"denied": M, "first_denied_at": S or null}}}.

Exit status: 0 done, 2 bad flags, policy or traffic (FILE:LINE: reason on
stderr, nothing on stdout), 1 anything else.

Examples:
  gcra simulate --policy "100/minute;1000/hour" --traffic examples/traffic.csv
  gcra simulate --policy "10/second burst 20" --rps 25 --duration 1m --keys 2 --format json)";

struct SimulateFlags {
  std::string policy;
  std::string traffic;
  std::string rps;
  std::string duration;
  std::string keys;
  std::string format = "table";
};

int usage_error(std::ostream& err, const std::string& message) {
  err << "gcra simulate: " << message << "\n";
  return kExitUsage;
}

int run_simulate(const SimulateFlags& flags, std::ostream& out, std::ostream& err) {
  auto policy = Policy::parse(flags.policy);
  if (!policy) return usage_error(err, "--policy: " + policy.error().message);

  Result<SimulationResult> result = Error{ErrorCode::internal, "no traffic was given"};
  std::string description;
  if (!flags.traffic.empty()) {
    auto traffic = read_traffic(flags.traffic);
    if (!traffic) {
      err << traffic.error().message << "\n";
      return kExitUsage;
    }
    description = flags.traffic == "-" ? "<stdin>" : flags.traffic;
    result = simulate(*policy, std::move(*traffic));
  } else if (!flags.rps.empty()) {
    SyntheticTraffic synthetic;
    auto rate = parse_billionths(flags.rps);
    if (!rate) return usage_error(err, "--rps: " + rate.error().message);
    if (*rate == 0) return usage_error(err, "--rps: the request rate must be positive, got 0");
    synthetic.rate_billionths = *rate;
    auto duration = parse_duration(flags.duration);
    if (!duration) return usage_error(err, "--duration: " + duration.error().message);
    synthetic.duration = *duration;
    if (!flags.keys.empty()) {
      const char* first = flags.keys.data();
      const char* last = first + flags.keys.size();
      auto [ptr, ec] = std::from_chars(first, last, synthetic.keys);
      if (ec != std::errc() || ptr != last || synthetic.keys == 0) {
        return usage_error(err, "--keys: expected a positive integer, got \"" + flags.keys + "\"");
      }
    }
    if (auto valid = synthetic.validate(); !valid) return usage_error(err, valid.error().message);
    description = "synthetic, " + flags.rps + " requests/s for " + flags.duration + " over " +
                  std::to_string(synthetic.keys) + (synthetic.keys == 1 ? " key" : " keys");
    result = simulate(*policy, synthetic);
  } else {
    return usage_error(err, "give --traffic FILE, or --rps N --duration D [--keys K] (see --help)");
  }
  if (!result) {
    err << "gcra simulate: " << result.error().message << "\n";
    return result.error().code == ErrorCode::invalid_argument ? kExitUsage : kExitFailure;
  }

  const std::string text =
      flags.format == "json" ? format_json(*result) : format_table(*result, *policy, description);
  out << text << std::flush;
  return out ? kExitOk : kExitFailure;
}

bool is_verb(std::string_view word) {
  for (std::string_view verb : kVerbs) {
    if (word == verb) return true;
  }
  return false;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  // CLI11 would call an unknown verb an "unexpected argument"; say it plainly.
  if (argc >= 2 && argv[1][0] != '-' && !is_verb(argv[1])) {
    err << "gcra: unknown verb \"" << argv[1] << "\"; the verbs are:";
    for (std::string_view verb : kVerbs) err << " " << verb;
    err << " (see gcra --help)\n";
    return kExitUsage;
  }

  CLI::App app{"gcra: exact GCRA rate limiting, from the command line.", "gcra"};
  app.set_version_flag("--version", std::string("gcra ") + GCRA_VERSION);
  app.require_subcommand(1);
  app.footer("Run gcra <verb> --help for a verb's flags.");

  SimulateFlags flags;
  CLI::App* simulate = app.add_subcommand(
      "simulate",
      "Replay traffic (a CSV file, or synthetic) through a policy on a simulated clock and count,\n"
      "per key and in total, the requests it admits and denies: what would this policy have done\n"
      "to my traffic?");
  simulate->add_option("--policy", flags.policy,
                       "The rates, all enforced at once: \"100/minute;1000/hour\", \"10/s burst 20\"")
      ->required()
      ->type_name("RATES");
  CLI::Option* traffic = simulate->add_option("--traffic", flags.traffic, "CSV file of timestamp,key[,cost]; - for stdin")
                             ->type_name("FILE");
  CLI::Option* rps =
      simulate->add_option("--rps", flags.rps, "Synthetic traffic: requests per second, in total (e.g. 20 or 2.5)")
          ->type_name("N");
  CLI::Option* duration =
      simulate->add_option("--duration", flags.duration, "Synthetic traffic: how long (60s, 5m, 1h, 250ms)")
          ->type_name("D");
  CLI::Option* keys =
      simulate->add_option("--keys", flags.keys, "Synthetic traffic: how many keys share it (default 1)")
          ->type_name("K");
  simulate->add_option("--format", flags.format, "Output: table (for people) or json (for tools)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str()
      ->type_name("table|json");
  traffic->excludes(rps)->excludes(duration)->excludes(keys);
  rps->needs(duration);
  duration->needs(rps);
  keys->needs(rps);
  simulate->footer(kSimulateFooter);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (simulate->parsed()) return run_simulate(flags, out, err);
  return kExitUsage;  // unreachable: require_subcommand(1)
}

}  // namespace gcra::tool
