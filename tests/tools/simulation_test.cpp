#include "gcra_tool/simulation.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "gcra_tool/int128.hpp"

namespace gcra::tool {
namespace {

using namespace std::chrono_literals;

Policy policy(std::string_view text) {
  auto parsed = Policy::parse(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return *parsed;
}

SimulationResult run(std::string_view policy_text, const SyntheticTraffic& traffic) {
  auto result = simulate(policy(policy_text), traffic);
  EXPECT_TRUE(result) << result.error().message;
  return result ? *result : SimulationResult{};
}

SimulationResult run(std::string_view policy_text, std::string_view csv) {
  auto traffic = parse_traffic(csv, "test.csv");
  EXPECT_TRUE(traffic) << traffic.error().message;
  auto result = simulate(policy(policy_text), *traffic);
  EXPECT_TRUE(result) << result.error().message;
  return result ? *result : SimulationResult{};
}

constexpr std::int64_t kPerSecond = 1'000'000'000;  // billionths in one request per second

TEST(Simulate, ClientAtTwiceTheRateGetsBurstPlusElapsedOverT) {
  // 10/second: burst 10, T = 100 ms. 20 requests/s for 10 s: the last one is
  // sent at 9.95 s, so burst + elapsed/T = 10 + 99.5.
  SimulationResult r = run("10/second", SyntheticTraffic{20 * kPerSecond, 10s, 1});
  EXPECT_EQ(r.total.requests(), 200u);
  EXPECT_NEAR(static_cast<double>(r.total.admitted), 10 + 100, 1);
  EXPECT_EQ(r.total.admitted + r.total.denied, 200u);
  // The n-th request (from 0) is at n*50 ms and finds the TAT at n*100 ms:
  // admitted while n*100 ms <= n*50 ms + 900 ms, so n = 19 is the first denied.
  ASSERT_TRUE(r.total.first_denied_at);
  EXPECT_EQ(*r.total.first_denied_at, Instant{950'000'000});
  EXPECT_EQ(r.per_key[0].admitted, r.total.admitted);
}

TEST(Simulate, ClientAtExactlyTheRateIsNeverDeniedOver24Hours) {
  for (const char* rate : {"10/second", "3/second", "7/minute"}) {
    auto parsed = Rate::parse(rate);
    ASSERT_TRUE(parsed);
    // Requests per second in billionths, rounded down: never above the rate.
    const auto billionths = static_cast<std::int64_t>(static_cast<Int128>(parsed->limit()) * kPerSecond *
                                                      kPerSecond / parsed->period().count());
    SimulationResult r = run(rate, SyntheticTraffic{billionths, 24h, 1});
    EXPECT_EQ(r.total.denied, 0u) << rate;
    EXPECT_GT(r.total.admitted, 0u) << rate;
  }
}

TEST(Simulate, FasterClientGetsExactlyBurstPlusElapsedOverTForNonWholeIntervals) {
  // 3/second: T = 333333333.3 ns. A client at 6/s for 24 h is admitted
  // burst + elapsed/T = 3 + 86400 * 3 times, within one.
  SimulationResult r = run("3/second", SyntheticTraffic{6 * kPerSecond, 24h, 1});
  EXPECT_NEAR(static_cast<double>(r.total.admitted), 3 + 86400.0 * 3, 1);

  // 7/minute: T = 8571428571.4 ns. A client at 1/s for 24 h.
  SimulationResult m = run("7/minute", SyntheticTraffic{kPerSecond, 24h, 1});
  EXPECT_NEAR(static_cast<double>(m.total.admitted), 7 + 1440.0 * 7, 1);
}

TEST(Simulate, KeysAreLimitedIndependently) {
  // 40 requests/s round-robin over 4 keys: 10/s each, at exactly the rate.
  SimulationResult r = run("10/second", SyntheticTraffic{40 * kPerSecond, 60s, 4});
  ASSERT_EQ(r.keys.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(r.per_key[k].admitted, 600u) << r.keys[k];
    EXPECT_EQ(r.per_key[k].denied, 0u) << r.keys[k];
  }
  EXPECT_EQ(r.total.admitted, 2400u);
}

TEST(Simulate, EveryRateOfThePolicyApplies) {
  // 5/second alone admits 5 + 10 in 2 s at 10/s; 12/minute caps it at 12.
  SimulationResult one = run("5/second", SyntheticTraffic{10 * kPerSecond, 2s, 1});
  SimulationResult both = run("5/second;12/minute", SyntheticTraffic{10 * kPerSecond, 2s, 1});
  EXPECT_NEAR(static_cast<double>(one.total.admitted), 15, 1);
  EXPECT_EQ(both.total.admitted, 12u);
  EXPECT_EQ(both.total.denied, 8u);
}

TEST(Simulate, SortsTrafficByTimeBeforeReplaying) {
  // 1/second burst 1: in time order, 0 s and 1 s are admitted and 0.5 s is
  // denied, whatever order the file lists them in.
  SimulationResult r = run("1/second", "1,a\n0.5,a\n0,a\n");
  EXPECT_EQ(r.total.admitted, 2u);
  EXPECT_EQ(r.total.denied, 1u);
  ASSERT_TRUE(r.total.first_denied_at);
  EXPECT_EQ(*r.total.first_denied_at, Instant{500'000'000});
}

TEST(Simulate, RequestsAtTheSameTimeKeepTheirFileOrder) {
  // A peek (cost 0) before the check sees room; after it, none.
  SimulationResult peek_first = run("1/second", "5,a,0\n5,a,1\n");
  EXPECT_EQ(peek_first.total.admitted, 2u);
  SimulationResult check_first = run("1/second", "5,a,1\n5,a,0\n");
  EXPECT_EQ(check_first.total.admitted, 1u);
  EXPECT_EQ(check_first.total.denied, 1u);
}

TEST(Simulate, APeekConsumesNothing) {
  SimulationResult r = run("2/second", "0,a,0\n0,a,0\n0,a,0\n0,a\n0,a\n0,a\n");
  EXPECT_EQ(r.total.admitted, 5u);  // three peeks and two checks
  EXPECT_EQ(r.total.denied, 1u);
}

TEST(Simulate, CostsAreTakenFromTheBurst) {
  SimulationResult r = run("10/second", "0,a,4\n0,a,4\n0,a,4\n0.8,a,4\n");
  // 4 + 4 fit the burst of 10; the third finds 2 left; by 0.8 s all 10 are back.
  EXPECT_EQ(r.total.admitted, 3u);
  EXPECT_EQ(r.total.denied, 1u);
}

TEST(Simulate, ACostAboveTheBurstIsDeniedAsNever) {
  SimulationResult r = run("10/second;100/hour burst 5", "0,a,6\n100,a,6\n200,a,1\n");
  EXPECT_EQ(r.total.denied, 2u);
  EXPECT_EQ(r.total.never, 2u);
  EXPECT_EQ(r.total.admitted, 1u);
}

TEST(Simulate, ReportsDenialTimesInTheTrafficsOwnClock) {
  SimulationResult r = run("1/minute", "1796374800.000000001,u\n1796374801.5,u\n1796374801.5,v\n");
  EXPECT_EQ(*r.first_at, Instant{1'796'374'800'000'000'001});
  EXPECT_EQ(*r.last_at, Instant{1'796'374'801'500'000'000});
  ASSERT_EQ(r.keys, (std::vector<std::string>{"u", "v"}));
  EXPECT_EQ(*r.per_key[0].first_denied_at, Instant{1'796'374'801'500'000'000});
  EXPECT_FALSE(r.per_key[1].first_denied_at);
  EXPECT_EQ(r.per_key[1].admitted, 1u);
}

TEST(Simulate, EmptyTrafficCountsNothing) {
  SimulationResult r = run("1/second", "timestamp,key\n");
  EXPECT_EQ(r.total.requests(), 0u);
  EXPECT_FALSE(r.first_at);
  EXPECT_FALSE(r.total.first_denied_at);
}

TEST(Simulate, KeysOfAnyLengthAreAccepted) {
  const std::string long_key(5000, 'k');
  SimulationResult r = run("1/second", "0," + long_key + "\n0," + long_key + "\n");
  EXPECT_EQ(r.total.admitted, 1u);
  EXPECT_EQ(r.total.denied, 1u);
}

TEST(Simulator, RefusesRequestsOutOfTimeOrder) {
  Simulator simulator(policy("1/second"), {"a"});
  ASSERT_TRUE(simulator.offer(Instant{10}, 0, 1));
  auto late = simulator.offer(Instant{9}, 0, 1);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(simulator.offer(Instant{10}, 1, 1));  // no key 1
  EXPECT_EQ(simulator.result().total.requests(), 1u);
}

TEST(Simulate, DecisionsDoNotDependOnTheTrafficsEpoch) {
  // The store's clock reads 0 at the first request, so shifting every
  // timestamp changes no decision.
  const char* shifted = "1000000000.1,a\n1000000000.2,a\n1000000000.25,a\n1000000001.1,a\n";
  const char* plain = "0.1,a\n0.2,a\n0.25,a\n1.1,a\n";
  SimulationResult x = run("2/second", shifted);
  SimulationResult y = run("2/second", plain);
  EXPECT_EQ(x.total.admitted, y.total.admitted);
  EXPECT_EQ(x.total.denied, y.total.denied);
  EXPECT_EQ(y.total.admitted, 3u);
}

}  // namespace
}  // namespace gcra::tool
