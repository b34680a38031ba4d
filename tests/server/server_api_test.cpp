// End to end: the real gcra-server binary over loopback, every endpoint.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "server/http_client.hpp"
#include "server/server_process.hpp"

namespace gcra::testing {
namespace {

using json = nlohmann::json;

const char* const kConfig = R"(
admin_token_file: TOKEN_FILE
trusted_proxies: [127.0.0.1/32]
policies:
  api:
    limits: "5/minute;100/hour"
    identity: header:X-User-Id
    anonymous: "2/minute"
  strict:
    limits: "3/minute"
    identity: address
    deny_status: 403
  shadowed:
    limits: "2/minute"
    identity: header:X-User-Id
    shadow: true
)";

// One server for the whole suite; tests use distinct keys.
class ServerApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    token_dir_ = new TempDir();
    write_file(token_dir_->file("token"), "s3cret-admin-token\n");
    std::string config = kConfig;
    config.replace(config.find("TOKEN_FILE"), 10, token_dir_->file("token"));
    server_ = new ServerProcess(config);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete token_dir_;
  }
  static int port() { return server_->port(); }
  static HttpReply check(const std::string& body) { return http_request(port(), "POST", "/v1/check", body); }

  static ServerProcess* server_;
  static TempDir* token_dir_;
};
ServerProcess* ServerApi::server_ = nullptr;
TempDir* ServerApi::token_dir_ = nullptr;

