// What gcra::http adds per request, apart from HTTP itself: the guard's
// check on MemoryStore (store call, fields), formatting alone, client
// address resolution and API key hashing.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "gcra/core.hpp"
#include "gcra/http/guard.hpp"
#include "gcra/http/identity.hpp"
#include "gcra/memory_store.hpp"

namespace {

using namespace std::chrono_literals;

std::vector<std::string> user_keys(int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back("user:" + std::to_string(i));
  return keys;
}

// Admitted requests of 10,000 users under a policy they never exhaust.
void BM_GuardCheckAdmitted(benchmark::State& state) {
  gcra::MemoryStore store;
  const gcra::http::Guard guard(store, gcra::Policy::parse("1000000000/minute;1000000000/hour").value());
  const auto keys = user_keys(10'000);
  std::size_t i = 0;
  for (auto _ : state) {
    auto verdict = guard.check(keys[i++ % keys.size()]);
    benchmark::DoNotOptimize(verdict);
  }
}
BENCHMARK(BM_GuardCheckAdmitted);

// One user far over its quota: the refusal path (fields and problem+json).
void BM_GuardCheckRefused(benchmark::State& state) {
  gcra::MemoryStore store;
  const gcra::http::Guard guard(store, gcra::Policy::parse("1/hour").value());
  (void)guard.check("user:1");
  for (auto _ : state) {
    auto verdict = guard.check("user:1");
    benchmark::DoNotOptimize(verdict);
  }
}
BENCHMARK(BM_GuardCheckRefused);

void BM_HeaderFormatterFields(benchmark::State& state) {
  const gcra::Policy policy = gcra::Policy::parse("100/minute;1000/hour").value();
  const gcra::http::HeaderFormatter formatter(policy);
  std::vector<gcra::Tat> tats{0, 0};
  const gcra::Decision d = gcra::decide(policy, tats, 1000s, 1);
  for (auto _ : state) {
    auto fields = formatter.fields(d);
    benchmark::DoNotOptimize(fields);
  }
}
BENCHMARK(BM_HeaderFormatterFields);

void BM_ClientAddressBehindProxy(benchmark::State& state) {
  const auto trusted = gcra::http::TrustedProxies::parse({"10.0.0.0/8"}).value();
  for (auto _ : state) {
    auto address = gcra::http::client_address("10.0.0.2", "198.51.100.7, 10.1.1.1", trusted);
    benchmark::DoNotOptimize(address);
  }
}
BENCHMARK(BM_ClientAddressBehindProxy);

void BM_HashApiKey(benchmark::State& state) {
  const std::string key = "sk_live_5f2b9c0d8e7a6b5c4d3e2f1a0b9c8d7e";
  for (auto _ : state) {
    auto hashed = gcra::http::hash_api_key(key);
    benchmark::DoNotOptimize(hashed);
  }
}
BENCHMARK(BM_HashApiKey);

}  // namespace
