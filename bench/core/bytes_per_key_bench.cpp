// Memory held by MemoryStore per key: the heap in use (malloc'ed and
// mmap'ed, as glibc's mallinfo2 reports it) after inserting 1,000,000 keys
// such as "user:1234567", minus before, divided by the keys. Reported as
// counters; the time of this "benchmark" is the insertion and means little.
// Target: at most 64 bytes per key plus the key itself.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gcra/memory_store.hpp"

namespace {

std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

const char* const kPolicies[] = {"1000/hour burst 1000000", "1000/hour burst 1000000;100000/day;1000000/week"};

void BM_BytesPerKey(benchmark::State& state) {
  constexpr std::size_t kKeys = 1'000'000;
  const gcra::Policy policy = *gcra::Policy::parse(kPolicies[state.range(0) == 1 ? 0 : 1]);
  std::vector<std::string> keys;
  keys.reserve(kKeys);
  char buffer[32];
  for (std::size_t i = 0; i < kKeys; ++i) {
    std::snprintf(buffer, sizeof buffer, "user:%07zu", i);
    keys.emplace_back(buffer);
  }
  const double key_bytes = static_cast<double>(keys[0].size());
  double per_key = 0;
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    gcra::MemoryStore store;
    for (const std::string& key : keys) {
      if (!store.apply(policy, key, 1000, gcra::Mode::check)) std::abort();
    }
    const std::size_t after = heap_in_use();
    if (store.size() != kKeys) std::abort();  // none went idle
    per_key = static_cast<double>(after - before) / kKeys;
  }
  state.counters["bytes_per_key"] = per_key;
  state.counters["key_bytes"] = key_bytes;
  state.counters["bytes_per_key_minus_key"] = per_key - key_bytes;
  state.SetLabel(std::to_string(policy.rates().size()) + (policy.rates().size() == 1 ? " rate" : " rates"));
}
BENCHMARK(BM_BytesPerKey)->ArgName("rates")->Arg(1)->Arg(3)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
