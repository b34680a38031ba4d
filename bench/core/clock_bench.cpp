// What one clock read costs: the floor under every store decision that
// reads "now". For reference against the store benchmarks.
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "gcra/clock.hpp"

namespace {

void BM_StdSteadyClockNow(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(std::chrono::steady_clock::now());
}
BENCHMARK(BM_StdSteadyClockNow);

void BM_ClockGettimeMonotonicCoarse(benchmark::State& state) {
  timespec ts{};
  for (auto _ : state) {
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    benchmark::DoNotOptimize(ts);
  }
}
BENCHMARK(BM_ClockGettimeMonotonicCoarse);

#if defined(__x86_64__)
// The raw time-stamp counter (what a TSC-based clock would read): the floor
// for any clock precise to the microsecond on x86-64.
void BM_Rdtsc(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(__rdtsc());
}
BENCHMARK(BM_Rdtsc);
#endif

// gcra's clocks through the virtual interface, as a store calls them.
void BM_GcraClockNow(benchmark::State& state, const gcra::Clock& clock) {
  for (auto _ : state) benchmark::DoNotOptimize(clock.now());
}
const gcra::ManualClock kManualClock{gcra::Instant{1'000'000'000}};
BENCHMARK_CAPTURE(BM_GcraClockNow, SteadyClock, gcra::SteadyClock::instance());
BENCHMARK_CAPTURE(BM_GcraClockNow, CoarseClock, gcra::CoarseClock::instance());
BENCHMARK_CAPTURE(BM_GcraClockNow, ManualClock, kManualClock);

}  // namespace
