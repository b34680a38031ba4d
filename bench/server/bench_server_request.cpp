// What one POST /v1/check costs gcra-server apart from the network: parsing
// the JSON body, the decision on the in-memory store, the JSON answer with
// its RateLimit fields, the HTTP serialisation, and the metrics.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "api_json.hpp"
#include "api_settings.hpp"
#include "config.hpp"
#include "gcra/memory_store.hpp"
#include "http_response.hpp"
#include "metrics.hpp"

namespace gcra::server {
namespace {

const std::string kBody = R"({"policy": "api", "key": "user:4242", "cost": 1})";

struct Fixture {
  Fixture() : metrics(1) {
    LoadedConfig loaded = parse_config("policies:\n  api:\n    limits: \"100/second;5000/minute\"\n");
    config = std::move(*loaded.config);
    settings = std::make_unique<ApiSettings>(config, store, metrics);
  }
  MemoryStore store;
  Metrics metrics;
  Config config;
  std::unique_ptr<ApiSettings> settings;
};

void BM_ParseCheckBody(benchmark::State& state) {
  for (auto _ : state) {
    ParsedKeyRequests parsed = parse_key_requests(kBody, 1000, true);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseCheckBody);

void BM_DecisionToJson(benchmark::State& state) {
  Fixture f;
  const PolicyRuntime& policy = *f.settings->find("api");
  const Decision d = *f.store.apply(policy.policy(), "user:1", 1, Mode::check);
  std::string out;
  for (auto _ : state) {
    out.clear();
    ReportedDecision reported = report_decision(policy, d);
    append_decision_json(out, reported);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecisionToJson);

// Everything a /v1/check does on the in-memory store, for 10,000 keys.
void BM_WholeCheck(benchmark::State& state) {
  Fixture f;
  std::string wire;
  std::uint64_t n = 0;
  for (auto _ : state) {
    const std::string body = R"({"policy":"api","key":"user:)" + std::to_string(n++ % 10000) + R"("})";
    ParsedKeyRequests parsed = parse_key_requests(body, 1000, true);
    const PolicyRuntime& policy = *f.settings->find(parsed.items[0].policy);
    const Result<Decision> d = f.store.apply(policy.policy(), parsed.items[0].key, 1, Mode::check);
    ReportedDecision reported = report_decision(policy, *d);
    Response response;
    append_decision_json(response.body, reported);
    response.headers = std::move(reported.headers);
    serialize_response(response, true, false, false, wire);
    f.metrics.record_request(0, Endpoint::check, 200, std::chrono::microseconds(20));
    policy.counters->record(0, Outcome::allowed);
    benchmark::DoNotOptimize(wire);
  }
}
BENCHMARK(BM_WholeCheck);

}  // namespace
}  // namespace gcra::server
BENCHMARK_MAIN();
