// The store conformance suite. See store_conformance.hpp.
#include "conformance/store_conformance.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "conformance/naive_model.hpp"

using gcra::Decision;
using gcra::Duration;
using gcra::kNever;
using gcra::Mode;
using gcra::Policy;
using gcra::Rate;
using namespace std::chrono_literals;

namespace {

Decision must(gcra::Result<Decision> r) {
  if (!r) {
    ADD_FAILURE() << r.error().to_string();
    return Decision{};
  }
  return *r;
}

struct BurstCase {
  const char* policy;
  std::uint64_t burst;
  Duration interval;
};

// Idle keys admit exactly burst; the next is denied for exactly one interval.
const BurstCase kBurstCases[] = {
    {"100/minute", 100, 600ms},
    {"10/second", 10, 100ms},
    {"5/second burst 1", 1, 200ms},
    {"3/second", 3, Duration{333'333'333}},     // T is not a whole number of ns
    {"7/minute", 7, Duration{8'571'428'571}},   // nor here
    {"1/day", 1, 24h},
    {"2/365d", 2, 365 * 24h / 2},
    {"1000/hour burst 50", 50, 3600ms},
};

}  // namespace

TEST_P(StoreConformance, IdleKeyAdmitsExactlyBurstThenOneEveryInterval) {
  for (const BurstCase& c : kBurstCases) {
    SCOPED_TRACE(c.policy);
    Policy policy = Policy::parse(c.policy).value();
    clock().set(gcra::testing::kConformanceEpoch);
    std::string key = std::string("burst:") + c.policy;
    for (std::uint64_t i = 1; i <= c.burst; ++i) {
      Decision d = must(store().apply(policy, key, 1, Mode::check));
      ASSERT_TRUE(d.allowed) << "request " << i;
      EXPECT_EQ(d.remaining, c.burst - i);
      EXPECT_EQ(d.reset_after, c.interval * static_cast<std::int64_t>(i));
      EXPECT_EQ(d.retry_after, Duration::zero());
    }
    Decision denied = must(store().apply(policy, key, 1, Mode::check));
    EXPECT_FALSE(denied.allowed);
    EXPECT_EQ(denied.remaining, 0u);
    EXPECT_EQ(denied.retry_after, c.interval);
    EXPECT_EQ(denied.reset_after, c.interval * static_cast<std::int64_t>(c.burst));

    clock().advance(denied.retry_after - 1ns);
    EXPECT_FALSE(must(store().apply(policy, key, 1, Mode::check)).allowed) << "a nanosecond early";
    clock().advance(1ns);
    Decision again = must(store().apply(policy, key, 1, Mode::check));
    EXPECT_TRUE(again.allowed) << "exactly at retry_after";
    EXPECT_EQ(again.remaining, 0u);
    EXPECT_FALSE(must(store().apply(policy, key, 1, Mode::check)).allowed);
  }
}

TEST_P(StoreConformance, RemainingAndResetAfterRecoverAsTimePasses) {
  Policy policy = Policy::parse("10/second").value();  // T = 100 ms
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(must(store().apply(policy, "k", 1, Mode::check)).allowed);
  clock().advance(250ms);
  Decision peek = must(store().apply(policy, "k", 1, Mode::peek));
  EXPECT_TRUE(peek.allowed);
  EXPECT_EQ(peek.remaining, 2u);
  EXPECT_EQ(peek.reset_after, 750ms);
  clock().advance(750ms);
  peek = must(store().apply(policy, "k", 1, Mode::peek));
  EXPECT_EQ(peek.remaining, 10u);
  EXPECT_EQ(peek.reset_after, 0ns);
}

TEST_P(StoreConformance, CostTakesThatManyIntervals) {
  Policy policy = Policy::parse("10/second").value();
  Decision d = must(store().apply(policy, "k", 4, Mode::check));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 6u);
  EXPECT_EQ(d.reset_after, 400ms);
  d = must(store().apply(policy, "k", 7, Mode::check));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 100ms);
  EXPECT_EQ(d.remaining, 6u);
  d = must(store().apply(policy, "k", 6, Mode::check));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0u);
}

TEST_P(StoreConformance, CostAboveBurstIsNeverAdmittedAndChangesNothing) {
  Policy policy = Policy::parse("10/second burst 5").value();
  Decision d = must(store().apply(policy, "k", 6, Mode::check));
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.exceeds_burst());
  EXPECT_EQ(d.retry_after, kNever);
  EXPECT_EQ(d.remaining, 5u);
  clock().advance(24h);
  EXPECT_TRUE(must(store().apply(policy, "k", 6, Mode::check)).exceeds_burst());
  EXPECT_EQ(must(store().apply(policy, "k", 5, Mode::check)).remaining, 0u);
}

