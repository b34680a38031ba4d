// DenyCacheStore: denials answered locally until their retry time, exactly.
#include "gcra/deny_cache.hpp"

#include <gtest/gtest.h>

#include "support/flaky_store.hpp"

using namespace std::chrono_literals;
using gcra::Decision;
using gcra::DenyCacheStore;
using gcra::ManualClock;
using gcra::Mode;
using gcra::Policy;
using gcra::Source;
using gcra::testing::FlakyStore;

namespace {

TEST(DenyCache, FloodFromOneKeyReachesTheStoreAboutTwiceARetryPeriod) {
  ManualClock clock(1s);
  FlakyStore remote(clock);
  DenyCacheStore store(remote, {.clock = &clock});
  gcra::MemoryStore reference({}, clock);  // the same traffic without a cache
  Policy policy = Policy::parse("10/second").value();  // one request per 100 ms once spent
  std::uint64_t admitted = 0;
  // 10 requests every millisecond for 10 seconds: 100,000 requests.
  for (int ms = 0; ms < 10'000; ++ms) {
    for (int i = 0; i < 10; ++i) {
      const bool allowed = store.apply(policy, "abuser", 1, Mode::check)->allowed;
      ASSERT_EQ(allowed, reference.apply(policy, "abuser", 1, Mode::check)->allowed)
          << "the cache changed a decision at " << ms << " ms";
      admitted += allowed ? 1 : 0;
    }
    clock.advance(1ms);
  }
  EXPECT_EQ(admitted, 10u + 99u);
  // Per 100 ms: one admitted call, one denied call that fills the cache.
  EXPECT_LE(remote.calls(), 2u * 100u + 20u);
  EXPECT_GE(store.hits(), 99'000u);
}

TEST(DenyCache, CachedDenialIsExactAboutRetryAfterAndNeverDeniesLate) {
  ManualClock clock(1s);
  FlakyStore remote(clock);
  DenyCacheStore store(remote, {.clock = &clock});
  Policy policy = Policy::parse("2/second").value();
  ASSERT_TRUE(store.apply(policy, "k", 2, Mode::check)->allowed);
  Decision first = *store.apply(policy, "k", 1, Mode::check);
  ASSERT_FALSE(first.allowed);
  EXPECT_EQ(first.source, Source::store);
  clock.advance(200ms);
  Decision cached = *store.apply(policy, "k", 1, Mode::check);
  EXPECT_FALSE(cached.allowed);
  EXPECT_EQ(cached.source, Source::deny_cache);
  EXPECT_EQ(cached.retry_after, first.retry_after - 200ms);
  EXPECT_EQ(cached.reset_after, first.reset_after - 200ms);
  clock.advance(cached.retry_after);
  Decision later = *store.apply(policy, "k", 1, Mode::check);
  EXPECT_TRUE(later.allowed) << "at the retry time the store is asked again";
  EXPECT_EQ(later.source, Source::store);
}

TEST(DenyCache, HigherCostsAreDeniedWithTheirOwnRetryAfterAndLowerCostsAsked) {
  ManualClock clock(1s);
  FlakyStore remote(clock);
  DenyCacheStore store(remote, {.clock = &clock});
  Policy policy = Policy::parse("10/second").value();
  ASSERT_TRUE(store.apply(policy, "k", 8, Mode::check)->allowed);
  ASSERT_FALSE(store.apply(policy, "k", 3, Mode::check)->allowed);  // cached: 2 remain
  const auto calls = remote.calls();
  Decision higher = *store.apply(policy, "k", 5, Mode::check);
  EXPECT_EQ(higher.source, Source::deny_cache);
  EXPECT_EQ(higher.retry_after, 300ms);
  EXPECT_TRUE(store.apply(policy, "k", 2, Mode::check)->allowed);
  EXPECT_EQ(remote.calls(), calls + 1) << "only the cost that may pass was sent";
}

TEST(DenyCache, ResetThroughTheCacheClearsIt) {
  ManualClock clock(1s);
  FlakyStore remote(clock);
  DenyCacheStore store(remote, {.clock = &clock});
  Policy policy = Policy::parse("1/minute").value();
  ASSERT_TRUE(store.apply(policy, "k", 1, Mode::check)->allowed);
  ASSERT_FALSE(store.apply(policy, "k", 1, Mode::check)->allowed);
  ASSERT_TRUE(store.reset(policy, "k").ok());
  EXPECT_TRUE(store.apply(policy, "k", 1, Mode::check)->allowed);
}

TEST(DenyCache, PoliciesAndKeysAreCachedSeparately) {
  ManualClock clock(1s);
  FlakyStore remote(clock);
  DenyCacheStore store(remote, {.clock = &clock});
  Policy a = Policy::parse("1/minute", "a").value();
  Policy b = Policy::parse("1/minute", "b").value();
  ASSERT_TRUE(store.apply(a, "k", 1, Mode::check)->allowed);
  ASSERT_FALSE(store.apply(a, "k", 1, Mode::check)->allowed);
  EXPECT_TRUE(store.apply(b, "k", 1, Mode::check)->allowed);
  EXPECT_TRUE(store.apply(a, "k2", 1, Mode::check)->allowed);
}

TEST(DenyCache, StaysWithinItsEntryLimit) {
  ManualClock clock(1s);
  FlakyStore remote(clock);
  DenyCacheStore store(remote, {.max_entries = 32, .clock = &clock});
  Policy policy = Policy::parse("1/hour").value();
  for (int i = 0; i < 500; ++i) {
    std::string key = "k" + std::to_string(i);
    ASSERT_TRUE(store.apply(policy, key, 1, Mode::check)->allowed);
    ASSERT_FALSE(store.apply(policy, key, 1, Mode::check)->allowed);
  }
  EXPECT_LE(store.size(), 32u);
  for (int i = 0; i < 500; ++i) EXPECT_FALSE(store.apply(policy, "k" + std::to_string(i), 1, Mode::check)->allowed);
}

TEST(DenyCache, BatchAndAsyncUseTheCacheToo) {
  ManualClock clock(1s);
  FlakyStore remote(clock);
  DenyCacheStore store(remote, {.clock = &clock});
  Policy policy = Policy::parse("1/minute").value();
  std::vector<gcra::Request> batch(3, gcra::Request{&policy, "k", 1, Mode::check});
  auto results = store.apply_batch(batch);
  EXPECT_TRUE(results[0]->allowed);
  EXPECT_FALSE(results[1]->allowed);
  results = store.apply_batch(batch);
  for (const auto& r : results) EXPECT_EQ(r->source, Source::deny_cache);
  Source seen = Source::store;
  store.apply_async(batch[0], [&](gcra::Result<Decision> d) { seen = d->source; });
  EXPECT_EQ(seen, Source::deny_cache);
}

}  // namespace
