// MemoryStore checks through gcra::Limiter, as an application makes them:
// one hot key, one hot key per thread, and 1,000,000 keys in random order;
// 1 and 2 threads; with SteadyClock (the default, precise to the ns),
// CoarseClock (cheaper, ticks of a few ms) and a frozen ManualClock (no
// clock cost at all, to isolate it).
// Targets: hot key <= 35 ns with a clock precise to the microsecond;
// 1,000,000 keys < 100 ns; 2 threads on distinct keys >= 1.8x one thread.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "gcra/limiter.hpp"
#include "gcra/memory_store.hpp"

namespace {

enum ClockKind : int { kSteady = 0, kCoarse = 1, kManual = 2 };
constexpr const char* kClockNames[] = {"SteadyClock", "CoarseClock", "ManualClock"};

const gcra::Clock& clock_of(std::int64_t kind) {
  static const gcra::ManualClock frozen{gcra::Instant{1'000'000'000}};
  switch (kind) {
    case kSteady: return gcra::SteadyClock::instance();
    case kCoarse: return gcra::CoarseClock::instance();
    default: return frozen;
  }
}

// A small, fast generator for random key indexes (xorshift64*).
struct Random {
  std::uint64_t s;
  std::uint64_t next() noexcept {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dULL;
  }
  // Uniform in [0, n) without a division.
  std::uint64_t below(std::uint64_t n) noexcept { return ((next() >> 32) * n) >> 32; }
};

// ---- One hot key -----------------------------------------------------------

// T = 1 ns and a burst of 10^9: always admitted, even on the frozen clock
// for the first 10^9 checks, so every run measures the admitting path.
const gcra::Policy& hot_policy() {
  static const gcra::Policy policy = *gcra::Policy::parse("1000000000/second");
  return policy;
}

std::unique_ptr<gcra::MemoryStore> g_hot_store;  // made fresh for each run

void hot_setup(const benchmark::State& state) {
  g_hot_store = std::make_unique<gcra::MemoryStore>(gcra::MemoryStoreOptions{}, clock_of(state.range(0)));
}
void hot_teardown(const benchmark::State&) { g_hot_store.reset(); }

void BM_CheckHotKey(benchmark::State& state) {
  gcra::Limiter limiter(*g_hot_store, hot_policy());
  for (auto _ : state) {
    auto d = limiter.check("user:42");
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(kClockNames[state.range(0)]);
}
BENCHMARK(BM_CheckHotKey)
    ->ArgName("clock")->Arg(kSteady)->Arg(kCoarse)->Arg(kManual)
    ->Setup(hot_setup)->Teardown(hot_teardown)
    ->Threads(1)->Threads(2)->UseRealTime();

// Each thread its own hot key: distinct keys without cache misses.
void BM_CheckHotKeyPerThread(benchmark::State& state) {
  gcra::Limiter limiter(*g_hot_store, hot_policy());
  const std::string key = "user:" + std::to_string(state.thread_index());
  for (auto _ : state) {
    auto d = limiter.check(key);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(kClockNames[state.range(0)]);
}
BENCHMARK(BM_CheckHotKeyPerThread)
    ->ArgName("clock")->Arg(kSteady)->Arg(kManual)
    ->Setup(hot_setup)->Teardown(hot_teardown)
    ->Threads(1)->Threads(2)->UseRealTime();

// ---- 1,000,000 keys ----------------------------------------------------------

constexpr std::size_t kKeyCount = 1'000'000;

// Writes key number i, "user:0001234" (12 bytes), into `out`. The caller
// builds the key text from the index as a server would from a request,
// rather than reading it from a table of 1,000,000 strings: that table's
// cache misses are not the store's.
std::string_view key_text(std::uint64_t i, char (&out)[12]) noexcept {
  std::memcpy(out, "user:", 5);
  for (int d = 11; d >= 5; --d, i /= 10) out[d] = static_cast<char>('0' + i % 10);
  return {out, sizeof out};
}

// T = 3.6 s with a burst of 10^6: every key is booked an hour ahead when the
// store is filled (cost 1000), so none goes idle during the runs, and every
// check of the runs is admitted.
const gcra::Policy& many_policy() {
  static const gcra::Policy policy = *gcra::Policy::parse("1000/hour burst 1000000");
  return policy;
}

// Filled once per clock and kept for every run, 1 and 2 threads alike.
std::array<std::unique_ptr<gcra::MemoryStore>, 3> g_many_stores;

void many_setup(const benchmark::State& state) {
  auto& store = g_many_stores[static_cast<std::size_t>(state.range(0))];
  if (store) return;
  store = std::make_unique<gcra::MemoryStore>(gcra::MemoryStoreOptions{}, clock_of(state.range(0)));
  char buffer[12];
  for (std::uint64_t i = 0; i < kKeyCount; ++i) {
    if (!store->apply(many_policy(), key_text(i, buffer), 1000, gcra::Mode::check)) std::abort();
  }
}

// Thread t of n checks random keys whose index is t modulo n: threads never
// share a key (they may share a shard).
void BM_CheckMillionKeys(benchmark::State& state) {
  gcra::MemoryStore& store = *g_many_stores[static_cast<std::size_t>(state.range(0))];
  gcra::Limiter limiter(store, many_policy());
  const auto threads = static_cast<std::uint64_t>(state.threads());
  const auto me = static_cast<std::uint64_t>(state.thread_index());
  Random random{0x9e3779b97f4a7c15ULL * (me + 1)};
  const std::uint64_t per_thread = kKeyCount / threads;
  char buffer[12];
  for (auto _ : state) {
    auto d = limiter.check(key_text(random.below(per_thread) * threads + me, buffer));
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(kClockNames[state.range(0)]);
  if (state.thread_index() == 0) state.counters["keys"] = static_cast<double>(store.size());
}
BENCHMARK(BM_CheckMillionKeys)
    ->ArgName("clock")->Arg(kSteady)->Arg(kCoarse)->Arg(kManual)
    ->Setup(many_setup)
    ->Threads(1)->Threads(2)->UseRealTime();

// The loop of BM_CheckMillionKeys without the check: its own overhead.
void BM_MakeRandomKeyOnly(benchmark::State& state) {
  Random random{0x9e3779b97f4a7c15ULL};
  char buffer[12];
  for (auto _ : state) {
    std::string_view key = key_text(random.below(kKeyCount), buffer);
    benchmark::DoNotOptimize(key.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MakeRandomKeyOnly);

}  // namespace
