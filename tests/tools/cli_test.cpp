// The gcra binary end to end, and its entry point in process.
#include "gcra_tool/cli.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gcra_tool/decimal.hpp"
#include "tools/run_command.hpp"

namespace gcra::tool {
namespace {

using gcra::testing::CommandResult;
using gcra::testing::run_command;
using gcra::testing::TempFile;

CommandResult gcra(std::vector<std::string> args, const std::string& stdin_path = {}) {
  args.insert(args.begin(), GCRA_CLI_PATH);
  return run_command(args, stdin_path);
}

// Runs the entry point in process, as main() would.
CommandResult run_in_process(std::vector<std::string> args) {
  args.insert(args.begin(), "gcra");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = run(static_cast<int>(argv.size()), argv.data(), out, err);
  return CommandResult{code, out.str(), err.str()};
}

const std::string kTraffic =
    "timestamp,key,cost\n"
    "# a user at 20/s for 2 s, another at 1/s\n";

std::string twenty_per_second_for_two_seconds() {
  std::string csv = kTraffic;
  for (int i = 0; i < 40; ++i) csv += format_seconds(i * 50'000'000) + ",user:fast\n";
  csv += "0.5,user:slow\n1.5,user:slow\n";
  return csv;
}

TEST(GcraBinary, PrintsJsonThatParsesAndCountsEveryRequest) {
  TempFile traffic(twenty_per_second_for_two_seconds());
  CommandResult r = gcra({"simulate", "--policy", "10/second", "--traffic", traffic.path(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto json = nlohmann::json::parse(r.out);
  // user:fast: burst 10 + 1.95 s / 100 ms; first denied at 0.95 s (see
  // simulation_test.cpp). user:slow: never limited.
  EXPECT_EQ(json["keys"]["user:fast"]["admitted"], 29);
  EXPECT_EQ(json["keys"]["user:fast"]["denied"], 11);
  EXPECT_EQ(json["keys"]["user:fast"]["first_denied_at"], 0.95);
  EXPECT_EQ(json["keys"]["user:slow"]["admitted"], 2);
  EXPECT_TRUE(json["keys"]["user:slow"]["first_denied_at"].is_null());
  EXPECT_EQ(json["total"]["admitted"], 31);
  EXPECT_EQ(json["total"]["denied"], 11);
}

TEST(GcraBinary, PrintsATableWithTheCanonicalPolicyByDefault) {
  TempFile traffic(twenty_per_second_for_two_seconds());
  CommandResult r = gcra({"simulate", "--policy", "10 per second, 1000/h", "--traffic", traffic.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("policy   10/second;1000/hour\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("user:fast        29      11  0.95\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total            31      11  0.95\n"), std::string::npos) << r.out;
}

TEST(GcraBinary, ReportsAMalformedLineWithItsNumberAndPrintsNothing) {
  TempFile traffic("timestamp,key\n1,a\n2,b\n\n# fine so far\n3.x,c\n4,d\n");
  CommandResult r = gcra({"simulate", "--policy", "1/second", "--traffic", traffic.path(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, traffic.path() + ":6: timestamp: \"3.x\" is not a non-negative decimal number such as 12 or 12.5\n");
}

TEST(GcraBinary, RejectsABadPolicyWithTheParsersMessage) {
  TempFile traffic("1,a\n");
  CommandResult r = gcra({"simulate", "--policy", "100/minute;0/hour", "--traffic", traffic.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gcra simulate: --policy: invalid rate \"0/hour\": limit must be at least 1, got 0\n");
}

TEST(GcraBinary, ReadsTrafficFromStandardInput) {
  TempFile traffic("0,a\n0,a\n0,a\n");
  CommandResult r = gcra({"simulate", "--policy", "2/minute", "--traffic", "-", "--format", "json"}, traffic.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"total\": {\"admitted\": 2, \"denied\": 1}, \"keys\": {\"a\": {\"admitted\": 2, \"denied\": 1, "
                   "\"first_denied_at\": 0}}}\n");
}

TEST(GcraBinary, GeneratesSyntheticTraffic) {
  CommandResult r = gcra({"simulate", "--policy", "10/second", "--rps", "40", "--duration", "10s", "--keys", "2",
                          "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["keys"].size(), 2u);
  // Each key gets 20/s, key:1 25 ms after key:0: 10 + 99.5 admitted (within
  // one), the first denial at its 20th request.
  for (const char* key : {"key:0", "key:1"}) {
    EXPECT_NEAR(json["keys"][key]["admitted"].get<double>(), 110, 1) << key;
  }
  EXPECT_EQ(json["keys"]["key:0"]["first_denied_at"], 0.95);
  EXPECT_EQ(json["keys"]["key:1"]["first_denied_at"], 0.975);
  EXPECT_EQ(json["total"]["admitted"].get<int>() + json["total"]["denied"].get<int>(), 400);
}

TEST(GcraBinary, RunsTheShippedExample) {
  const std::string example = std::string(GCRA_EXAMPLES_DIR) + "/traffic.csv";
  std::ifstream in(example);
  ASSERT_TRUE(in) << example;
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#' && line.rfind("timestamp", 0) != 0) ++lines;
  }
  CommandResult r =
      gcra({"simulate", "--policy", "100/minute;1000/hour", "--traffic", example, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["total"]["admitted"].get<std::size_t>() + json["total"]["denied"].get<std::size_t>(), lines);
  // The scraper is limited; nobody else is.
  EXPECT_GT(json["keys"]["user:mallory"]["denied"].get<int>(), 0);
  for (const auto& [key, outcome] : json["keys"].items()) {
    if (key != "user:mallory") {
      EXPECT_EQ(outcome["denied"], 0) << key;
    }
  }
}

TEST(GcraBinary, RefusesAnUnknownVerb) {
  CommandResult r = gcra({"simulat", "--policy", "1/s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gcra: unknown verb \"simulat\"; the verbs are: simulate (see gcra --help)\n");
}

TEST(GcraBinary, ExplainsItselfWithHelp) {
  CommandResult top = gcra({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("simulate"), std::string::npos) << top.out;
  CommandResult verb = gcra({"simulate", "--help"});
  EXPECT_EQ(verb.exit_code, 0);
  for (const char* flag : {"--policy", "--traffic", "--rps", "--duration", "--keys", "--format", "timestamp,key"}) {
    EXPECT_NE(verb.out.find(flag), std::string::npos) << flag;
  }
}

TEST(GcraCommandLine, NeedsTrafficOrSyntheticFlags) {
  CommandResult r = run_in_process({"simulate", "--policy", "1/s"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_EQ(r.err, "gcra simulate: give --traffic FILE, or --rps N --duration D [--keys K] (see --help)\n");
  EXPECT_EQ(r.out, "");
}

TEST(GcraCommandLine, RejectsBadFlagsWithUsageStatus) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"simulate"},
      {"simulate", "--policy", "1/s", "--traffic", "x", "--rps", "1", "--duration", "1s"},
      {"simulate", "--policy", "1/s", "--rps", "1"},
      {"simulate", "--policy", "1/s", "--rps", "1", "--duration", "1x"},
      {"simulate", "--policy", "1/s", "--rps", "-1", "--duration", "1s"},
      {"simulate", "--policy", "1/s", "--rps", "0", "--duration", "1s"},
      {"simulate", "--policy", "1/s", "--rps", "1", "--duration", "1s", "--keys", "0"},
      {"simulate", "--policy", "1/s", "--rps", "1", "--duration", "1s", "--keys", "many"},
      {"simulate", "--policy", "1/s", "--rps", "1", "--duration", "1s", "--format", "xml"},
      {"simulate", "--policy", "1/s", "--traffic", "/nonexistent/file.csv"},
      {"simulate", "--policy", "1/s", "--traffic", "x", "--bogus"},
  };
  for (const auto& args : cases) {
    CommandResult r = run_in_process(args);
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, kExitUsage) << joined;
    EXPECT_EQ(r.out, "") << joined;
    EXPECT_NE(r.err, "") << joined;
  }
}

TEST(GcraCommandLine, NamesAFileItCannotOpen) {
  CommandResult r = run_in_process({"simulate", "--policy", "1/s", "--traffic", "/nonexistent/file.csv"});
  EXPECT_EQ(r.err, "/nonexistent/file.csv: cannot open: No such file or directory\n");
}

TEST(GcraCommandLine, PrintsItsVersion) {
  CommandResult r = run_in_process({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "gcra 0.1.0\n");
}

}  // namespace
}  // namespace gcra::tool
