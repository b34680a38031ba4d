// The cpp-httplib adapter over real loopback HTTP: a server in this process,
// requests from cpp-httplib's client.
#include "gcra/httplib.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gcra/failover_store.hpp"
#include "gcra/memory_store.hpp"
#include "http/fakes.hpp"
#include "http/loopback_server.hpp"

namespace gcra::httplib {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FlakyStore;
using testing::LoopbackServer;
using testing::RecordingStore;

void hello(const Request&, Response& res) { res.set_content("hello\n", "text/plain"); }

::httplib::Headers as_user(const std::string& id) { return {{"X-User-Id", id}}; }

// Every value of `name` in the response, so that a duplicated field shows.
std::vector<std::string> values(const ::httplib::Result& r, const std::string& name) {
  std::vector<std::string> out;
  const auto [first, last] = r->headers.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}
using Values = std::vector<std::string>;

class HttplibTest : public ::testing::Test {
 protected:
  ManualClock clock{1000s};
  MemoryStore store{{}, clock};
};

TEST_F(HttplibTest, The101stRequestInAMinuteIsRefusedWithExactlyTheStandardFields) {
  const http::Guard guard(store, Policy::parse("100/minute;1000/hour").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(guard));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  for (int i = 0; i < 100; ++i) {
    auto r = client.Get("/hello", as_user("alice"));
    ASSERT_TRUE(r) << to_string(r.error());
    ASSERT_EQ(r->status, 200) << i;
    EXPECT_EQ(r->body, "hello\n");
    const int t = i == 99 ? 1 : ((i + 1) * 6 + 9) / 10;  // see GuardTest
    EXPECT_EQ(values(r, "RateLimit"),
              Values{"\"minute\";r=" + std::to_string(99 - i) + ";t=" + std::to_string(t)});
  }
  auto r = client.Get("/hello", as_user("alice"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(values(r, "RateLimit-Policy"), Values{R"("minute";q=100;w=60, "hour";q=1000;w=3600)"});
  EXPECT_EQ(values(r, "RateLimit"), Values{R"("minute";r=0;t=1)"});
  EXPECT_EQ(values(r, "Retry-After"), Values{"1"});
  EXPECT_EQ(values(r, "Content-Type"), Values{"application/problem+json"});
  EXPECT_FALSE(r->has_header("X-RateLimit-Limit")) << "legacy fields are off by default";
  const json body = json::parse(r->body);
  EXPECT_EQ(body["type"], "https://iana.org/assignments/http-problem-types#quota-exceeded");
  EXPECT_EQ(body["status"], 429);
  EXPECT_EQ(body["violated-policies"], json::array({"minute"}));

  EXPECT_EQ(client.Get("/hello", as_user("bob"))->status, 200) << "users count apart";
  clock.advance(600ms);
  EXPECT_EQ(client.Get("/hello", as_user("alice"))->status, 200) << "one more fits after 0.6 s";
}

TEST_F(HttplibTest, OnlyDecoratedRoutesAreLimited) {
  const Limiter limiter(store, Policy::parse("2/minute", "limited").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.Get("/limited", throttle(limiter, hello));
    svr.Get("/free", hello);
  });
  auto client = server.client();
  EXPECT_EQ(client.Get("/limited", as_user("u"))->status, 200);
  EXPECT_EQ(client.Get("/limited", as_user("u"))->status, 200);
  auto refused = client.Get("/limited", as_user("u"));
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(values(refused, "Retry-After"), Values{"30"});
  EXPECT_EQ(refused->body.find("hello"), std::string::npos) << "the handler did not run";
  for (int i = 0; i < 5; ++i) {
    auto free = client.Get("/free", as_user("u"));
    EXPECT_EQ(free->status, 200);
    EXPECT_FALSE(free->has_header("RateLimit"));
  }
}

TEST_F(HttplibTest, DecoratedRoutesShareAPolicyOrHaveTheirOwn) {
  const http::Guard shared(store, Policy::parse("3/minute", "shared").value());
  const Limiter own(store, Policy::parse("1/minute", "own").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.Get("/a", throttle(shared, hello));
    svr.Get("/b", throttle(shared, hello));
    svr.Get("/c", throttle(own, hello));
  });
  auto client = server.client();
  EXPECT_EQ(client.Get("/a", as_user("u"))->status, 200);
  EXPECT_EQ(client.Get("/b", as_user("u"))->status, 200);
  EXPECT_EQ(client.Get("/a", as_user("u"))->status, 200);
  EXPECT_EQ(client.Get("/b", as_user("u"))->status, 429) << "/a and /b draw on one quota";
  EXPECT_EQ(client.Get("/c", as_user("u"))->status, 200) << "/c has its own";
  EXPECT_EQ(client.Get("/c", as_user("u"))->status, 429);
}

TEST_F(HttplibTest, ARequestPassingTheGlobalPolicyIsStillLimitedByItsRoute) {
  const http::Guard global(store, Policy::parse("5/minute", "global").value());
  const http::Guard route(store, Policy::parse("2/minute", "hello").value(),
                          {.headers = {.item_prefix = "hello-"}});
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(global));
    svr.Get("/hello", throttle(route, hello));
    svr.Get("/other", hello);
  });
  auto client = server.client();
  auto first = client.Get("/hello", as_user("u"));
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(values(first, "RateLimit-Policy"),
            Values{R"("minute";q=5;w=60, "hello-minute";q=2;w=60)"});
  EXPECT_EQ(values(first, "RateLimit"), Values{R"("minute";r=4;t=12, "hello-minute";r=1;t=30)"});
  EXPECT_EQ(client.Get("/hello", as_user("u"))->status, 200);

  auto route_refused = client.Get("/hello", as_user("u"));
  EXPECT_EQ(route_refused->status, 429) << "global admits its 3rd, the route refuses";
  EXPECT_EQ(values(route_refused, "RateLimit"),
            Values{R"("minute";r=2;t=36, "hello-minute";r=0;t=30)"});
  EXPECT_EQ(values(route_refused, "Retry-After"), Values{"30"});
  EXPECT_EQ(json::parse(route_refused->body)["violated-policies"], json::array({"hello-minute"}));

  EXPECT_EQ(client.Get("/other", as_user("u"))->status, 200);
  EXPECT_EQ(client.Get("/other", as_user("u"))->status, 200);
  auto global_refused = client.Get("/other", as_user("u"));
  EXPECT_EQ(global_refused->status, 429) << "the global policy covers undecorated routes";
  EXPECT_EQ(values(global_refused, "RateLimit"), Values{R"("minute";r=0;t=12)"});
}

