// The cpp-httplib adapter's whole cost per request, without the network:
// key function, guard, and writing the fields into the response.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "gcra/httplib.hpp"
#include "gcra/memory_store.hpp"

namespace {

std::vector<httplib::Request> user_requests(int n) {
  std::vector<httplib::Request> requests(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    requests[static_cast<std::size_t>(i)].headers.emplace("X-User-Id", "user" + std::to_string(i));
  }
  return requests;
}

// The middleware alone: the hello_api benchmark's GET /.
void BM_MiddlewareAdmit(benchmark::State& state) {
  gcra::MemoryStore store;
  const gcra::http::Guard guard(store, gcra::Policy::parse("1000000000/minute").value());
  const gcra::httplib::RateLimit limit(guard);
  const auto requests = user_requests(10'000);
  std::size_t i = 0;
  for (auto _ : state) {
    httplib::Response res;
    benchmark::DoNotOptimize(limit.admit(requests[i++ % requests.size()], res));
  }
}
BENCHMARK(BM_MiddlewareAdmit);

// Middleware and route decorator, fields merged: the benchmark's GET /hello.
void BM_MiddlewareAndRouteAdmit(benchmark::State& state) {
  gcra::MemoryStore store;
  const gcra::http::Guard global(store, gcra::Policy::parse("1000000000/minute", "g").value());
  const gcra::http::Guard route(store, gcra::Policy::parse("1000000000/minute", "r").value(),
                                {.headers = {.item_prefix = "hello-"}});
  const gcra::httplib::RateLimit first(global);
  const gcra::httplib::RateLimit second(route);
  const auto requests = user_requests(10'000);
  std::size_t i = 0;
  for (auto _ : state) {
    httplib::Response res;
    const auto& req = requests[i++ % requests.size()];
    benchmark::DoNotOptimize(first.admit(req, res) && second.admit(req, res));
  }
}
BENCHMARK(BM_MiddlewareAndRouteAdmit);

}  // namespace
