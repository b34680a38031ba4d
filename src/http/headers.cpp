#include "gcra/http/headers.hpp"

#include <algorithm>
#include <numeric>

#include "gcra/rate.hpp"

namespace gcra::http {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
// Structured Field Integers have at most 15 digits (RFC 9651, 3.3.1).
constexpr std::uint64_t kMaxSfInteger = 999'999'999'999'999;
// Longest window we scale a sub-second period to; beyond it we round instead.
constexpr std::int64_t kMaxScaledWindowSeconds = 366LL * 86400;

// The period part of Rate::to_string(): "100/minute burst 20" -> "minute".
std::string period_label(const Rate& rate) {
  const std::string text = rate.to_string();
  const std::size_t slash = text.find('/');
  const std::size_t space = text.find(' ', slash);
  return text.substr(slash + 1, space == std::string::npos ? std::string::npos : space - slash - 1);
}

// An sf-string: printable ASCII, with '"' and '\' escaped. Other bytes of a
// caller-given prefix are dropped rather than producing an invalid field.
std::string sf_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// q and w of a rate: its limit per period, with the period in whole seconds.
// A period that is not whole seconds is scaled exactly (10/500ms -> 20 per
// 1 s) when the numbers stay reasonable; otherwise w is rounded up, which
// understates the quota rather than overstating it.
std::pair<std::uint64_t, std::int64_t> quota_and_window(const Rate& rate) {
  const std::int64_t period = rate.period().count();
  if (period % kNsPerSecond == 0) return {rate.limit(), period / kNsPerSecond};
  const std::int64_t g = std::gcd(period, kNsPerSecond);
  const std::int64_t scale = kNsPerSecond / g;
  const std::int64_t window = period / g;
  if (window <= kMaxScaledWindowSeconds &&
      rate.limit() <= kMaxSfInteger / static_cast<std::uint64_t>(scale)) {
    return {rate.limit() * static_cast<std::uint64_t>(scale), window};
  }
  return {rate.limit(), period / kNsPerSecond + 1};
}

}  // namespace

long long ceil_seconds(Duration d) noexcept {
  const std::int64_t ns = d.count();
  if (ns <= 0) return 0;
  return ns / kNsPerSecond + (ns % kNsPerSecond != 0 ? 1 : 0);
}

std::vector<std::string> policy_item_names(const Policy& policy, const std::string& prefix) {
  std::vector<std::string> names;
  for (const Rate& rate : policy.rates()) {
    const std::string base = prefix + period_label(rate);
    std::string name = base;
    for (int n = 2; std::find(names.begin(), names.end(), name) != names.end(); ++n) {
      name = base + "-" + std::to_string(n);
    }
    names.push_back(std::move(name));
  }
  return names;
}

std::string rate_limit_policy_value(const Policy& policy, const std::string& prefix) {
  return HeaderFormatter(policy, HeaderOptions{.item_prefix = prefix}).policy_value();
}

std::vector<HeaderField> rate_limit_headers(const Policy& policy, const Decision& decision,
                                            const HeaderOptions& options) {
  return HeaderFormatter(policy, options).fields(decision);
}

HeaderFormatter::HeaderFormatter(const Policy& policy, HeaderOptions options)
    : names_(policy_item_names(policy, options.item_prefix)), options_(std::move(options)) {
  const auto rates = policy.rates();
  for (std::size_t i = 0; i < rates.size(); ++i) {
    intervals_.push_back(rates[i].emission_interval());
    tolerances_.push_back(rates[i].tolerance());
    limits_.push_back(rates[i].limit());
    const auto [quota, window] = quota_and_window(rates[i]);
    quoted_names_.push_back(sf_string(names_[i]));
    if (i > 0) policy_value_ += ", ";
    policy_value_ += quoted_names_[i] + ";q=" + std::to_string(quota) +
                     ";w=" + std::to_string(window);
  }
}

std::vector<HeaderField> HeaderFormatter::fields(const Decision& decision) const {
  std::vector<HeaderField> out;
  append_fields(decision, out);
  return out;
}

void HeaderFormatter::append_fields(const Decision& decision, std::vector<HeaderField>& out) const {
  switch (decision.source) {
    case Source::fallback_allow:
      return;  // nobody counted: any quota figure would be invented
    case Source::fallback_deny:
      if (decision.retry_after > Duration{0} && !decision.exceeds_burst()) {
        out.push_back({"Retry-After", std::to_string(ceil_seconds(decision.retry_after))});
      }
      return;
    case Source::store:
    case Source::fallback_local:
    case Source::deny_cache:
      break;
  }
  if (decision.allowed && !options_.on_allowed) return;

  // A decision from a store whose policy has other rates than ours (it
  // should not happen) falls back to the first rate rather than reading
  // past the end.
  const std::size_t i = decision.rate_index < names_.size() ? decision.rate_index : 0;
  const RateStatus& status = decision.rates[i];
  Duration wait{0};
  if (!decision.allowed) {
    wait = status.retry_after == kNever ? status.reset_after : status.retry_after;
  } else if (status.remaining == 0) {
    wait = status.reset_after + intervals_[i] - tolerances_[i];  // until one more fits
  } else {
    wait = status.reset_after;  // until back at full burst
  }
  const std::string t = std::to_string(ceil_seconds(wait));

  out.reserve(out.size() + 3 + (options_.legacy ? 3 : 0));
  out.push_back({"RateLimit-Policy", policy_value_});
  std::string item = quoted_names_[i];
  item += ";r=";
  item += std::to_string(status.remaining);
  item += ";t=";
  item += t;
  out.push_back({"RateLimit", std::move(item)});
  if (!decision.allowed && !decision.exceeds_burst()) {
    // Never less than t: both are the same wait, rounded up the same way;
    // and at least 1, because a denied request has something to wait for.
    out.push_back({"Retry-After",
                   std::to_string(std::max(1LL, ceil_seconds(decision.retry_after)))});
  }
  if (options_.legacy) {
    out.push_back({"X-RateLimit-Limit", std::to_string(limits_[i])});
    out.push_back({"X-RateLimit-Remaining", std::to_string(status.remaining)});
    out.push_back({"X-RateLimit-Reset", t});
  }
}

}  // namespace gcra::http