TEST_F(HttplibTest, SameNamedItemsFromTwoGuardsAreNotDuplicated) {
  const http::Guard global(store, Policy::parse("5/minute", "global").value());
  const http::Guard route(store, Policy::parse("2/minute", "route").value());  // no prefix
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(global));
    svr.Get("/hello", throttle(route, hello));
  });
  auto r = server.client().Get("/hello", as_user("u"));
  EXPECT_EQ(values(r, "RateLimit-Policy"), Values{R"("minute";q=2;w=60)"}) << "the route's replaces";
  EXPECT_EQ(values(r, "RateLimit"), Values{R"("minute";r=1;t=30)"});
}

TEST_F(HttplibTest, AnonymousRequestsPassUnlimitedByDefault) {
  const http::Guard guard(store, Policy::parse("1/minute").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(guard));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  for (int i = 0; i < 5; ++i) {
    auto r = client.Get("/hello");
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has_header("RateLimit"));
  }
  EXPECT_EQ(client.Get("/hello", as_user("u"))->status, 200);
  EXPECT_EQ(client.Get("/hello", as_user("u"))->status, 429);
}

TEST_F(HttplibTest, AnonymousRequestsCanHaveTheirOwnPerAddressPolicy) {
  const http::Guard users(store, Policy::parse("100/minute", "users").value());
  const http::Guard anonymous(store, Policy::parse("2/minute", "anonymous").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(users, {.anonymous = &anonymous}));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  EXPECT_EQ(client.Get("/hello")->status, 200);
  EXPECT_EQ(client.Get("/hello")->status, 200);
  auto refused = client.Get("/hello");
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(values(refused, "RateLimit-Policy"), Values{R"("minute";q=2;w=60)"});
  EXPECT_EQ(client.Get("/hello", as_user("u"))->status, 200) << "identified users are not anonymous";
  EXPECT_EQ(store.apply(anonymous.policy(), "ip:127.0.0.1", 0, Mode::peek)->remaining, 0u)
      << "anonymous requests are keyed by the client address";
}

