#include "gcra/http/api_gateway.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gcra/memory_store.hpp"

namespace gcra::http::api_gateway {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string event_file(const std::string& name) {
  std::ifstream in(std::string(GCRA_HTTP_EVENTS_DIR) + "/" + name);
  if (!in) throw std::runtime_error("missing event file " + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParseEvent, ReadsThePrincipalAndAddressOfEachPayloadFormat) {
  struct Case {
    std::string file;
    EventOptions options;
    PayloadFormat format;
    std::string principal;
    std::string source_ip;
    std::string method;
    std::string path;
  };
  const std::vector<Case> cases{
      {"rest_v1_lambda_authorizer.json", {}, PayloadFormat::v1, "user-123", "198.51.100.23", "GET",
       "/hello"},
      {"rest_v1_cognito_authorizer.json", {}, PayloadFormat::v1,
       "7f8e9d0c-1b2a-4c3d-9e8f-000000000042", "203.0.113.77", "POST", "/orders"},
      {"rest_v1_no_authorizer.json", {}, PayloadFormat::v1, "", "192.0.2.10", "GET", "/hello"},
      {"http_v2_jwt_authorizer.json", {}, PayloadFormat::v2, "auth0|5f9e1c", "2001:db8:aa:bb::7",
       "GET", "/hello"},
      {"http_v2_lambda_authorizer.json", {.context_key = "userId"}, PayloadFormat::v2, "4711",
       "198.51.100.99", "GET", "/hello"},
      {"http_v2_lambda_authorizer.json", {}, PayloadFormat::v2, "", "198.51.100.99", "GET",
       "/hello"},
      {"http_v2_no_authorizer.json", {}, PayloadFormat::v2, "", "::ffff:192.0.2.44", "GET",
       "/hello"},
      {"rest_v1_lambda_authorizer.json", {.context_key = "plan"}, PayloadFormat::v1, "user-123",
       "198.51.100.23", "GET", "/hello"},
  };
  for (const auto& c : cases) {
    const auto event = parse_event(event_file(c.file), c.options);
    ASSERT_TRUE(event) << c.file << ": " << event.error().message;
    EXPECT_EQ(event->format, c.format) << c.file;
    EXPECT_EQ(event->principal, c.principal) << c.file;
    EXPECT_EQ(event->source_ip, c.source_ip) << c.file;
    EXPECT_EQ(event->method, c.method) << c.file;
    EXPECT_EQ(event->path, c.path) << c.file;
  }
}

TEST(ParseEvent, RefusesWhatIsNotAProxyEvent) {
  for (const std::string bad : {"", "not json", "[]", "{}", R"({"requestContext": {}})",
                                R"({"version": "2.0", "requestContext": {}})",
                                R"({"httpMethod": "GET", "requestContext": 5})"}) {
    const auto event = parse_event(bad);
    ASSERT_FALSE(event) << bad;
    EXPECT_EQ(event.error().code, ErrorCode::invalid_argument);
  }
}

class CheckEventTest : public ::testing::Test {
 protected:
  ManualClock clock{1000s};
  MemoryStore store{{}, clock};
  Guard guard{store, Policy::parse("2/minute", "api").value()};
};

TEST_F(CheckEventTest, RefusesTheThirdRequestWithAProxyResponse) {
  for (const std::string file : {"rest_v1_lambda_authorizer.json", "http_v2_jwt_authorizer.json"}) {
    const std::string event = event_file(file);
    for (int i = 0; i < 2; ++i) {
      const auto outcome = check_event(guard, event);
      ASSERT_TRUE(outcome);
      EXPECT_TRUE(outcome->allowed);
      EXPECT_TRUE(outcome->response.empty());
      ASSERT_EQ(outcome->headers.size(), 2u) << "RateLimit-Policy and RateLimit for your response";
    }
    const auto outcome = check_event(guard, event);
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->allowed);
    const json response = json::parse(outcome->response);
    EXPECT_EQ(response["statusCode"], 429) << file;
    EXPECT_EQ(response["isBase64Encoded"], false);
    EXPECT_EQ(response["headers"]["Retry-After"], "30");
    EXPECT_EQ(response["headers"]["RateLimit"], R"("minute";r=0;t=30)");
    EXPECT_EQ(response["headers"]["RateLimit-Policy"], R"("minute";q=2;w=60)");
    EXPECT_EQ(response["headers"]["Content-Type"], "application/problem+json");
    const json body = json::parse(response["body"].get<std::string>());
    EXPECT_EQ(body["violated-policies"], json::array({"minute"}));
  }
}

TEST_F(CheckEventTest, KeysThePrincipalNotTheAddress) {
  check_event(guard, event_file("rest_v1_lambda_authorizer.json")).value();
  check_event(guard, event_file("rest_v1_lambda_authorizer.json")).value();
  EXPECT_EQ(store.apply(guard.policy(), "user:user-123", 0, Mode::peek)->remaining, 0u);
  EXPECT_TRUE(check_event(guard, event_file("rest_v1_cognito_authorizer.json"))->allowed);
}

TEST_F(CheckEventTest, WithoutAnAuthorizerRequestsPassUnlessAnAnonymousPolicyIsGiven) {
  for (const std::string file : {"rest_v1_no_authorizer.json", "http_v2_no_authorizer.json"}) {
    for (int i = 0; i < 5; ++i) {
      const auto outcome = check_event(guard, event_file(file));
      ASSERT_TRUE(outcome);
      EXPECT_TRUE(outcome->allowed);
      EXPECT_TRUE(outcome->headers.empty());
      EXPECT_FALSE(outcome->verdict.decision) << "not limited at all";
    }
  }
  const Guard anonymous(store, Policy::parse("1/minute", "anonymous").value(),
                        {.body_format = BodyFormat::chalice});
  const CheckOptions options{.anonymous = &anonymous};
  EXPECT_TRUE(check_event(guard, event_file("http_v2_no_authorizer.json"), options)->allowed);
  const auto refused = check_event(guard, event_file("http_v2_no_authorizer.json"), options);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->allowed);
  const json response = json::parse(refused->response);
  EXPECT_EQ(response["statusCode"], 429);
  EXPECT_EQ(response["body"],
            R"({"Code": "TooManyRequestsError", "Message": "TooManyRequestsError: You have exceeded the maximum number of requests"})");
  EXPECT_EQ(store.apply(anonymous.policy(), "ip:192.0.2.44", 0, Mode::peek)->remaining, 0u)
      << "keyed by the source address, IPv4-mapped shown as IPv4";
  EXPECT_TRUE(check_event(guard, event_file("rest_v1_no_authorizer.json"), options)->allowed)
      << "another address";
}

TEST_F(CheckEventTest, ReportsEventsItCannotRead) {
  const auto outcome = check_event(guard, "{\"hello\": 1}");
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("requestContext"), std::string::npos);
}

}  // namespace
}  // namespace gcra::http::api_gateway
