// End to end under load from many client threads at once: every decision is
// counted exactly once, whichever I/O thread (and, on Redis, whichever store
// thread) it passed through. Labelled `concurrency`: the TSan build runs it
// against a TSan-built server, whose exit status reports any race.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "server/http_client.hpp"
#include "server/server_process.hpp"
#include "support/redis_server.hpp"

namespace gcra::testing {
namespace {

using json = nlohmann::json;

// 8 clients x 40 requests on one key of burst 100, half through /v1/check,
// half through forward-auth: exactly 100 are admitted.
void hammer_one_key(int port) {
  std::atomic<int> allowed{0};
  std::atomic<int> denied{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      try {
        HttpClient client(port);
        for (int i = 0; i < 40; ++i) {
          if ((c + i) % 2 == 0) {
            const HttpReply r = client.post("/v1/check", R"({"policy":"api","key":"hot"})");
            if (r.status != 200) { ++errors; continue; }
            (json::parse(r.body)["allowed"].get<bool>() ? allowed : denied)++;
          } else {
            const HttpReply r = client.get("/v1/forward-auth/api", {{"X-User-Id", "hot"}});
            if (r.status == 200) ++allowed; else if (r.status == 429) ++denied; else ++errors;
          }
        }
      } catch (const std::exception&) {
        ++errors;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(allowed.load(), 100);
  EXPECT_EQ(denied.load(), 220);
  const std::string metrics = http_request(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("gcra_decisions_total{policy=\"api\",outcome=\"allowed\"} 100"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gcra_decisions_total{policy=\"api\",outcome=\"denied\"} 220"), std::string::npos) << metrics;
}

const char* const kPolicies = R"(
threads: 2
policies:
  api:
    limits: "100/hour"
    identity: header:X-User-Id
)";

TEST(ServerUnderLoad, EveryDecisionOnTheMemoryStoreIsCountedOnce) {
  ServerProcess server(kPolicies);
  hammer_one_key(server.port());
}

TEST(ServerUnderLoad, EveryDecisionOnRedisIsCountedOnce) {
  RedisServer redis;
  ServerProcess server("store: " + redis.url() + "\nstore_timeout: 1s\ndeny_cache: false\n" + kPolicies);
  hammer_one_key(server.port());
}

TEST(ServerUnderLoad, ReloadsDuringTrafficLoseNothing) {
  ServerProcess server(kPolicies);
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    while (!stop.load()) {
      server.signal(SIGHUP);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  hammer_one_key(server.port());
  stop = true;
  reloader.join();
}

}  // namespace
}  // namespace gcra::testing
