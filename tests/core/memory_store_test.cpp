// MemoryStore: the conformance suite plus what only an in-process store does
// (reclaiming idle keys, bounded key count, key length).
#include "gcra/memory_store.hpp"

#include <gtest/gtest.h>

#include "conformance/store_conformance.hpp"

using namespace std::chrono_literals;
using gcra::Decision;
using gcra::ManualClock;
using gcra::MemoryStore;
using gcra::MemoryStoreOptions;
using gcra::Mode;
using gcra::Policy;

namespace {

class MemoryHarness final : public gcra::testing::StoreHarness {
 public:
  explicit MemoryHarness(MemoryStoreOptions options = {}) : store_(options, clock_) {}
  gcra::Store& store() override { return store_; }
  ManualClock& clock() override { return clock_; }

 private:
  ManualClock clock_;
  MemoryStore store_;
};

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformance,
                         ::testing::Values(gcra::testing::HarnessFactory{
                             [] { return std::make_unique<MemoryHarness>(); }}),
                         [](const auto&) { return std::string("store"); });

// One shard, so that table growth and sweeping are easy to provoke.
INSTANTIATE_TEST_SUITE_P(MemoryOneShard, StoreConformance,
                         ::testing::Values(gcra::testing::HarnessFactory{[] {
                           return std::make_unique<MemoryHarness>(MemoryStoreOptions{.shards = 1});
                         }}),
                         [](const auto&) { return std::string("store"); });

TEST(MemoryStore, StoresNothingForPeeksAndDenials) {
  ManualClock clock(1s);
  MemoryStore store({}, clock);
  Policy policy = Policy::parse("1/minute burst 1").value();
  ASSERT_TRUE(store.apply(policy, "peeked", 1, Mode::peek)->allowed);
  ASSERT_TRUE(store.apply(policy, "too-big", 2, Mode::check)->exceeds_burst());
  EXPECT_EQ(store.size(), 0u);
}

TEST(MemoryStore, ForgetsKeysOnceTheyAreIdle) {
  ManualClock clock(1s);
  MemoryStore store({.shards = 4}, clock);
  Policy policy = Policy::parse("10/second").value();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(store.apply(policy, "k" + std::to_string(i), 1, Mode::check)->allowed);
  EXPECT_EQ(store.size(), 1000u);
  clock.advance(100ms);  // every key is exactly back to full burst
  EXPECT_EQ(store.purge_idle(), 1000u);
  EXPECT_EQ(store.size(), 0u);
}

TEST(MemoryStore, MemoryFollowsActiveKeysNotKeysEverSeen) {
  // A stream of one-off keys, each idle 100 ms after its request: without
  // reclaiming, the store would hold all 100,000.
  ManualClock clock(1s);
  MemoryStore store({.shards = 2}, clock);
  Policy policy = Policy::parse("10/second").value();
  std::size_t largest = 0;
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_TRUE(store.apply(policy, "once:" + std::to_string(i), 1, Mode::check)->allowed);
    clock.advance(1ms);  // about 100 keys are active at any moment
    if (i % 1000 == 0) largest = std::max(largest, store.size());
  }
  EXPECT_LT(largest, 2000u);
}

TEST(MemoryStore, EvictsIdleKeysFirstWhenFull) {
  ManualClock clock(1s);
  MemoryStore store({.shards = 1, .max_keys = 100}, clock);
  Policy slow = Policy::parse("1/hour").value();
  Policy fast = Policy::parse("10/second").value();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store.apply(slow, "hot" + std::to_string(i), 1, Mode::check)->allowed);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store.apply(fast, "cold" + std::to_string(i), 1, Mode::check)->allowed);
  clock.advance(1s);  // the fast keys are idle now
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store.apply(slow, "new" + std::to_string(i), 1, Mode::check)->allowed);
  EXPECT_LE(store.size(), 100u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(store.apply(slow, "hot" + std::to_string(i), 1, Mode::check)->allowed)
        << "an active key was evicted while idle ones were there";
  }
}

TEST(MemoryStore, NeverHoldsMoreThanMaxKeysEvenWhenAllAreActive) {
  ManualClock clock(1s);
  MemoryStore store({.shards = 4, .max_keys = 64}, clock);
  Policy policy = Policy::parse("1/hour").value();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(store.apply(policy, "k" + std::to_string(i), 1, Mode::check).ok());
  EXPECT_LE(store.size(), 64u);
  EXPECT_GE(store.size(), 48u);
}

TEST(MemoryStore, RejectsKeysLongerThanTheLimit) {
  MemoryStore store({.max_key_bytes = 16});
  Policy policy = Policy::parse("1/s").value();
  EXPECT_TRUE(store.apply(policy, std::string(16, 'k'), 1, Mode::check).ok());
  auto r = store.apply(policy, std::string(17, 'k'), 1, Mode::check);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, gcra::ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().message, "key of 17 bytes is longer than the limit of 16");
}

TEST(MemoryStore, BatchAndAsyncCallsDecideLikeApply) {
  ManualClock clock(1s);
  MemoryStore store({}, clock);
  Policy policy = Policy::parse("2/minute").value();
  std::vector<gcra::Request> batch(3, gcra::Request{&policy, "k", 1, Mode::check});
  auto results = store.apply_batch(batch);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0]->allowed);
  EXPECT_TRUE(results[1]->allowed);
  EXPECT_FALSE(results[2]->allowed);
  bool called = false;
  store.apply_async(gcra::Request{&policy, "other", 1, Mode::check}, [&](gcra::Result<Decision> d) {
    called = true;
    EXPECT_TRUE(d->allowed);
  });
  EXPECT_TRUE(called);
}

}  // namespace
