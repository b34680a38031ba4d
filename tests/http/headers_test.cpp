#include "gcra/http/headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gcra/core.hpp"

namespace gcra::http {
namespace {

using namespace std::chrono_literals;
using Fields = std::vector<HeaderField>;

Policy policy_of(const std::string& text) { return Policy::parse(text).value(); }

// Runs `count` checks of `cost` at `now` against `tats`; returns the last decision.
Decision run(const Policy& policy, std::vector<Tat>& tats, Instant now, int count,
             std::uint64_t cost = 1) {
  Decision d;
  for (int i = 0; i < count; ++i) d = decide(policy, tats, now, cost);
  return d;
}

std::string field(const Fields& fields, const std::string& name) {
  for (const auto& f : fields) {
    if (f.name == name) return f.value;
  }
  return "<absent>";
}

TEST(PolicyItemNames, AreThePeriodAsRateTextWritesIt) {
  struct Case {
    std::string policy;
    std::string prefix;
    std::vector<std::string> names;
  };
  const std::vector<Case> cases{
      {"100/minute;1000/hour", "", {"minute", "hour"}},
      {"10/second;100/5m;1000/day;5/week", "", {"second", "5m", "day", "week"}},
      {"10/500ms", "", {"500ms"}},
      {"5/90s", "", {"90s"}},
      {"100/minute;10/minute burst 1;1/minute", "", {"minute", "minute-2", "minute-3"}},
      {"100/minute", "hello-", {"hello-minute"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(policy_item_names(policy_of(c.policy), c.prefix), c.names) << c.policy;
  }
}

TEST(RateLimitPolicyValue, ListsEveryRateWithQuotaAndWindowInSeconds) {
  struct Case {
    std::string policy;
    std::string value;
  };
  const std::vector<Case> cases{
      {"100/minute;1000/hour", R"("minute";q=100;w=60, "hour";q=1000;w=3600)"},
      {"100/minute burst 20", R"("minute";q=100;w=60)"},
      {"5/day", R"("day";q=5;w=86400)"},
      // Sub-second periods scale to the smallest whole-second window.
      {"10/500ms", R"("500ms";q=20;w=1)"},
      {"3/1500ms", R"("1500ms";q=6;w=3)"},
      {"7/333ms", R"("333ms";q=7000;w=333)"},
  };
  for (const auto& c : cases) EXPECT_EQ(rate_limit_policy_value(policy_of(c.policy)), c.value);
}

TEST(RateLimitPolicyValue, EscapesQuotesAndDropsControlCharactersOfThePrefix) {
  EXPECT_EQ(rate_limit_policy_value(policy_of("1/second"), "a\"b\\c\n-"),
            R"("a\"b\\c-second";q=1;w=1)");
}

TEST(CeilSeconds, RoundsUpAndSaturates) {
  EXPECT_EQ(ceil_seconds(0ns), 0);
  EXPECT_EQ(ceil_seconds(-5s), 0);
  EXPECT_EQ(ceil_seconds(1ns), 1);
  EXPECT_EQ(ceil_seconds(1s), 1);
  EXPECT_EQ(ceil_seconds(1s + 1ns), 2);
  EXPECT_EQ(ceil_seconds(600ms), 1);
  EXPECT_GT(ceil_seconds(kNever), 9'000'000'000LL);
}

TEST(RateLimitHeaders, The101stRequestInAMinuteGetsExactlyTheDraftFields) {
  const Policy policy = policy_of("100/minute;1000/hour");
  std::vector<Tat> tats{0, 0};
  const Instant now = 1000s;
  ASSERT_TRUE(run(policy, tats, now, 100).allowed);
  const Decision denied = run(policy, tats, now, 1);
  ASSERT_FALSE(denied.allowed);
  EXPECT_EQ(rate_limit_headers(policy, denied),
            (Fields{{"RateLimit-Policy", R"("minute";q=100;w=60, "hour";q=1000;w=3600)"},
                    {"RateLimit", R"("minute";r=0;t=1)"},
                    {"Retry-After", "1"}}));
}

TEST(RateLimitHeaders, DescribeTheDecidingRateAtEachStep) {
  struct Case {
    std::string name;
    std::string policy;
    std::vector<std::pair<Duration, int>> steps;  // at this offset, this many cost-1 checks
    std::uint64_t cost;                           // the request described
    std::string rate_limit;
    std::string retry_after;
  };
  const std::vector<Case> cases{
      {"fresh key: 99 left, full again in one interval", "100/minute;1000/hour", {}, 1,
       R"("minute";r=99;t=1)", "<absent>"},
      {"last one admitted: r=0, one more fits in 0.6 s", "100/minute;1000/hour", {{0s, 99}}, 1,
       R"("minute";r=0;t=1)", "<absent>"},
      {"hour binds once the minute has room", "100/minute;150/hour",
       {{0s, 100}, {60s, 51}}, 1, R"("hour";r=0;t=12)", "<absent>"},
      {"denied for 2.5 s", "1/5s", {{0s, 1}, {2500ms, 0}}, 1, R"("5s";r=0;t=3)", "3"},
      {"denied: wait for a cost-3 request", "10/10s", {{0s, 9}}, 3, R"("10s";r=1;t=2)", "2"},
      {"cost above the burst: no Retry-After", "100/minute", {}, 101, R"("minute";r=100;t=0)",
       "<absent>"},
  };
  for (const auto& c : cases) {
    const Policy policy = policy_of(c.policy);
    std::vector<Tat> tats(policy.rates().size(), 0);
    Instant now = 1000s;
    for (const auto& [offset, count] : c.steps) {
      now = 1000s + offset;
      run(policy, tats, now, count);
    }
    const Decision d = decide(policy, tats, now, c.cost);
    const Fields fields = rate_limit_headers(policy, d);
    EXPECT_EQ(field(fields, "RateLimit"), c.rate_limit) << c.name;
    EXPECT_EQ(field(fields, "Retry-After"), c.retry_after) << c.name;
  }
}

TEST(RateLimitHeaders, RetryAfterIsNeverLessThanTAndAdmitsTheRequest) {
  const Policy policy = policy_of("7/13s burst 3;50/minute");
  for (std::uint64_t cost = 1; cost <= 3; ++cost) {
    for (int offset_ms = 0; offset_ms < 20'000; offset_ms += 371) {
      std::vector<Tat> tats{0, 0};
      run(policy, tats, 1000s, 3);
      const Instant now = 1000s + std::chrono::milliseconds(offset_ms);
      std::vector<Tat> probe = tats;
      const Decision d = decide(policy, probe, now, cost);
      if (d.allowed) continue;
      const Fields fields = rate_limit_headers(policy, d);
      const std::string item = field(fields, "RateLimit");
      const long long retry = std::stoll(item.substr(item.rfind("t=") + 2));
      const long long retry_after = std::stoll(field(fields, "Retry-After"));
      EXPECT_GE(retry_after, retry);
      EXPECT_TRUE(decide(policy, probe, now + std::chrono::seconds(retry_after), cost).allowed)
          << "cost " << cost << " at +" << offset_ms << "ms";
    }
  }
}

TEST(RateLimitHeaders, AdmittedResponsesCanGoWithoutFields) {
  const Policy policy = policy_of("2/minute");
  std::vector<Tat> tats{0};
  const Decision allowed = run(policy, tats, 1000s, 2);
  EXPECT_TRUE(rate_limit_headers(policy, allowed, {.on_allowed = false}).empty());
  const Decision denied = run(policy, tats, 1000s, 1);
  EXPECT_EQ(rate_limit_headers(policy, denied, {.on_allowed = false}).size(), 3u);
}

TEST(RateLimitHeaders, LegacyFieldsRepeatTheDecidingRate) {
  const Policy policy = policy_of("100/minute;1000/hour");
  std::vector<Tat> tats{0, 0};
  const Decision d = run(policy, tats, 1000s, 101);
  const Fields fields = rate_limit_headers(policy, d, {.legacy = true});
  EXPECT_EQ(field(fields, "X-RateLimit-Limit"), "100");
  EXPECT_EQ(field(fields, "X-RateLimit-Remaining"), "0");
  EXPECT_EQ(field(fields, "X-RateLimit-Reset"), "1");
}

TEST(RateLimitHeaders, FallbackDecisionsClaimNoCount) {
  const Policy policy = policy_of("100/minute");
  Decision allow;
  allow.allowed = true;
  allow.limit = 100;
  allow.source = Source::fallback_allow;
  EXPECT_TRUE(rate_limit_headers(policy, allow, {.legacy = true}).empty());

  Decision deny;
  deny.allowed = false;
  deny.limit = 100;
  deny.retry_after = 1500ms;
  deny.source = Source::fallback_deny;
  EXPECT_EQ(rate_limit_headers(policy, deny, {.legacy = true}), (Fields{{"Retry-After", "2"}}));

  deny.retry_after = 0ns;
  EXPECT_TRUE(rate_limit_headers(policy, deny).empty());
}

TEST(RateLimitHeaders, LocalFallbackDecisionsAreARealCountAndKeepTheirFields) {
  const Policy policy = policy_of("100/minute");
  std::vector<Tat> tats{0};
  Decision d = run(policy, tats, 1000s, 1);
  d.source = Source::fallback_local;
  EXPECT_EQ(field(rate_limit_headers(policy, d), "RateLimit"), R"("minute";r=99;t=1)");
}

TEST(HeaderFormatter, MatchesTheFreeFunction) {
  const Policy policy = policy_of("10/second;100/minute");
  const HeaderOptions options{.legacy = true, .item_prefix = "api-"};
  const HeaderFormatter formatter(policy, options);
  std::vector<Tat> tats{0, 0};
  for (int i = 0; i < 12; ++i) {
    const Decision d = decide(policy, tats, 1000s, 1);
    EXPECT_EQ(formatter.fields(d), rate_limit_headers(policy, d, options));
  }
  EXPECT_EQ(formatter.item_names(), (std::vector<std::string>{"api-second", "api-minute"}));
}

}  // namespace
}  // namespace gcra::http