TEST_F(ServerApi, CheckAdmitsAndReportsTheDecisionWithRateLimitHeaders) {
  const HttpReply reply = check(R"({"policy": "api", "key": "user:check-1", "cost": 1})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  const json body = json::parse(reply.body);
  EXPECT_EQ(body["allowed"], true);
  EXPECT_EQ(body["policy"], "api");
  EXPECT_EQ(body["limit"], 5);
  EXPECT_EQ(body["remaining"], 4);
  EXPECT_EQ(body["retry_after_ms"], 0);
  EXPECT_EQ(body["reset_after_ms"], 36000);  // the hour rate: one request books 36 s
  EXPECT_EQ(body["rate"], "5/minute");
  EXPECT_EQ(body["source"], "store");
  EXPECT_EQ(reply.header("ratelimit-policy"), R"("minute";q=5;w=60, "hour";q=100;w=3600)");
  EXPECT_EQ(reply.header("ratelimit"), R"("minute";r=4;t=12)");
  EXPECT_EQ(body["headers"]["RateLimit"], reply.header("ratelimit"));
  EXPECT_FALSE(reply.has("retry-after"));
}

TEST_F(ServerApi, CheckAnswersADenialWith200AndTheWait) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(json::parse(check(R"({"policy":"api","key":"user:deny"})").body)["allowed"], true);
  const HttpReply reply = check(R"({"policy":"api","key":"user:deny"})");
  ASSERT_EQ(reply.status, 200);
  const json body = json::parse(reply.body);
  EXPECT_EQ(body["allowed"], false);
  EXPECT_EQ(body["remaining"], 0);
  // 5/minute: one request every 12 s; the wait is just under 12 s.
  EXPECT_GT(body["retry_after_ms"].get<long>(), 10'000);
  EXPECT_LE(body["retry_after_ms"].get<long>(), 12'000);
  EXPECT_EQ(reply.header("retry-after"), "12");
  EXPECT_EQ(body["headers"]["Retry-After"], "12");
}

TEST_F(ServerApi, CheckOfAnArrayDecidesEachObjectInOrder) {
  const HttpReply reply = check(
      R"([{"policy":"api","key":"user:batch","cost":2},{"policy":"strict","key":"10.1.1.1","cost":4},{"policy":"api","key":"user:batch"}])");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json body = json::parse(reply.body);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 3u);
  EXPECT_EQ(body[0]["remaining"], 3);
  EXPECT_EQ(body[1]["allowed"], false);  // cost 4 > burst 3: never
  EXPECT_TRUE(body[1]["retry_after_ms"].is_null());
  EXPECT_EQ(body[1]["exceeds_burst"], true);
  EXPECT_EQ(body[2]["remaining"], 2);
  EXPECT_FALSE(reply.has("ratelimit"));  // headers are per object in a batch
  EXPECT_TRUE(body[2]["headers"].contains("RateLimit"));
}

TEST_F(ServerApi, PeekReportsWithoutConsuming) {
  ASSERT_EQ(check(R"({"policy":"api","key":"user:peek","cost":3})").status, 200);
  for (int i = 0; i < 3; ++i) {
    const HttpReply reply = http_request(port(), "POST", "/v1/peek", R"({"policy":"api","key":"user:peek"})");
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(json::parse(reply.body)["remaining"], 2);
  }
}

TEST_F(ServerApi, ResetNeedsTheAdminBearerToken) {
  for (int i = 0; i < 5; ++i) (void)check(R"({"policy":"api","key":"user:reset"})");
  const std::string body = R"({"policy":"api","key":"user:reset"})";
  HttpReply reply = http_request(port(), "POST", "/v1/reset", body);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.header("www-authenticate"), "Bearer realm=\"gcra-admin\"");
  reply = http_request(port(), "POST", "/v1/reset", body, {{"Authorization", "Bearer s3cret-admin-tokem"}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(json::parse(check(body).body)["allowed"], false);

  reply = http_request(port(), "POST", "/v1/reset", body, {{"Authorization", "Bearer s3cret-admin-token"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["reset"], true);
  EXPECT_EQ(json::parse(check(body).body)["remaining"], 4);
}

TEST_F(ServerApi, ForwardAuthLimitsEachHeaderIdentity) {
  const std::string target = "/v1/forward-auth/api";
  for (int i = 0; i < 5; ++i) {
    const HttpReply reply = http_request(port(), "GET", target, {}, {{"X-User-Id", "fa-alice"}});
    ASSERT_EQ(reply.status, 200) << i;
    EXPECT_TRUE(reply.has("ratelimit"));
    EXPECT_TRUE(reply.body.empty());
  }
  const HttpReply denied = http_request(port(), "GET", target, {}, {{"X-User-Id", "fa-alice"}});
  EXPECT_EQ(denied.status, 429);
  EXPECT_EQ(denied.header("retry-after"), "12");
  EXPECT_EQ(denied.header("ratelimit"), R"("minute";r=0;t=12)");
  EXPECT_EQ(denied.header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(denied.body)["status"], 429);
  EXPECT_EQ(http_request(port(), "GET", target, {}, {{"X-User-Id", "fa-bob"}}).status, 200);
}

TEST_F(ServerApi, ForwardAuthTakesAnyMethodAndAPathSuffix) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "GET"}) {
    const HttpReply reply =
        http_request(port(), method, "/v1/forward-auth/api/orders/7?x=1", {}, {{"X-User-Id", "fa-methods"}});
    EXPECT_EQ(reply.status, 200) << method;
  }
  EXPECT_EQ(http_request(port(), "GET", "/v1/forward-auth/api", {}, {{"X-User-Id", "fa-methods"}}).status, 429);
  const HttpReply head = http_request(port(), "HEAD", "/v1/forward-auth/api", {}, {{"X-User-Id", "fa-methods"}});
  EXPECT_EQ(head.status, 429);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(ServerApi, ForwardAuthFallsBackToTheAnonymousPolicyByAddress) {
  // X-Forwarded-For is believed: the peer (127.0.0.1) is a trusted proxy.
  const std::vector<std::pair<std::string, std::string>> from{{"X-Forwarded-For", "198.51.100.7"}};
  EXPECT_EQ(http_request(port(), "GET", "/v1/forward-auth/api", {}, from).status, 200);
  const HttpReply second = http_request(port(), "GET", "/v1/forward-auth/api", {}, from);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.header("ratelimit-policy"), R"("minute";q=2;w=60)");
  EXPECT_EQ(http_request(port(), "GET", "/v1/forward-auth/api", {}, from).status, 429);
  // Another address has its own allowance.
  EXPECT_EQ(http_request(port(), "GET", "/v1/forward-auth/api", {}, {{"X-Forwarded-For", "198.51.100.8"}}).status, 200);
  // The anonymous policy's state can be peeked by its name.
  const HttpReply peek = http_request(port(), "POST", "/v1/peek", R"({"policy":"api:anonymous","key":"198.51.100.7"})");
  ASSERT_EQ(peek.status, 200) << peek.body;
  EXPECT_EQ(json::parse(peek.body)["remaining"], 0);
}

TEST_F(ServerApi, ForwardAuthWithoutIdentityOrAnonymousPolicyIs401) {
  const HttpReply reply = http_request(port(), "GET", "/v1/forward-auth/shadowed");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(json::parse(reply.body)["error"], "missing_identity");
}

TEST_F(ServerApi, ForwardAuthByAddressAnswersTheConfiguredDenyStatus) {
  const std::vector<std::pair<std::string, std::string>> from{{"X-Forwarded-For", "203.0.113.50"}};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(http_request(port(), "GET", "/v1/forward-auth/strict", {}, from).status, 200);
  const HttpReply denied = http_request(port(), "GET", "/v1/forward-auth/strict", {}, from);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.header("retry-after"), "20");
}

