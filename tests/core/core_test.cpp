// The pure GCRA arithmetic: gcra::decide on explicit states.
#include "gcra/core.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "gcra/limiter.hpp"
#include "gcra/memory_store.hpp"

using namespace std::chrono_literals;
using gcra::Decision;
using gcra::Duration;
using gcra::Instant;
using gcra::Mode;
using gcra::Policy;
using gcra::Tat;

namespace {

constexpr Instant kNow{1'000'000'000'000};  // any instant; states are relative to it

struct Row {
  const char* rate;
  Duration booked;  // TAT - now before the request (negative: idle for that long)
  std::uint64_t cost;
  Mode mode;
  bool allowed;
  std::uint64_t remaining;
  Duration retry_after;
  Duration reset_after;
  Duration booked_after;  // TAT - now after the request
};

// 10/second: T = 100 ms, tau = 1 s.
const Row kRows[] = {
    {"10/second", -5s, 1, Mode::check, true, 9, 0ms, 100ms, 100ms},       // idle key
    {"10/second", 0ms, 1, Mode::check, true, 9, 0ms, 100ms, 100ms},       // exactly idle
    {"10/second", 900ms, 1, Mode::check, true, 0, 0ms, 1000ms, 1000ms},   // the last of the burst
    {"10/second", 1000ms, 1, Mode::check, false, 0, 100ms, 1000ms, 1000ms},
    {"10/second", 950ms, 1, Mode::check, false, 0, 50ms, 950ms, 950ms},
    {"10/second", 950ms, 0, Mode::check, false, 0, 50ms, 950ms, 950ms},   // cost 0 peeks
    {"10/second", 300ms, 5, Mode::check, true, 2, 0ms, 800ms, 800ms},
    {"10/second", 300ms, 8, Mode::check, false, 7, 100ms, 300ms, 300ms},
    {"10/second", 300ms, 7, Mode::check, true, 0, 0ms, 1000ms, 1000ms},
    {"10/second", 300ms, 10, Mode::check, false, 7, 300ms, 300ms, 300ms},  // cost = burst
    {"10/second", 0ms, 10, Mode::check, true, 0, 0ms, 1000ms, 1000ms},
    {"10/second", 0ms, 11, Mode::check, false, 10, gcra::kNever, 0ms, 0ms},  // cost > burst
    {"10/second", 300ms, 1, Mode::peek, true, 7, 0ms, 300ms, 300ms},
    {"10/second", 1000ms, 1, Mode::peek, false, 0, 100ms, 1000ms, 1000ms},
    {"10/second", 250ms, 1, Mode::check, true, 6, 0ms, 350ms, 350ms},  // remaining rounds down
    {"10/second burst 1", 0ms, 1, Mode::check, true, 0, 0ms, 100ms, 100ms},
    {"10/second burst 1", 1ns, 1, Mode::check, false, 0, 1ns, 1ns, 1ns},
    {"10/second burst 1", 100ms, 2, Mode::check, false, 0, gcra::kNever, 100ms, 100ms},
    {"3/second", 0ms, 3, Mode::check, true, 0, 0ms, Duration{999'999'999}, Duration{999'999'999}},
};

TEST(Decide, MatchesTheTableOfSingleRateCases) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(std::string(row.rate) + " booked " + std::to_string(row.booked.count()) + "ns cost " +
                 std::to_string(row.cost));
    Policy policy = Policy::parse(row.rate).value();
    std::vector<Tat> tats{(kNow + row.booked).count()};
    Decision d = gcra::decide(policy, tats, kNow, row.cost, row.mode);
    EXPECT_EQ(d.allowed, row.allowed);
    EXPECT_EQ(d.remaining, row.remaining);
    EXPECT_EQ(d.retry_after, row.retry_after);
    EXPECT_EQ(d.reset_after, row.reset_after);
    EXPECT_EQ(d.exceeds_burst(), row.retry_after == gcra::kNever);
    const Duration after = Instant{tats[0]} - kNow;
    EXPECT_EQ(std::max(after, Duration::zero()), std::max(row.booked_after, Duration::zero()));
    if (!(row.allowed && row.mode == Mode::check && row.cost > 0)) {
      EXPECT_EQ(tats[0], (kNow + row.booked).count()) << "state must not change";
    }
  }
}