TEST_F(HttplibTest, ForwardedForIsHonouredOnlyFromTrustedProxies) {
  const http::Guard users(store, Policy::parse("100/minute", "users").value());
  const http::Guard behind_proxy(store, Policy::parse("1/minute", "behind").value());
  const http::Guard direct(store, Policy::parse("1/minute", "direct").value());
  const auto loopback_proxy = http::TrustedProxies::parse({"127.0.0.0/8"}).value();
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.Get("/behind", throttle(users, hello,
                                {.anonymous = &behind_proxy,
                                 .anonymous_key = client_address_key(loopback_proxy)}));
    svr.Get("/direct", throttle(users, hello, {.anonymous = &direct}));
  });
  auto client = server.client();
  auto forwarded = [](const std::string& xff) { return ::httplib::Headers{{"X-Forwarded-For", xff}}; };

  // Through a trusted proxy (the peer, 127.0.0.1), each client counts apart.
  EXPECT_EQ(client.Get("/behind", forwarded("198.51.100.1"))->status, 200);
  EXPECT_EQ(client.Get("/behind", forwarded("198.51.100.2"))->status, 200);
  EXPECT_EQ(client.Get("/behind", forwarded("198.51.100.1"))->status, 429);
  EXPECT_EQ(client.Get("/behind", forwarded("203.0.113.5, 198.51.100.1"))->status, 429)
      << "a spoofed entry left of the proxy's does not help";
  EXPECT_EQ(client.Get("/behind", forwarded("2001:db8:1:2::1"))->status, 200);
  EXPECT_EQ(client.Get("/behind", forwarded("2001:db8:1:2::ffff"))->status, 429)
      << "one IPv6 /64 is one client";

  // Without trusted proxies the header is ignored: rotating it does not help.
  EXPECT_EQ(client.Get("/direct", forwarded("198.51.100.1"))->status, 200);
  EXPECT_EQ(client.Get("/direct", forwarded("198.51.100.2"))->status, 429);
}

TEST_F(HttplibTest, ApiKeysAreHashedBeforeTheyBecomeStoreKeys) {
  RecordingStore recording(store);
  const http::Guard guard(recording, Policy::parse("2/minute").value());
  const std::string secret = "sk_live_9Xq2ZpR7tLw3";
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(guard, {.key = api_key_header("X-Api-Key")}));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  const ::httplib::Headers with_key{{"X-Api-Key", secret}};
  EXPECT_EQ(client.Get("/hello", with_key)->status, 200);
  EXPECT_EQ(client.Get("/hello", with_key)->status, 200);
  EXPECT_EQ(client.Get("/hello", with_key)->status, 429);
  EXPECT_EQ(client.Get("/hello", {{"X-Api-Key", secret + "2"}})->status, 200);

  const auto keys = recording.keys();
  ASSERT_EQ(keys.size(), 4u);
  for (const auto& key : keys) {
    EXPECT_EQ(key.find(secret), std::string::npos) << key;
    EXPECT_EQ(key.rfind("apikey:", 0), 0u) << key;
  }
  EXPECT_EQ(keys[0], http::hash_api_key(secret));
}

struct StoreDownCase {
  FailurePolicy failure;
  int status;
  bool rate_limit_fields;
  std::string retry_after;
};

class HttplibStoreDownTest : public HttplibTest,
                             public ::testing::WithParamInterface<StoreDownCase> {};