TEST_F(ServerApi, ShadowModeCountsDenialsButNeverDenies) {
  for (int i = 0; i < 4; ++i) {
    const HttpReply reply = http_request(port(), "GET", "/v1/forward-auth/shadowed", {}, {{"X-User-Id", "shadow-1"}});
    EXPECT_EQ(reply.status, 200);
    EXPECT_FALSE(reply.has("retry-after"));
  }
  const HttpReply checked = check(R"({"policy":"shadowed","key":"shadow-1"})");
  const json body = json::parse(checked.body);
  EXPECT_EQ(body["allowed"], true);
  EXPECT_EQ(body["shadow"], true);
  EXPECT_EQ(body["shadow_denied"], true);
  EXPECT_FALSE(checked.has("retry-after"));
  const std::string metrics = http_request(port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("gcra_shadow_denials_total{policy=\"shadowed\"} 3"), std::string::npos) << metrics;
}

TEST_F(ServerApi, MetricsExposeDecisionsRequestsAndLatency) {
  (void)check(R"({"policy":"api","key":"user:metrics"})");
  const HttpReply reply = http_request(port(), "GET", "/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const char* expected :
       {"# TYPE gcra_decisions_total counter", "gcra_decisions_total{policy=\"api\",outcome=\"allowed\"} ",
        "gcra_decisions_total{policy=\"api\",outcome=\"denied\"} ", "gcra_store_errors_total 0",
        "gcra_store_fallbacks_total{mode=\"local\"} 0", "gcra_deny_cache_hits_total 0",
        "gcra_http_requests_total{endpoint=\"check\",code=\"200\"} ",
        "# TYPE gcra_http_request_duration_seconds histogram",
        "gcra_http_request_duration_seconds_bucket{endpoint=\"check\",le=\"+Inf\"} ",
        "gcra_connections_open "}) {
    EXPECT_NE(reply.body.find(expected), std::string::npos) << expected;
  }
}

TEST_F(ServerApi, HealthAndReadinessAnswer200OnTheMemoryStore) {
  EXPECT_EQ(json::parse(http_request(port(), "GET", "/healthz").body)["status"], "ok");
  const HttpReply ready = http_request(port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body)["status"], "ready");
}

TEST_F(ServerApi, OneConnectionCarriesManyRequests) {
  HttpClient client(port());
  for (int i = 0; i < 20; ++i) {
    const HttpReply reply = client.post("/v1/peek", R"({"policy":"api","key":"user:keepalive"})");
    ASSERT_EQ(reply.status, 200) << i;
    EXPECT_FALSE(reply.has("connection"));
  }
}

// --- bad input: always a 4xx with a JSON error that says what is wrong ---

struct BadInput {
  const char* name;
  const char* method;
  const char* target;
  std::string body;
  int status;
  const char* error;
  const char* message_part;
};

class ServerBadInput : public ServerApi, public ::testing::WithParamInterface<BadInput> {};