TEST(Decide, DeniedRequestChangesNoRateOfThePolicy) {
  Policy policy = Policy::parse("10/second;20/minute").value();
  std::vector<Tat> tats{kNow.count() + 200'000'000, kNow.count() + 60'000'000'000};  // minute rate full
  const std::vector<Tat> before = tats;
  Decision d = gcra::decide(policy, tats, kNow, 1, Mode::check);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rate_index, 1);
  EXPECT_EQ(d.retry_after, 3s);
  EXPECT_EQ(d.rates[0].retry_after, 0s);
  EXPECT_EQ(d.rates[0].remaining, 8u);
  EXPECT_EQ(tats, before);
}

TEST(Decide, StateBookedBeyondTheToleranceDrainsInsteadOfOverflowing) {
  // A policy renamed onto another's state may find more booked than it allows.
  Policy policy = Policy::parse("1/second").value();
  std::vector<Tat> tats{kNow.count() + 10'000'000'000};
  Decision d = gcra::decide(policy, tats, kNow, 1, Mode::check);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0u);
  EXPECT_EQ(d.retry_after, 10s);
}

TEST(Decide, IsIdleOnlyWhenEveryRateIsBackToFullBurst) {
  std::vector<Tat> tats{kNow.count(), kNow.count() - 5};
  EXPECT_TRUE(gcra::is_idle(tats, kNow));
  tats[1] = kNow.count() + 1;
  EXPECT_FALSE(gcra::is_idle(tats, kNow));
}

// Drift: over 24 simulated hours, a client at exactly the configured rate is
// never denied, and a faster one gets burst + elapsed/T admissions (+-1),
// including rates whose T is not a whole number of nanoseconds.
struct DriftCase {
  const char* rate;
};
const DriftCase kDriftCases[] = {{"3/second"},  {"7/minute"},          {"100/minute"},
                                 {"10/second"}, {"3/second burst 1"}, {"7/minute burst 1"},
                                 {"1000/hour burst 5"}};

TEST(Drift, ClientAtExactlyTheRateIsNeverDeniedOver24Hours) {
  for (const DriftCase& c : kDriftCases) {
    SCOPED_TRACE(c.rate);
    const gcra::Rate rate = gcra::Rate::parse(c.rate).value();
    gcra::ManualClock clock(Instant{1'764'806'400'000'000'000});
    const Instant start = clock.now();
    gcra::MemoryStore store({}, clock);
    gcra::Limiter limiter(store, Policy(rate));
    const std::int64_t period = rate.period().count();
    const std::int64_t limit = rate.limit();
    std::uint64_t denied = 0, sent = 0;
    // Request k goes at the earliest whole nanosecond at or after k*period/limit.
    for (std::int64_t k = 0;; ++k) {
      const std::int64_t at = (k * period + limit - 1) / limit;
      if (at > std::int64_t{86'400'000'000'000}) break;
      clock.set(start + Duration{static_cast<std::int64_t>(at)});
      denied += limiter.request_is_limited("client") ? 1 : 0;
      ++sent;
    }
    EXPECT_EQ(denied, 0u) << "of " << sent;
  }
}

TEST(Drift, FasterClientGetsBurstPlusElapsedOverIntervalAdmissions) {
  for (const DriftCase& c : kDriftCases) {
    SCOPED_TRACE(c.rate);
    const gcra::Rate rate = gcra::Rate::parse(c.rate).value();
    gcra::ManualClock clock(Instant{1'764'806'400'000'000'000});
    gcra::MemoryStore store({}, clock);
    gcra::Limiter limiter(store, Policy(rate));
    // Three requests per interval, for 24 hours.
    const Duration step = rate.emission_interval() / 3;
    const std::int64_t steps = 86'400'000'000'000 / step.count();
    std::int64_t admitted = 0;
    for (std::int64_t i = 0; i <= steps; ++i) {
      admitted += limiter.request_is_limited("client") ? 0 : 1;
      if (i < steps) clock.advance(step);
    }
    const std::int64_t elapsed = steps * step.count();  // < 2^47: no overflow below
    const auto expected = static_cast<std::int64_t>(rate.burst() + elapsed * rate.limit() / rate.period().count());
    EXPECT_NEAR(admitted, expected, 1);
  }
}

}  // namespace
