// Clocks: the cheaper ones agree with steady_clock.
#include "gcra/clock.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;

namespace {

TEST(Clocks, TscClockAdvancesWithSteadyClockAndNeverGoesBack) {
  const gcra::Clock& tsc = gcra::TscClock::instance();
  const gcra::Clock& steady = gcra::SteadyClock::instance();
  const auto tsc_start = tsc.now();
  const auto steady_start = steady.now();
  gcra::Instant last = tsc_start;
  while (steady.now() - steady_start < 50ms) {
    const gcra::Instant t = tsc.now();
    ASSERT_GE(t, last);
    last = t;
  }
  const auto tsc_elapsed = tsc.now() - tsc_start;
  const auto steady_elapsed = steady.now() - steady_start;
  // Same rate to well within 1% over 50 ms, whatever the machine's load.
  EXPECT_NEAR(static_cast<double>(tsc_elapsed.count()), static_cast<double>(steady_elapsed.count()),
              steady_elapsed.count() * 0.01 + 200'000.0);
}

TEST(Clocks, CoarseAndSystemClocksMoveForward) {
  const auto coarse = gcra::CoarseClock::instance().now();
  const auto system = gcra::SystemClock::instance().now();
  std::this_thread::sleep_for(20ms);
  EXPECT_GT(gcra::CoarseClock::instance().now(), coarse);
  EXPECT_GT(gcra::SystemClock::instance().now(), system);
  EXPECT_GT(system, gcra::Instant{1'700'000'000'000'000'000}) << "Unix epoch";
}

}  // namespace
