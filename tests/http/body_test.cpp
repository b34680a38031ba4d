#include "gcra/http/body.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "gcra/core.hpp"

namespace gcra::http {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

Decision denied_after(const Policy& policy, int admitted, std::uint64_t cost = 1) {
  std::vector<Tat> tats(policy.rates().size(), 0);
  for (int i = 0; i < admitted; ++i) decide(policy, tats, 1000s, 1);
  return decide(policy, tats, 1000s, cost);
}

TEST(DenyBody, ProblemJsonNamesTheDraftTypeAndTheViolatedPolicies) {
  // 3/minute and 5/hour: after 5 requests both refuse.
  const Policy policy = Policy::parse("3/minute burst 5;5/hour").value();
  const DenyBody body = deny_body(policy, denied_after(policy, 5), BodyFormat::problem_json);
  EXPECT_EQ(body.content_type, "application/problem+json");
  const json j = json::parse(body.body);
  EXPECT_EQ(j["type"], "https://iana.org/assignments/http-problem-types#quota-exceeded");
  EXPECT_EQ(j["status"], 429);
  EXPECT_TRUE(j["title"].is_string());
  EXPECT_EQ(j["violated-policies"], json::array({"minute", "hour"}));
  EXPECT_EQ(j["retry-after"], 720);  // the hour's wait: 12 minutes
}

TEST(DenyBody, ListsOnlyTheRatesThatRefused) {
  const Policy policy = Policy::parse("2/second;100/hour").value();
  const json j = json::parse(deny_body(policy, denied_after(policy, 2), BodyFormat::problem_json).body);
  EXPECT_EQ(j["violated-policies"], json::array({"second"}));
  EXPECT_EQ(j["retry-after"], 1);
}

TEST(DenyBody, SaysWhenWaitingCannotHelp) {
  const Policy policy = Policy::parse("10/minute").value();
  const Decision d = denied_after(policy, 0, 11);
  ASSERT_TRUE(d.exceeds_burst());
  const json j = json::parse(deny_body(policy, d, BodyFormat::problem_json).body);
  EXPECT_FALSE(j.contains("retry-after"));
  EXPECT_NE(j["detail"].get<std::string>().find("never"), std::string::npos);
  EXPECT_EQ(j["violated-policies"], json::array({"minute"}));
}

TEST(DenyBody, CarriesTheResponseStatusAndItemPrefix) {
  const Policy policy = Policy::parse("1/minute").value();
  const json j = json::parse(
      deny_body(policy, denied_after(policy, 1), BodyFormat::problem_json, 403, "hello-").body);
  EXPECT_EQ(j["status"], 403);
  EXPECT_EQ(j["violated-policies"], json::array({"hello-minute"}));
}

TEST(DenyBody, ChaliceShapeIsExact) {
  const Policy policy = Policy::parse("1/minute").value();
  const DenyBody body = deny_body(policy, denied_after(policy, 1), BodyFormat::chalice);
  EXPECT_EQ(body.content_type, "application/json");
  EXPECT_EQ(body.body,
            R"({"Code": "TooManyRequestsError", "Message": "TooManyRequestsError: You have exceeded the maximum number of requests"})");
  EXPECT_TRUE(json::accept(body.body));
}

TEST(UnavailableBody, ClaimsNoQuota) {
  const json j = json::parse(unavailable_body(BodyFormat::problem_json, 503).body);
  EXPECT_EQ(j["type"], "about:blank");
  EXPECT_EQ(j["status"], 503);
  EXPECT_EQ(j["title"], "Service Unavailable");
  EXPECT_FALSE(j.contains("violated-policies"));
  const json chalice = json::parse(unavailable_body(BodyFormat::chalice, 503).body);
  EXPECT_EQ(chalice["Code"], "ServiceUnavailableError");
}

}  // namespace
}  // namespace gcra::http
