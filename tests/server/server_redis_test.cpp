// End to end on Redis: a real redis-server, shared by two gcra-servers,
// stopped and restarted under them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <thread>

#include "server/http_client.hpp"
#include "server/server_process.hpp"
#include "support/redis_server.hpp"

namespace gcra::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string redis_config(const RedisServer& redis, const std::string& failure, bool deny_cache) {
  return "store: " + redis.url() + "/0\nstore_failure: " + failure + "\nstore_timeout: 100ms\ndeny_cache: " +
         (deny_cache ? "true" : "false") + R"(
policies:
  api:
    limits: "5/minute"
    identity: header:X-User-Id
)";
}

json check(int port, const std::string& key, int cost = 1) {
  const HttpReply reply = http_request(port, "POST", "/v1/check",
                                       R"({"policy":"api","key":")" + key + R"(","cost":)" + std::to_string(cost) + "}");
  if (reply.status != 200) throw std::runtime_error(std::to_string(reply.status) + " " + reply.body);
  return json::parse(reply.body);
}

// Polls `condition` for up to `timeout`.
template <class F>
bool eventually(F condition, std::chrono::milliseconds timeout = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

TEST(ServerOnRedis, TwoServersShareEachKeysState) {
  RedisServer redis;
  ServerProcess a(redis_config(redis, "local", false));
  ServerProcess b(redis_config(redis, "local", false));
  EXPECT_EQ(check(a.port(), "user:shared", 3)["remaining"], 2);
  const json from_b = check(b.port(), "user:shared");
  EXPECT_EQ(from_b["remaining"], 1);
  EXPECT_EQ(from_b["source"], "store");
  EXPECT_EQ(http_request(a.port(), "GET", "/readyz").status, 200);
}

TEST(ServerOnRedis, BatchesForwardAuthAndResetGoThroughRedis) {
  RedisServer redis;
  TempDir dir;
  write_file(dir.file("token"), "tok");
  ServerProcess server(redis_config(redis, "local", false) + "admin_token_file: " + dir.file("token") + "\n");
  std::string batch = "[";
  for (int i = 0; i < 50; ++i) batch += std::string(i ? "," : "") + R"({"policy":"api","key":"user:b)" + std::to_string(i % 5) + R"("})";
  batch += "]";
  const HttpReply reply = http_request(server.port(), "POST", "/v1/check", batch);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json results = json::parse(reply.body);
  ASSERT_EQ(results.size(), 50u);
  int allowed = 0;
  for (const json& r : results) allowed += r["allowed"].get<bool>() ? 1 : 0;
  EXPECT_EQ(allowed, 25);  // 5 keys x burst 5, in order
  EXPECT_EQ(results[49]["allowed"], false);

  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(http_request(server.port(), "GET", "/v1/forward-auth/api", {}, {{"X-User-Id", "fa"}}).status, 200);
  }
  const HttpReply denied = http_request(server.port(), "GET", "/v1/forward-auth/api", {}, {{"X-User-Id", "fa"}});
  EXPECT_EQ(denied.status, 429);
  EXPECT_EQ(denied.header("retry-after"), "12");

  const HttpReply reset = http_request(server.port(), "POST", "/v1/reset", R"({"policy":"api","key":"fa"})",
                                       {{"Authorization", "Bearer tok"}});
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(http_request(server.port(), "GET", "/v1/forward-auth/api", {}, {{"X-User-Id", "fa"}}).status, 200);
}

TEST(ServerOnRedis, RepeatedDenialsAreAnsweredFromTheDenyCache) {
  RedisServer redis;
  ServerProcess server(redis_config(redis, "local", true));
  (void)check(server.port(), "user:cache", 5);
  EXPECT_EQ(check(server.port(), "user:cache")["source"], "store");  // the denial that is remembered
  const json cached = check(server.port(), "user:cache");
  EXPECT_EQ(cached["allowed"], false);
  EXPECT_EQ(cached["source"], "deny_cache");
  EXPECT_NE(http_request(server.port(), "GET", "/metrics").body.find("gcra_deny_cache_hits_total 1"), std::string::npos);
}

TEST(ServerOnRedis, RedisStoppedMidRunFallsBackToLocalDecisionsAndRecovers) {
  RedisServer redis;
  ServerProcess server(redis_config(redis, "local", false));
  EXPECT_EQ(check(server.port(), "user:outage")["source"], "store");

  redis.stop();
  // Every request is still answered, by the local store.
  const json during = check(server.port(), "user:outage");
  EXPECT_EQ(during["allowed"], true);
  EXPECT_EQ(during["source"], "fallback_local");
  EXPECT_EQ(http_request(server.port(), "GET", "/v1/forward-auth/api", {}, {{"X-User-Id", "u"}}).status, 200);
  EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 503);
  const std::string metrics = http_request(server.port(), "GET", "/metrics").body;
  EXPECT_EQ(metrics.find("gcra_store_fallbacks_total{mode=\"local\"} 0"), std::string::npos) << metrics;
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);

  redis.start();
  EXPECT_TRUE(eventually([&] { return http_request(server.port(), "GET", "/readyz").status == 200; }));
  EXPECT_TRUE(eventually([&] { return check(server.port(), "user:after")["source"] == "store"; }));
}

TEST(ServerOnRedis, FailClosedDeniesWhileRedisIsDown) {
  RedisServer redis;
  ServerProcess server(redis_config(redis, "deny", false));
  redis.stop();
  const json during = check(server.port(), "user:closed");
  EXPECT_EQ(during["allowed"], false);
  EXPECT_EQ(during["source"], "fallback_deny");
  const HttpReply auth = http_request(server.port(), "GET", "/v1/forward-auth/api", {}, {{"X-User-Id", "u"}});
  EXPECT_EQ(auth.status, 503);  // refused because the limiter cannot decide, not over quota
}

TEST(ServerOnRedis, FailOpenAdmitsWhileRedisIsDown) {
  RedisServer redis;
  ServerProcess server(redis_config(redis, "allow", false));
  redis.stop();
  const HttpReply auth = http_request(server.port(), "GET", "/v1/forward-auth/api", {}, {{"X-User-Id", "u"}});
  EXPECT_EQ(auth.status, 200);
  EXPECT_FALSE(auth.has("ratelimit"));  // nothing was counted
  EXPECT_EQ(check(server.port(), "user:open")["source"], "fallback_allow");
}

TEST(ServerOnRedis, StartsWhileRedisIsDownAndIsNotReady) {
  RedisServer redis;
  redis.stop();
  ServerProcess server(redis_config(redis, "local", false));
  EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 503);
  EXPECT_EQ(check(server.port(), "user:early")["source"], "fallback_local");
  redis.start();
  EXPECT_TRUE(eventually([&] { return check(server.port(), "user:late")["source"] == "store"; }));
}

}  // namespace
}  // namespace gcra::testing
