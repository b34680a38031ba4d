#include "decide_call.hpp"

#include <array>
#include <charconv>

#include "decide_script.hpp"
#include "redis_error.hpp"
#include "resp.hpp"

namespace gcra::redis {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
// One TAT in the stored state: 19 decimal digits, then a space between TATs.
constexpr std::size_t kTatDigits = 19;
// The latest TAT the core can produce (see src/core.cpp).
constexpr std::int64_t kMaxTat = kMaxInstant.count() + kMaxTolerance.count();

void arg_seconds_and_ns(RespWriter& w, std::int64_t ns) {
  w.arg(ns / kNsPerSecond);
  w.arg(ns % kNsPerSecond);
}

Error malformed(const std::string& server, std::string_view what) {
  return Error{ErrorCode::protocol, "decide.lua on " + server + " answered " + std::string(what)};
}

}  // namespace

std::string state_key(std::string_view prefix, const Policy& policy, std::string_view key) {
  std::string out;
  out.reserve(prefix.size() + key.size() + policy.name().size() + 3);
  out += prefix;
  out += '{';
  out += key;
  out += "}:";
  out += policy.name();
  return out;
}

void encode_decide(std::string& out, std::string_view state_key, const Policy& policy, std::uint64_t cost,
                   Mode mode, std::optional<Instant> now) {
  if (cost == 0) {  // a peek at a cost-1 request, as in gcra::decide
    cost = 1;
    mode = Mode::peek;
  }
  const auto rates = policy.rates();
  RespWriter w(out);
  w.begin(7 + 4 * rates.size());
  w.arg("EVALSHA");
  w.arg(kDecideScriptSha1);
  w.arg("1");
  w.arg(state_key);
  w.arg(mode == Mode::check ? "c" : "p");
  if (now) {
    arg_seconds_and_ns(w, now->count());
  } else {
    w.arg("");
    w.arg("");
  }
  for (const Rate& rate : rates) {
    if (cost > rate.burst()) {
      w.arg(std::int64_t{-1});  // never fits
      w.arg(std::int64_t{0});
    } else {
      // cost <= burst: cost x T <= burst x T = tolerance <= 2^60.
      arg_seconds_and_ns(w, static_cast<std::int64_t>(cost) * rate.emission_interval().count());
    }
    arg_seconds_and_ns(w, rate.tolerance().count());
  }
}

Result<Decision> decode_decide(const redisReply& reply, const Policy& policy, std::uint64_t cost, Mode mode,
                               bool caller_clock, const std::string& server) {
  if (reply.type != REDIS_REPLY_STRING) {
    return unexpected_reply("decide.lua on " + server, reply, "\"<admitted> <s> <us|ns> <state>\"");
  }
  // "<0|1> <clock s> <clock us or ns> <state>"
  const char* p = reply.str;
  const char* const end = reply.str + reply.len;
  auto number = [&](std::int64_t& out) {
    const auto [next, ec] = std::from_chars(p, end, out);
    const bool ok = ec == std::errc{} && next < end && *next == ' ';
    p = next + 1;
    return ok;
  };
  std::int64_t admitted = 0, clock_s = 0, clock_sub = 0;
  const std::int64_t sub_unit = caller_clock ? 1 : 1000;
  if (!number(admitted) || !number(clock_s) || !number(clock_sub) || admitted < 0 || admitted > 1) {
    return malformed(server, "\"" + std::string(reply.str, reply.len) + "\"");
  }
  if (clock_s < 0 || clock_s > kMaxInstant.count() / kNsPerSecond || clock_sub < 0 ||
      clock_sub >= kNsPerSecond / sub_unit) {
    return malformed(server, "a time out of range (" + std::to_string(clock_s) + " s " + std::to_string(clock_sub) +
                                 (caller_clock ? " ns)" : " us)"));
  }
  const Instant now{clock_s * kNsPerSecond + clock_sub * sub_unit};

  // The state: TATs of the rates in policy order. Rates the state lacks (the
  // policy gained rates) are idle; TATs beyond the policy's are ignored.
  const std::string_view state(p, static_cast<std::size_t>(end - p));
  const std::size_t rate_count = policy.rates().size();
  std::array<Tat, kMaxRatesPerPolicy> tats{};
  if (!state.empty()) {
    if ((state.size() + 1) % (kTatDigits + 1) != 0) return malformed(server, "a state of unexpected length");
    const std::size_t stored = (state.size() + 1) / (kTatDigits + 1);
    for (std::size_t i = 0; i < stored && i < rate_count; ++i) {
      const char* begin = state.data() + i * (kTatDigits + 1);
      const char* tat_end = begin + kTatDigits;
      const auto [ptr, ec] = std::from_chars(begin, tat_end, tats[i]);
      if (ec != std::errc{} || ptr != tat_end || tats[i] < 0 || tats[i] > kMaxTat) {
        return malformed(server, "a state that is not 19-digit TATs");
      }
    }
  }
  Decision d = decide(policy, {tats.data(), rate_count}, now, cost, mode);
  if (d.allowed != (admitted == 1)) {
    return Error{ErrorCode::internal, "decide.lua on " + server + " and gcra::decide disagree about admitting a request"};
  }
  return d;
}

bool is_noscript(const redisReply& reply) noexcept {
  return reply.type == REDIS_REPLY_ERROR && std::string_view(reply.str, reply.len).starts_with("NOSCRIPT");
}

}  // namespace gcra::redis
