// The configuration file: values, defaults, and every problem with its line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "api.hpp"
#include "api_json.hpp"
#include "config.hpp"
#include "config_values.hpp"
#include "http_response.hpp"
#include "server/server_process.hpp"

namespace gcra::server {
namespace {

using namespace std::chrono_literals;

struct DurationCase {
  const char* text;
  Duration expected;
};

class Durations : public ::testing::TestWithParam<DurationCase> {};

TEST_P(Durations, ParseToExactNanoseconds) {
  auto parsed = parse_duration(GetParam().text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, GetParam().expected);
  EXPECT_EQ(*parse_duration(format_duration(*parsed)), *parsed);
}

INSTANTIATE_TEST_SUITE_P(Table, Durations,
                         ::testing::Values(DurationCase{"50ms", 50ms}, DurationCase{"2s", 2s},
                                           DurationCase{"1m", 1min}, DurationCase{"1h", 1h},
                                           DurationCase{"250us", 250us}, DurationCase{"7ns", 7ns},
                                           DurationCase{"0s", 0s}, DurationCase{"90s", 90s}));

TEST(ConfigValues, DurationsNeedAKnownUnit) {
  EXPECT_NE(parse_duration("50").error().message.find("needs a unit"), std::string::npos);
  EXPECT_NE(parse_duration("5 fortnights").error().message.find("unknown unit"), std::string::npos);
  EXPECT_FALSE(parse_duration("ms"));
  EXPECT_FALSE(parse_duration("-5s"));
}

TEST(ConfigValues, SizesTakeBinaryAndDecimalUnits) {
  EXPECT_EQ(*parse_size("65536"), 65536u);
  EXPECT_EQ(*parse_size("64KiB"), 65536u);
  EXPECT_EQ(*parse_size("1MiB"), 1048576u);
  EXPECT_EQ(*parse_size("2KB"), 2000u);
  EXPECT_FALSE(parse_size("64 parsecs"));
  EXPECT_FALSE(parse_size("lots"));
}

TEST(ConfigValues, ListenAddressesTakeIpv4Ipv6AndABarePort) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:8080")->to_string(), "127.0.0.1:8080");
  EXPECT_EQ(parse_listen_address("[::1]:9000")->to_string(), "[::1]:9000");
  EXPECT_EQ(parse_listen_address(":8081")->to_string(), "127.0.0.1:8081");
  EXPECT_EQ(parse_listen_address("0.0.0.0:0")->port, 0);
  EXPECT_FALSE(parse_listen_address("127.0.0.1"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:70000"));
  EXPECT_FALSE(parse_listen_address("example.com:80"));
  EXPECT_FALSE(parse_listen_address("::1:80"));
}

TEST(Config, AMinimalFileGetsTheDocumentedDefaults) {
  LoadedConfig loaded = parse_config("policies:\n  api:\n    limits: \"100/minute\"\n");
  ASSERT_TRUE(loaded.config) << (loaded.problems.empty() ? "" : loaded.problems[0].message);
  const Config& c = *loaded.config;
  EXPECT_EQ(c.listen.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(c.store, "memory");
  EXPECT_EQ(c.store_failure, StoreFailure::local);
  EXPECT_EQ(c.store_timeout, 50ms);
  EXPECT_EQ(c.admin_token_env, "GCRA_ADMIN_TOKEN");
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"127.0.0.1/32", "::1/128"}));
  EXPECT_EQ(c.max_body_size, 64u * 1024);
  EXPECT_EQ(c.max_headers, 100u);
  EXPECT_EQ(c.idle_timeout, 60s);
  EXPECT_EQ(c.request_timeout, 10s);
  ASSERT_EQ(c.policies.size(), 1u);
  const PolicyConfig& api = c.policies[0];
  EXPECT_EQ(api.name, "api");
  EXPECT_EQ(api.limits.name(), "api");
  EXPECT_EQ(api.identity.kind, Identity::Kind::address);
  EXPECT_FALSE(api.anonymous);
  EXPECT_FALSE(api.shadow);
  EXPECT_EQ(api.deny_status, 429u);
}

TEST(Config, TheExampleFileIsValid) {
  LoadedConfig loaded = load_config_file(GCRA_EXAMPLE_CONFIG);
  for (const auto& p : loaded.problems) ADD_FAILURE() << format_problem("gcra.yaml", p);
  ASSERT_TRUE(loaded.config);
  const PolicyConfig* api = loaded.config->find_policy("api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->identity.to_string(), "header:X-User-Id");
  ASSERT_TRUE(api->anonymous);
  EXPECT_EQ(api->anonymous->name(), "api:anonymous");
  EXPECT_EQ(api->limits.rates_string(), "100/minute;1000/hour");
}

TEST(Config, EveryProblemIsReportedWithItsLine) {
  const char* yaml =
      "listen: 127.0.0.1:99999\n"          // 1
      "store: mysql://x\n"                 // 2
      "store_timeout: 50\n"                // 3
      "admin_token: hunter2\n"             // 4
      "trusted_proxies: [10.0.0.1/8]\n"    // 5
      "colour: blue\n"                     // 6
      "policies:\n"                        // 7
      "  api:\n"                           // 8
      "    limits: \"100/minit\"\n"        // 9
      "    identity: \"header:\"\n"        // 10
      "    deny_status: 200\n"             // 11
      "  \"bad name\":\n"                  // 12
      "    limits: \"1/s\"\n"              // 13
      "  api:\n"                           // 14
      "    limits: \"1/s\"\n";             // 15
  LoadedConfig loaded = parse_config(yaml);
  EXPECT_FALSE(loaded.config);
  std::vector<std::pair<int, std::string>> expected{
      {1, "listen:"}, {2, "store:"}, {3, "store_timeout:"}, {4, "admin_token:"}, {5, "trusted_proxies:"},
      {6, "colour: unknown key"}, {9, "policies.api.limits:"}, {10, "policies.api.identity:"},
      {11, "policies.api.deny_status:"}, {13, "policies.bad name:"}, {14, "policies.api: duplicate key"}};
  ASSERT_EQ(loaded.problems.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(loaded.problems[i].line, expected[i].first) << loaded.problems[i].message;
    EXPECT_EQ(loaded.problems[i].message.rfind(expected[i].second, 0), 0u) << loaded.problems[i].message;
  }
}

TEST(Config, BrokenYamlIsOneProblemWithItsLine) {
  LoadedConfig loaded = parse_config("policies:\n  api:\n    limits: [unclosed\n");
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_GT(loaded.problems[0].line, 0);
  EXPECT_EQ(loaded.problems[0].message.rfind("invalid YAML", 0), 0u);
}

TEST(Config, AFileWithoutPoliciesIsRefused) {
  EXPECT_FALSE(parse_config("listen: 127.0.0.1:8080\n").config);
  EXPECT_FALSE(parse_config("").config);
  EXPECT_FALSE(parse_config("policies: {}\n").config);
}

TEST(Config, AnonymousLimitsNeedAHeaderIdentity) {
  LoadedConfig loaded = parse_config("policies:\n  api:\n    limits: 1/s\n    anonymous: 1/s\n");
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_NE(loaded.problems[0].message.find("only applies when identity is a header"), std::string::npos);
}

TEST(Config, TheAdminTokenComesFromAFileOrTheEnvironment) {
  testing::TempDir dir;
  testing::write_file(dir.file("token"), "from-file\n");
  LoadedConfig from_file =
      parse_config("admin_token_file: " + dir.file("token") + "\npolicies:\n  a:\n    limits: 1/s\n");
  ASSERT_TRUE(from_file.config);
  EXPECT_EQ(from_file.config->admin_token, "from-file");

  ::setenv("GCRA_CONFIG_TEST_TOKEN", "from-env", 1);
  LoadedConfig from_env = parse_config("admin_token_env: GCRA_CONFIG_TEST_TOKEN\npolicies:\n  a:\n    limits: 1/s\n");
  ASSERT_TRUE(from_env.config);
  EXPECT_EQ(from_env.config->admin_token, "from-env");
  ::unsetenv("GCRA_CONFIG_TEST_TOKEN");

  LoadedConfig unset = parse_config("admin_token_env: GCRA_CONFIG_TEST_UNSET\npolicies:\n  a:\n    limits: 1/s\n");
  ASSERT_TRUE(unset.config);
  EXPECT_FALSE(unset.config->admin_token);

  LoadedConfig missing = parse_config("admin_token_file: /nonexistent/token\npolicies:\n  a:\n    limits: 1/s\n");
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_NE(missing.problems[0].message.find("/nonexistent/token"), std::string::npos);
}

TEST(AdminToken, MatchesOnlyTheSameBytes) {
  EXPECT_TRUE(tokens_match("s3cret", "s3cret"));
  EXPECT_FALSE(tokens_match("s3creT", "s3cret"));
  EXPECT_FALSE(tokens_match("s3cre", "s3cret"));
  EXPECT_FALSE(tokens_match("", "s3cret"));
}

TEST(ApiJson, MillisecondsRoundUpSoACallerIsNeverEarly) {
  EXPECT_EQ(ceil_millis(Duration{0}), 0);
  EXPECT_EQ(ceil_millis(Duration{1}), 1);
  EXPECT_EQ(ceil_millis(1ms), 1);
  EXPECT_EQ(ceil_millis(1ms + 1ns), 2);
  EXPECT_EQ(ceil_millis(Duration{-5}), 0);
}

TEST(ApiJson, StringsAreEscaped) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\x01", 7));
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(HttpResponse, SerializesStatusLengthAndConnection) {
  Response response;
  response.status = 429;
  response.headers.push_back({"Retry-After", "3"});
  response.body = "{}";
  std::string out;
  serialize_response(response, /*keep_alive=*/false, /*http10=*/false, /*head=*/false, out);
  EXPECT_EQ(out.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u);
  EXPECT_NE(out.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(out.find("Retry-After: 3\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 6), "\r\n\r\n{}");
  serialize_response(response, true, false, /*head=*/true, out);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
  EXPECT_EQ(out.find("Connection:"), std::string::npos);
}

}  // namespace
}  // namespace gcra::server
