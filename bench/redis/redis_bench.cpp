// gcra's RedisStore against one redis-server, beside the classic recipe.
// Every decision is a check of a random key out of 100 000 under a policy
// that admits everything, as in the redis-benchmark runs of
// run_redis_bench.sh.
//
// The server: GCRA_BENCH_REDIS_PORT if set (run_redis_bench.sh sets it),
// else a redis-server started here on a free loopback port.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "classic_recipe.hpp"
#include "gcra/redis_store.hpp"
#include "support/redis_server.hpp"

namespace {

constexpr std::size_t kKeys = 100'000;

int redis_port() {
  static std::unique_ptr<gcra::testing::RedisServer> owned;
  static const int port = [] {
    if (const char* env = std::getenv("GCRA_BENCH_REDIS_PORT")) return std::atoi(env);
    owned = std::make_unique<gcra::testing::RedisServer>();
    return owned->port();
  }();
  return port;
}

gcra::RedisStore& store() {
  static const std::unique_ptr<gcra::RedisStore> s = [] {
    gcra::RedisStoreOptions o;
    o.url = "redis://127.0.0.1:" + std::to_string(redis_port());
    o.command_timeout = std::chrono::seconds(5);
    auto connected = gcra::RedisStore::connect(o);
    if (!connected) {
      std::fprintf(stderr, "%s\n", connected.error().to_string().c_str());
      std::exit(1);
    }
    return std::move(*connected);
  }();
  return *s;
}

// The same key names as redis-benchmark's -r 100000 (__rand_int__ is 12 digits).
const std::vector<std::string>& keys() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> out;
    char name[32];
    for (std::size_t i = 0; i < kKeys; ++i) {
      std::snprintf(name, sizeof name, "bench:%012zu", i);
      out.emplace_back(name);
    }
    return out;
  }();
  return k;
}

// A cheap random key index (xorshift).
struct KeyPicker {
  std::uint64_t x = 88172645463325252ull;
  const std::string& next() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return keys()[x % kKeys];
  }
};

// Admit everything, and keep every key (each check books a minute ahead), so
// that every decision reads and writes a live key; named as in
// run_redis_bench.sh's redis-benchmark runs.
const gcra::Policy& policy(std::int64_t rates) {
  static const gcra::Policy one = gcra::Policy::parse("1/minute burst 1000000", "bench").value();
  static const gcra::Policy three =
      gcra::Policy::parse("1/minute burst 1000000;2/minute burst 1000000;3/minute burst 1000000", "bench3").value();
  return rates == 1 ? one : three;
}

// One connection, one request at a time: latency-bound.
void BM_RedisStore_Check(benchmark::State& state) {
  const gcra::Policy& p = policy(state.range(0));
  KeyPicker pick;
  for (auto _ : state) {
    auto d = store().apply(p, pick.next(), 1, gcra::Mode::check);
    if (!d || !d->allowed) state.SkipWithError("the check failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RedisStore_Check)->ArgName("rates")->Arg(1)->Arg(3)->UseRealTime()->MinTime(3);

// apply_async with N requests in flight on one pipelined connection: N
// chains, each submitting its next request from the previous one's callback
// (as a server would from its I/O loop), like redis-benchmark's -c N.
void BM_RedisStore_Async(benchmark::State& state) {
  const gcra::Policy& p = policy(1);
  const auto chains = static_cast<int>(state.range(0));
  constexpr int kPerChain = 200;
  struct Run {
    const gcra::Policy* policy = nullptr;
    std::mutex mutex;
    std::condition_variable finished;
    int chains_left = 0;
    bool failed = false;
    KeyPicker pick;  // used on the store's (one) I/O thread only

    void next(int left) {
      if (left == 0) {
        std::lock_guard<std::mutex> guard(mutex);
        if (--chains_left == 0) finished.notify_all();
        return;
      }
      store().apply_async(gcra::Request{policy, pick.next(), 1, gcra::Mode::check},
                          [this, left](gcra::Result<gcra::Decision> d) {
                            if (!d || !d->allowed) failed = true;
                            next(left - 1);
                          });
    }
  };
  bool failed = false;
  for (auto _ : state) {
    Run run;
    run.policy = &p;
    run.chains_left = chains;
    for (int c = 0; c < chains; ++c) {
      store().apply_async(gcra::Request{&p, keys()[static_cast<std::size_t>(c)], 1, gcra::Mode::check},
                          [&run](gcra::Result<gcra::Decision> d) {
                            if (!d || !d->allowed) run.failed = true;
                            run.next(kPerChain - 1);
                          });
    }
    {
      std::unique_lock<std::mutex> lock(run.mutex);
      run.finished.wait(lock, [&] { return run.chains_left == 0; });
    }
    failed = failed || run.failed;
  }
  if (failed) state.SkipWithError("a check failed");
  state.SetItemsProcessed(state.iterations() * chains * kPerChain);
}
BENCHMARK(BM_RedisStore_Async)->ArgName("in_flight")->Arg(64)->UseRealTime()->MinTime(3);

// apply_batch of N requests: one pipelined write, then N replies.
void BM_RedisStore_Batch(benchmark::State& state) {
  const gcra::Policy& p = policy(1);
  KeyPicker pick;
  std::vector<gcra::Request> batch(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    for (gcra::Request& r : batch) r = gcra::Request{&p, pick.next(), 1, gcra::Mode::check};
    for (const auto& d : store().apply_batch(batch)) {
      if (!d || !d->allowed) state.SkipWithError("a check failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RedisStore_Batch)->ArgName("batch")->Arg(64)->UseRealTime()->MinTime(3);

// The classic recipe: six round trips and a lock per decision.
void BM_ClassicRecipe_Check(benchmark::State& state) {
  gcra::bench::ClassicRecipe recipe("127.0.0.1", redis_port(), 1'000'000, std::chrono::seconds(1));
  KeyPicker pick;
  for (auto _ : state) benchmark::DoNotOptimize(recipe.request_is_limited(pick.next()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassicRecipe_Check)->UseRealTime()->MinTime(3);

}  // namespace

BENCHMARK_MAIN();
