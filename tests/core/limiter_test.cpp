// Limiter: the everyday entry point over any store.
#include "gcra/limiter.hpp"

#include <gtest/gtest.h>

#include "gcra/memory_store.hpp"
#include "support/flaky_store.hpp"

using namespace std::chrono_literals;
using gcra::Limiter;
using gcra::ManualClock;
using gcra::MemoryStore;
using gcra::Policy;

namespace {

TEST(Limiter, AnswersTheClassicQuestionForOneHundredPerMinute) {
  ManualClock clock(1s);
  MemoryStore store({}, clock);
  Limiter limiter(store, Policy::parse("100/minute").value());
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(limiter.request_is_limited("user:42")) << i;
  EXPECT_TRUE(limiter.request_is_limited("user:42"));
  EXPECT_FALSE(limiter.request_is_limited("user:43"));
  clock.advance(600ms);
  EXPECT_FALSE(limiter.request_is_limited("user:42"));
}

TEST(Limiter, CheckPeekAndResetWorkThroughTheStore) {
  ManualClock clock(1s);
  MemoryStore store({}, clock);
  Limiter limiter(store, Policy::parse("3/minute").value());
  EXPECT_EQ(limiter.check("k", 2)->remaining, 1u);
  EXPECT_EQ(limiter.peek("k")->remaining, 1u);
  EXPECT_FALSE(limiter.peek("k", 2)->allowed);
  EXPECT_EQ(limiter.check("k", 0)->remaining, 1u);
  ASSERT_TRUE(limiter.reset("k").ok());
  EXPECT_EQ(limiter.peek("k")->remaining, 3u);
}

TEST(Limiter, RequestIsLimitedFailsOpenWhenTheStoreErrs) {
  ManualClock clock(1s);
  gcra::testing::FlakyStore store(clock);
  Limiter limiter(store, Policy::parse("1/minute").value());
  store.set_down(true);
  EXPECT_FALSE(limiter.request_is_limited("k"));
  EXPECT_FALSE(limiter.check("k").ok());
}

}  // namespace
