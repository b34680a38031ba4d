// The pure GCRA decision: gcra::decide on a state in hand, no store, no
// clock read. Target: under 5 ns for one rate.
#include <benchmark/benchmark.h>

#include <array>

#include "gcra/core.hpp"

namespace {

const char* const kPolicies[] = {"100/minute", "100/minute;1000/hour;10000/day"};

gcra::Policy policy_for(const benchmark::State& state) {
  return *gcra::Policy::parse(kPolicies[state.range(0) == 1 ? 0 : 1]);
}

// Admitted every time: now moves on by the slowest rate's T per request,
// so each request finds room (the common case of a well-behaved client).
void BM_DecideAdmitted(benchmark::State& state) {
  const gcra::Policy policy = policy_for(state);
  std::int64_t step = 0;
  for (const gcra::Rate& r : policy.rates()) step = std::max(step, r.emission_interval().count());
  std::array<gcra::Tat, gcra::kMaxRatesPerPolicy> tats{};
  const std::span<gcra::Tat> state_span(tats.data(), policy.rates().size());
  std::int64_t now = 1;
  for (auto _ : state) {
    gcra::Decision d = gcra::decide(policy, state_span, gcra::Instant{now}, 1);
    benchmark::DoNotOptimize(d);
    now += step;
    if (now > gcra::kMaxInstant.count() / 2) {  // stay in range on long runs
      now = 1;
      tats.fill(0);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(policy.rates().size()) + (policy.rates().size() == 1 ? " rate" : " rates"));
}
BENCHMARK(BM_DecideAdmitted)->Arg(1)->Arg(3);
// A control for the two-thread store benchmarks: work that shares nothing,
// so its scaling from 1 to 2 threads is what the machine itself allows.
BENCHMARK(BM_DecideAdmitted)->Name("BM_DecideAdmittedPerThread")->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

// Denied every time: the clock stands still on a key with no room left.
void BM_DecideDenied(benchmark::State& state) {
  const gcra::Policy policy = policy_for(state);
  std::array<gcra::Tat, gcra::kMaxRatesPerPolicy> tats{};
  const std::span<gcra::Tat> state_span(tats.data(), policy.rates().size());
  const gcra::Instant now{1'000'000'000};
  while (gcra::decide(policy, state_span, now, 1).allowed) {
  }
  for (auto _ : state) {
    gcra::Decision d = gcra::decide(policy, state_span, now, 1);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(policy.rates().size()) + (policy.rates().size() == 1 ? " rate" : " rates"));
}
BENCHMARK(BM_DecideDenied)->Arg(1)->Arg(3);

}  // namespace