TEST_P(StoreConformance, PeekAndCostZeroChangeNothing) {
  Policy policy = Policy::parse("2/second").value();
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(must(store().apply(policy, "k", 1, Mode::peek)).allowed);
    Decision zero = must(store().apply(policy, "k", 0, Mode::check));
    EXPECT_TRUE(zero.allowed);
    EXPECT_EQ(zero.remaining, 2u);
  }
  ASSERT_TRUE(must(store().apply(policy, "k", 2, Mode::check)).allowed);
  Decision peek = must(store().apply(policy, "k", 1, Mode::peek));
  EXPECT_FALSE(peek.allowed);
  EXPECT_EQ(peek.retry_after, 500ms);
  Decision zero = must(store().apply(policy, "k", 0, Mode::check));
  EXPECT_FALSE(zero.allowed) << "cost 0 peeks at a cost-1 request";
  EXPECT_EQ(zero.retry_after, 500ms);
}

TEST_P(StoreConformance, ResetRestoresFullBurst) {
  Policy policy = Policy::parse("3/minute").value();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(must(store().apply(policy, "k", 1, Mode::check)).allowed);
  ASSERT_FALSE(must(store().apply(policy, "k", 1, Mode::check)).allowed);
  ASSERT_TRUE(store().reset(policy, "k").ok());
  EXPECT_EQ(must(store().apply(policy, "k", 1, Mode::check)).remaining, 2u);
  EXPECT_TRUE(store().reset(policy, "never-seen").ok());
}

TEST_P(StoreConformance, DeniedByHourlyRateLeavesMinuteRateUntouched) {
  Policy policy = Policy::parse("10/minute;15/hour").value();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(must(store().apply(policy, "k", 1, Mode::check)).allowed);
  clock().advance(1min);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(must(store().apply(policy, "k", 1, Mode::check)).allowed);
  // The hourly rate is spent; the minute rate has 5 left.
  Decision d = must(store().apply(policy, "k", 1, Mode::check));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rate_index, 1);
  EXPECT_EQ(d.limit, 15u);
  // The hourly rate (T = 240 s) is booked 3540 s ahead; one more fits in 180 s.
  EXPECT_EQ(d.retry_after, 180s);
  ASSERT_EQ(d.rate_count, 2);
  EXPECT_EQ(d.rates[0].remaining, 5u);
  EXPECT_EQ(d.rates[0].retry_after, 0s);
  // However often it is denied, the minute rate keeps its 5.
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(must(store().apply(policy, "k", 1, Mode::check)).allowed);
  EXPECT_EQ(must(store().apply(policy, "k", 1, Mode::peek)).rates[0].remaining, 5u);
  clock().advance(180s);
  d = must(store().apply(policy, "k", 1, Mode::check));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rates[0].remaining, 9u);
}

TEST_P(StoreConformance, AllowedDecisionNamesTheRateWithFewestRemaining) {
  Policy policy = Policy::parse("100/minute;120/hour;3/second").value();
  Decision d = must(store().apply(policy, "k", 1, Mode::check));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rate_index, 2);
  EXPECT_EQ(d.limit, 3u);
  EXPECT_EQ(d.remaining, 2u);
  EXPECT_EQ(d.reset_after, 30s);  // the longest single interval: 3600 s / 120
}

TEST_P(StoreConformance, KeysAndPolicyNamesAreIndependentNamespaces) {
  Policy a = Policy::parse("1/minute", "a").value();
  Policy b = Policy::parse("1/minute", "b").value();
  const std::string binary("us\0er{x}", 8);
  ASSERT_TRUE(must(store().apply(a, "user", 1, Mode::check)).allowed);
  EXPECT_FALSE(must(store().apply(a, "user", 1, Mode::check)).allowed);
  EXPECT_TRUE(must(store().apply(b, "user", 1, Mode::check)).allowed);
  EXPECT_TRUE(must(store().apply(a, "user2", 1, Mode::check)).allowed);
  EXPECT_TRUE(must(store().apply(a, binary, 1, Mode::check)).allowed);
  EXPECT_TRUE(must(store().apply(a, std::string("us\0er", 5), 1, Mode::check)).allowed);
  EXPECT_FALSE(must(store().apply(a, binary, 1, Mode::check)).allowed);
  EXPECT_TRUE(must(store().apply(a, "", 1, Mode::check)).allowed);
}

