// What one dependent memory access costs on this machine, by working-set
// size: a random cyclic pointer chase (each load needs the previous one).
// Context for the 1,000,000-key benchmark, whose lookups miss the caches.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <vector>

namespace {

void BM_DependentLoad(benchmark::State& state) {
  const std::size_t slots = static_cast<std::size_t>(state.range(0)) * 1024 * 1024 / sizeof(std::uint64_t);
  // Sattolo's algorithm: a random permutation that is one single cycle.
  std::vector<std::uint64_t> next(slots);
  std::iota(next.begin(), next.end(), std::uint64_t{0});
  std::uint64_t seed = 0x243f6a8885a308d3ULL;
  for (std::size_t i = slots - 1; i > 0; --i) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::size_t j = static_cast<std::size_t>((seed >> 33) % i);
    std::swap(next[i], next[j]);
  }
  std::uint64_t at = 0;
  for (auto _ : state) {
    at = next[at];
    benchmark::DoNotOptimize(at);
  }
  state.SetLabel(std::to_string(state.range(0)) + " MiB");
}
BENCHMARK(BM_DependentLoad)->ArgName("MiB")->Arg(1)->Arg(32)->Arg(128);

}  // namespace