TEST_P(HttplibStoreDownTest, TheFailurePolicyAnswersNever500) {
  const StoreDownCase& c = GetParam();
  FlakyStore flaky(store);
  FailoverStore failover(flaky, {.policy = c.failure, .local_clock = &clock});
  const http::Guard guard(failover, Policy::parse("100/minute").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(guard));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  ASSERT_EQ(client.Get("/hello", as_user("u"))->status, 200);
  flaky.set_down(true);
  for (int i = 0; i < 5; ++i) {  // before and after the circuit opens
    auto r = client.Get("/hello", as_user("u"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status);
    EXPECT_EQ(r->has_header("RateLimit"), c.rate_limit_fields);
    EXPECT_EQ(r->has_header("RateLimit-Policy"), c.rate_limit_fields);
    EXPECT_EQ(r->get_header_value("Retry-After"), c.retry_after);
  }
  flaky.set_down(false);
}

INSTANTIATE_TEST_SUITE_P(EachFailurePolicy, HttplibStoreDownTest,
                         ::testing::Values(StoreDownCase{FailurePolicy::allow, 200, false, ""},
                                           StoreDownCase{FailurePolicy::deny, 503, false, "1"},
                                           StoreDownCase{FailurePolicy::local, 200, true, ""}),
                         [](const auto& info) { return std::string(to_string(info.param.failure)); });

TEST_F(HttplibTest, AStoreErrorWithoutFailoverFailsOpenSilently) {
  FlakyStore flaky(store);
  flaky.set_down(true);
  const http::Guard guard(flaky, Policy::parse("1/minute").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(guard));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  for (int i = 0; i < 3; ++i) {
    auto r = client.Get("/hello", as_user("u"));
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has_header("RateLimit"));
    EXPECT_FALSE(r->has_header("Retry-After"));
  }
  EXPECT_EQ(flaky.calls(), 3);
}

TEST_F(HttplibTest, TheUsersOwnPreRoutingHandlerKeepsWorking) {
  const http::Guard guard(store, Policy::parse("1/minute").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(guard, {}, [](const Request& req, Response& res) {
      if (req.path != "/health") return HandlerResponse::Unhandled;
      res.set_content("ok\n", "text/plain");
      return HandlerResponse::Handled;
    }));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  auto health = client.Get("/health", as_user("u"));
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  EXPECT_EQ(client.Get("/health", as_user("u"))->status, 429) << "limited before the user's handler";
}

TEST_F(HttplibTest, AdmitCanBeCalledFromTheUsersOwnHandler) {
  const http::Guard guard(store, Policy::parse("1/minute").value());
  const RateLimit limit(guard);
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler([&](const Request& req, Response& res) {
      if (req.path == "/public") return HandlerResponse::Unhandled;
      return limit.admit(req, res) ? HandlerResponse::Unhandled : HandlerResponse::Handled;
    });
    svr.Get("/public", hello);
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  EXPECT_EQ(client.Get("/hello", as_user("u"))->status, 200);
  EXPECT_EQ(client.Get("/hello", as_user("u"))->status, 429);
  EXPECT_EQ(client.Get("/public", as_user("u"))->status, 200);
}

TEST_F(HttplibTest, FieldsOnAdmittedResponsesLegacyFieldsAndChaliceBodiesAreOptions) {
  const http::Guard quiet(store, Policy::parse("1/minute", "quiet").value(),
                          {.headers = {.on_allowed = false, .legacy = true},
                           .body_format = http::BodyFormat::chalice});
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(quiet));
    svr.Get("/hello", hello);
  });
  auto client = server.client();
  auto ok = client.Get("/hello", as_user("u"));
  EXPECT_EQ(ok->status, 200);
  EXPECT_FALSE(ok->has_header("RateLimit"));
  EXPECT_FALSE(ok->has_header("X-RateLimit-Limit"));
  auto refused = client.Get("/hello", as_user("u"));
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(values(refused, "X-RateLimit-Limit"), Values{"1"});
  EXPECT_EQ(values(refused, "X-RateLimit-Remaining"), Values{"0"});
  EXPECT_EQ(values(refused, "X-RateLimit-Reset"), Values{"60"});
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(refused->body)["Code"], "TooManyRequestsError");
}

TEST_F(HttplibTest, CostFunctionsChargeExpensiveRequestsMore) {
  const http::Guard guard(store, Policy::parse("10/minute").value());
  LoopbackServer server([&](::httplib::Server& svr) {
    svr.set_pre_routing_handler(middleware(
        guard, {.cost = [](const Request& req) -> std::uint64_t { return req.path == "/bulk" ? 6 : 1; }}));
    svr.Get("/bulk", hello);
  });
  auto client = server.client();
  EXPECT_EQ(client.Get("/bulk", as_user("u"))->status, 200);
  auto refused = client.Get("/bulk", as_user("u"));
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(values(refused, "RateLimit"), Values{R"("minute";r=4;t=12)"});
  EXPECT_EQ(values(refused, "Retry-After"), Values{"12"});
}

}  // namespace
}  // namespace gcra::httplib
