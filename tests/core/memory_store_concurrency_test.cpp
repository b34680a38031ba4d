// MemoryStore under many threads: nothing is admitted twice, nothing lost.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gcra/limiter.hpp"
#include "gcra/memory_store.hpp"

using namespace std::chrono_literals;
using gcra::ManualClock;
using gcra::MemoryStore;
using gcra::Policy;

namespace {

constexpr int kThreads = 8;

TEST(MemoryStoreConcurrency, ThreadsOnOneKeyWithTheClockFrozenAdmitExactlyBurst) {
  ManualClock clock(1s);
  MemoryStore store({}, clock);
  gcra::Limiter limiter(store, Policy::parse("1000/hour;5000/day").value());
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) admitted += limiter.request_is_limited("hot") ? 0 : 1;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 1000);
}

TEST(MemoryStoreConcurrency, ThreadsOnManyKeysLoseNothing) {
  // Each thread owns 500 keys and spends each key's burst of 3 exactly.
  ManualClock clock(1s);
  MemoryStore store({.shards = 8}, clock);
  gcra::Limiter limiter(store, Policy::parse("3/hour").value());
  std::atomic<int> admitted{0}, denied{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 4; ++round) {
        for (int k = 0; k < 500; ++k) {
          std::string key = "t" + std::to_string(t) + ":" + std::to_string(k);
          (limiter.request_is_limited(key) ? denied : admitted) += 1;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), kThreads * 500 * 3);
  EXPECT_EQ(denied.load(), kThreads * 500);
  EXPECT_EQ(store.size(), static_cast<std::size_t>(kThreads * 500));
}

TEST(MemoryStoreConcurrency, PurgeAndResetRaceSafelyWithChecks) {
  ManualClock clock(1s);
  MemoryStore store({.shards = 2, .max_keys = 256}, clock);
  gcra::Limiter limiter(store, Policy::parse("5/second").value());
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop) {
      clock.advance(7ms);
      store.purge_idle();
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        std::string key = "k" + std::to_string((i * 7 + t) % 300);
        if (i % 97 == 0) {
          ASSERT_TRUE(limiter.reset(key).ok());
        } else {
          ASSERT_TRUE(limiter.check(key).ok());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  ticker.join();
  EXPECT_LE(store.size(), 256u);
}

}  // namespace