TEST_P(StoreConformance, SamePolicyNameWithChangedRatesKeepsStateByPosition) {
  Policy before = Policy::parse("10/minute", "api").value();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(must(store().apply(before, "k", 1, Mode::check)).allowed);
  Policy after = Policy::parse("10/minute;100/hour", "api").value();
  Decision d = must(store().apply(after, "k", 1, Mode::check));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rate_index, 0);
  EXPECT_EQ(d.rates[1].remaining, 100u);
}

TEST_P(StoreConformance, ExtremeRatesNeitherOverflowNorLoseNanoseconds) {
  struct Case {
    const char* text;
    std::uint64_t cost;
  };
  const Case cases[] = {{"1000000000/1s", 1},        {"1000000/1ms", 1000000}, {"1/365d", 1},
                        {"1000000000/365d", 999999999}, {"1/1ms burst 1000", 1000}, {"36/365d burst 36", 36}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Policy policy = Policy::parse(c.text).value();
    const Rate& rate = policy.rates()[0];
    Decision first = must(store().apply(policy, "x", c.cost, Mode::check));
    EXPECT_TRUE(first.allowed);
    EXPECT_EQ(first.reset_after, rate.emission_interval() * static_cast<std::int64_t>(c.cost));
    Decision over = must(store().apply(policy, "x", rate.burst(), Mode::check));
    EXPECT_FALSE(over.allowed);
    EXPECT_EQ(over.retry_after, rate.emission_interval() * static_cast<std::int64_t>(c.cost));
    EXPECT_TRUE(must(store().apply(policy, "x", rate.burst() + 1, Mode::check)).exceeds_burst());
  }
}

// Random traces of (advance, key, cost, mode), compared decision by decision
// with the deliberately naive model in naive_model.hpp.
TEST_P(StoreConformance, MatchesNaiveModelOnRandomTraces) {
  static std::atomic<int> run{0};
  const bool ok = rc::check("store matches the naive model", [&] {
    const int rate_count = *rc::gen::inRange(1, 4);
    std::vector<Rate> rates;
    for (int i = 0; i < rate_count; ++i) {
      const auto limit = *rc::gen::inRange<std::uint64_t>(1, 20);
      const std::int64_t period_ms = *rc::gen::element<std::int64_t>(1000, 3333, 7000, 60000, 3600000);
      const auto burst = *rc::gen::inRange<std::uint64_t>(1, 2 * limit + 1);
      rates.emplace_back(limit, std::chrono::milliseconds(period_ms), burst);
    }
    const Policy policy(rates, "prop-" + std::to_string(run.fetch_add(1)));
    gcra::testing::NaiveModel model(policy);
    const int steps = *rc::gen::inRange(1, 60);
    for (int step = 0; step < steps; ++step) {
      const std::int64_t advance_ms = *rc::gen::weightedOneOf<std::int64_t>(
          {{3, rc::gen::just<std::int64_t>(0)}, {5, rc::gen::inRange<std::int64_t>(1, 2000)},
           {1, rc::gen::inRange<std::int64_t>(2000, 4000000)}});
      const Duration advance = std::chrono::milliseconds(advance_ms) + Duration{*rc::gen::inRange(0, 1000)};
      clock().advance(advance);
      model.advance(advance);
      const std::string key = *rc::gen::element<std::string>("a", "b", "c");
      const int action = *rc::gen::inRange(0, 20);
      if (action == 0) {
        RC_ASSERT(store().reset(policy, key).ok());
        model.reset(key);
        continue;
      }
      const Mode mode = action < 4 ? Mode::peek : Mode::check;
      const auto cost = *rc::gen::inRange<std::uint64_t>(0, 2 * rates[0].burst() + 2);
      auto got = store().apply(policy, key, cost, mode);
      RC_ASSERT(got.ok());
      const Decision want = model.apply(key, cost, mode);
      RC_ASSERT(got->allowed == want.allowed);
      RC_ASSERT(got->limit == want.limit);
      RC_ASSERT(got->remaining == want.remaining);
      RC_ASSERT(got->retry_after == want.retry_after);
      RC_ASSERT(got->reset_after == want.reset_after);
      RC_ASSERT(got->rate_index == want.rate_index);
      RC_ASSERT(got->rate_count == want.rate_count);
      for (int i = 0; i < rate_count; ++i) {
        RC_ASSERT(got->rates[i].remaining == want.rates[i].remaining);
        RC_ASSERT(got->rates[i].retry_after == want.rates[i].retry_after);
        RC_ASSERT(got->rates[i].reset_after == want.rates[i].reset_after);
      }
    }
  });
  EXPECT_TRUE(ok);
}
