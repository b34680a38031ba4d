// A separate process for the Redis store's multi-process tests.
//
//   gcra_redis_test_client hammer <url> <prefix> <policy> <key> <threads> <attempts>
//       Each thread checks <key> <attempts> times; prints "admitted <n>".
//   gcra_redis_test_client check <url> <prefix> <policy> <key>
//       One check; prints the decision and this host's Unix time.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gcra/redis_store.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: gcra_redis_test_client hammer <url> <prefix> <policy> <key> <threads> <attempts>\n"
               "       gcra_redis_test_client check <url> <prefix> <policy> <key>\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) return usage();
  const std::string mode = argv[1];
  gcra::RedisStoreOptions options;
  options.url = argv[2];
  options.key_prefix = argv[3];
  options.connect_timeout = std::chrono::seconds(5);
  options.command_timeout = std::chrono::seconds(5);
  auto policy = gcra::Policy::parse(argv[4]);
  if (!policy) {
    std::fprintf(stderr, "%s\n", policy.error().to_string().c_str());
    return 2;
  }
  const std::string key = argv[5];

  if (mode == "hammer" && argc == 8) {
    const int threads = std::atoi(argv[6]);
    const int attempts = std::atoi(argv[7]);
    options.pool_size = static_cast<std::size_t>(threads);
    auto store = gcra::RedisStore::connect(options);
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
      return 1;
    }
    std::vector<std::thread> workers;
    std::vector<int> admitted(static_cast<std::size_t>(threads), 0);
    std::vector<int> failed(static_cast<std::size_t>(threads), 0);
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int i = 0; i < attempts; ++i) {
          auto d = (*store)->apply(*policy, key, 1, gcra::Mode::check);
          if (!d) {
            ++failed[static_cast<std::size_t>(t)];
          } else if (d->allowed) {
            ++admitted[static_cast<std::size_t>(t)];
          }
        }
      });
    }
    for (std::thread& w : workers) w.join();
    int total = 0, errors = 0;
    for (int t = 0; t < threads; ++t) {
      total += admitted[static_cast<std::size_t>(t)];
      errors += failed[static_cast<std::size_t>(t)];
    }
    std::printf("admitted %d errors %d\n", total, errors);
    return 0;
  }
  if (mode == "check" && argc == 6) {
    auto store = gcra::RedisStore::connect(options);
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
      return 1;
    }
    auto d = (*store)->apply(*policy, key, 1, gcra::Mode::check);
    if (!d) {
      std::fprintf(stderr, "%s\n", d.error().to_string().c_str());
      return 1;
    }
    const auto host_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::printf("allowed %d remaining %llu retry_after_ns %lld reset_after_ns %lld host_unix_s %lld\n",
                d->allowed ? 1 : 0, static_cast<unsigned long long>(d->remaining),
                static_cast<long long>(d->retry_after.count()), static_cast<long long>(d->reset_after.count()),
                static_cast<long long>(host_s));
    return 0;
  }
  return usage();
}