TEST_P(ServerBadInput, IsRefusedWithAJsonError) {
  const BadInput& in = GetParam();
  const HttpReply reply = http_request(port(), in.method, in.target, in.body);
  EXPECT_EQ(reply.status, in.status) << reply.body;
  const json body = json::parse(reply.body);
  EXPECT_EQ(body["error"], in.error);
  EXPECT_NE(body["message"].get<std::string>().find(in.message_part), std::string::npos) << body["message"];
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ServerBadInput,
    ::testing::Values(
        BadInput{"MalformedJson", "POST", "/v1/check", R"({"policy": "api", "key": )", 400, "invalid_json", "column"},
        BadInput{"EmptyBody", "POST", "/v1/check", "", 400, "invalid_request", "empty"},
        BadInput{"NotAnObject", "POST", "/v1/check", "42", 400, "invalid_request", "must be an object"},
        BadInput{"KeyOfWrongType", "POST", "/v1/check", R"({"policy":"api","key":42})", 400, "invalid_request", "key must be a string"},
        BadInput{"PolicyOfWrongType", "POST", "/v1/check", R"({"policy":["api"],"key":"k"})", 400, "invalid_request", "policy must be a string"},
        BadInput{"NegativeCost", "POST", "/v1/check", R"({"policy":"api","key":"k","cost":-1})", 400, "invalid_request", "negative"},
        BadInput{"FractionalCost", "POST", "/v1/check", R"({"policy":"api","key":"k","cost":1.5})", 400, "invalid_request", "whole number"},
        BadInput{"StringCost", "POST", "/v1/check", R"({"policy":"api","key":"k","cost":"1"})", 400, "invalid_request", "whole number"},
        BadInput{"UnknownPolicy", "POST", "/v1/check", R"({"policy":"nope","key":"k"})", 400, "unknown_policy", "'nope'"},
        BadInput{"MissingKey", "POST", "/v1/check", R"({"policy":"api"})", 400, "invalid_request", "key is missing"},
        BadInput{"MissingPolicy", "POST", "/v1/peek", R"({"key":"k"})", 400, "invalid_request", "policy is missing"},
        BadInput{"EmptyKey", "POST", "/v1/check", R"({"policy":"api","key":""})", 400, "invalid_request", "empty"},
        BadInput{"OverLongKey", "POST", "/v1/check", R"({"policy":"api","key":")" + std::string(1025, 'k') + R"("})", 400, "key_too_long", "1025 bytes"},
        BadInput{"UnknownField", "POST", "/v1/check", R"({"policy":"api","key":"k","cots":2})", 400, "invalid_request", "'cots'"},
        BadInput{"EmptyArray", "POST", "/v1/check", "[]", 400, "invalid_request", "empty"},
        BadInput{"BadObjectInArray", "POST", "/v1/check", R"([{"policy":"api","key":"k"},{"policy":"api"}])", 400, "invalid_request", "[1].key is missing"},
        BadInput{"UnknownPolicyInPath", "GET", "/v1/forward-auth/nope", "", 404, "unknown_policy", "'nope'"},
        BadInput{"WrongMethod", "GET", "/v1/check", "", 405, "method_not_allowed", "POST"},
        BadInput{"UnknownPath", "GET", "/v2/anything", "", 404, "not_found", "/v1/check"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST_F(ServerApi, TooManyObjectsInOneArrayAreRefused) {
  std::string body = "[";
  for (int i = 0; i < 1001; ++i) body += std::string(i ? "," : "") + R"({"policy":"api","key":"k"})";
  body += "]";
  const HttpReply reply = check(body);
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("max_batch"), std::string::npos);
}

TEST_F(ServerApi, AnOversizedBodyIs413) {
  const std::string body = R"({"policy":"api","key":")" + std::string(70 * 1024, 'x') + R"("})";
  const HttpReply reply = check(body);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(json::parse(reply.body)["error"], "body_too_large");
  EXPECT_EQ(reply.header("connection"), "close");
}

TEST_F(ServerApi, TooManyHeadersIs431) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 150; ++i) headers.emplace_back("X-Filler-" + std::to_string(i), "1");
  const HttpReply reply = http_request(port(), "GET", "/healthz", {}, headers);
  EXPECT_EQ(reply.status, 431);
  EXPECT_EQ(json::parse(reply.body)["error"], "too_many_headers");
}

TEST_F(ServerApi, AnOversizedHeaderBlockIs431) {
  const HttpReply reply = http_request(port(), "GET", "/healthz", {}, {{"X-Big", std::string(20 * 1024, 'b')}});
  EXPECT_EQ(reply.status, 431);
  EXPECT_EQ(json::parse(reply.body)["error"], "headers_too_large");
}

TEST_F(ServerApi, MalformedHttpIs400AndTheServerCarriesOn) {
  RawConnection raw(port());
  ASSERT_TRUE(raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n"));
  const std::string reply = raw.read_until_closed(std::chrono::seconds(10));
  EXPECT_EQ(status_of(reply), 400) << reply;
  EXPECT_NE(reply.find("\"error\":\"bad_request\""), std::string::npos);
  EXPECT_EQ(http_request(port(), "GET", "/healthz").status, 200);
}

TEST_F(ServerApi, GarbageBytesNeverCrashTheServer) {
  for (const std::string& garbage : {std::string("\x00\x01\x02\xff\r\n\r\n", 8), std::string("POST / HTTP/9.9\r\n\r\n"),
                                    std::string("GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
                                    std::string("POST /v1/check HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    RawConnection raw(port());
    raw.send(garbage);
    (void)raw.read_until_closed(std::chrono::seconds(10));
  }
  EXPECT_EQ(http_request(port(), "GET", "/healthz").status, 200);
}

TEST_F(ServerApi, ExpectContinueIsAnswered) {
  RawConnection raw(port());
  const std::string body = R"({"policy":"api","key":"user:continue"})";
  ASSERT_TRUE(raw.send("POST /v1/check HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n"));
  const std::string interim = raw.read_until("\r\n\r\n", std::chrono::seconds(10));
  EXPECT_EQ(status_of(interim), 100) << interim;
  ASSERT_TRUE(raw.send(body));
  const std::string reply = raw.read_until("}}", std::chrono::seconds(10));
  EXPECT_NE(reply.find("HTTP/1.1 200 OK"), std::string::npos) << reply;
}

TEST_F(ServerApi, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection raw(port());
  ASSERT_TRUE(raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string replies = raw.read_until("ready", std::chrono::seconds(10));
  const std::size_t ok = replies.find("{\"status\":\"ok\"}");
  const std::size_t ready = replies.find("{\"status\":\"ready\"}");
  ASSERT_NE(ok, std::string::npos) << replies;
  ASSERT_NE(ready, std::string::npos) << replies;
  EXPECT_LT(ok, ready);
}

}  // namespace
}  // namespace gcra::testing
