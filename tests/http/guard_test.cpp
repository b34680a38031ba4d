#include "gcra/http/guard.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gcra/failover_store.hpp"
#include "gcra/memory_store.hpp"
#include "http/fakes.hpp"

namespace gcra::http {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FlakyStore;
using testing::RecordingStore;

std::string field(const Verdict& v, const std::string& name) {
  for (const auto& f : v.headers) {
    if (f.name == name) return f.value;
  }
  return "<absent>";
}

class GuardTest : public ::testing::Test {
 protected:
  ManualClock clock{1000s};
  MemoryStore memory{{}, clock};
  Policy policy = Policy::parse("100/minute;1000/hour").value();
};

TEST_F(GuardTest, AdmitsWithFieldsThenRefusesThe101stWith429) {
  const Guard guard(memory, policy);
  for (int i = 0; i < 100; ++i) {
    const Verdict v = guard.check("user:1");
    ASSERT_TRUE(v.allowed) << i;
    EXPECT_EQ(v.status, 0);
    // r left; t: back at full burst after (i + 1) intervals of 0.6 s, rounded
    // up, except for the last, where t is the wait for one more (0.6 s).
    const int t = i == 99 ? 1 : ((i + 1) * 6 + 9) / 10;
    EXPECT_EQ(field(v, "RateLimit"),
              "\"minute\";r=" + std::to_string(99 - i) + ";t=" + std::to_string(t));
  }
  const Verdict v = guard.check("user:1");
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.status, 429);
  EXPECT_EQ(v.headers, (std::vector<HeaderField>{
                           {"RateLimit-Policy", R"("minute";q=100;w=60, "hour";q=1000;w=3600)"},
                           {"RateLimit", R"("minute";r=0;t=1)"},
                           {"Retry-After", "1"}}));
  EXPECT_EQ(v.body.content_type, "application/problem+json");
  EXPECT_EQ(json::parse(v.body.body)["violated-policies"], json::array({"minute"}));
  ASSERT_TRUE(v.decision);
  EXPECT_EQ(v.decision->source, Source::store);

  clock.advance(600ms);
  EXPECT_TRUE(guard.check("user:1").allowed);
  EXPECT_TRUE(guard.check("user:2").allowed) << "identities count apart";
}

TEST_F(GuardTest, CostZeroPeeksWithoutConsuming) {
  const Guard guard(memory, Policy::parse("1/minute").value());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(guard.check("k", 0).allowed);
  EXPECT_TRUE(guard.check("k").allowed);
  EXPECT_FALSE(guard.check("k", 0).allowed);
}

TEST_F(GuardTest, DenyStatusBodyFormatAndCallbackAreConfigurable) {
  const Policy one = Policy::parse("1/minute").value();
  const Guard forbidden(memory, one, {.deny_status = 403});
  forbidden.check("a");
  const Verdict v403 = forbidden.check("a");
  EXPECT_EQ(v403.status, 403);
  EXPECT_EQ(json::parse(v403.body.body)["status"], 403);

  const Guard chalice(memory, Policy({one.rates()[0]}, "chalice"), {.body_format = BodyFormat::chalice});
  chalice.check("a");
  EXPECT_EQ(json::parse(chalice.check("a").body.body)["Code"], "TooManyRequestsError");

  GuardOptions custom;
  custom.body = [](const Policy& p, const Decision& d) {
    return DenyBody{"text/plain", p.name() + " wait " + std::to_string(d.retry_after.count())};
  };
  const Guard callback(memory, Policy({one.rates()[0]}, "custom"), custom);
  callback.check("a");
  const Verdict v = callback.check("a");
  EXPECT_EQ(v.body, (DenyBody{"text/plain", "custom wait 60000000000"}));
  EXPECT_EQ(field(v, "Retry-After"), "60") << "headers stay the standard ones";
}

TEST_F(GuardTest, LongIdentitiesAreHashedIntoAcceptableStoreKeys) {
  RecordingStore recording(memory);
  const Guard guard(recording, Policy::parse("1/minute").value());
  const std::string huge(10'000, 'x');
  const Verdict first = guard.check(huge);
  ASSERT_TRUE(first.decision) << "a huge identity must still be limited, not fail open";
  EXPECT_TRUE(first.allowed);
  EXPECT_FALSE(guard.check(huge).allowed);
  EXPECT_TRUE(guard.check(huge + "y").allowed);
  for (const auto& key : recording.keys()) EXPECT_LE(key.size(), kMaxIdentityBytes);
}

TEST_F(GuardTest, StoreErrorsFailOpenWithoutFieldsByDefault) {
  FlakyStore flaky(memory);
  flaky.set_down(true);
  const Guard guard(flaky, policy, {.headers = {.legacy = true}});
  const Verdict v = guard.check("user:1");
  EXPECT_TRUE(v.allowed);
  EXPECT_TRUE(v.headers.empty());
  EXPECT_FALSE(v.decision);
  ASSERT_TRUE(v.error);
  EXPECT_EQ(v.error->code, ErrorCode::unavailable);
}

TEST_F(GuardTest, StoreErrorsCanFailClosedWith503) {
  FlakyStore flaky(memory);
  flaky.set_down(true);
  const Guard guard(flaky, policy, {.on_store_error = StoreErrorAction::deny});
  const Verdict v = guard.check("user:1");
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.status, 503);
  EXPECT_TRUE(v.headers.empty());
  EXPECT_EQ(json::parse(v.body.body)["type"], "about:blank");
}

struct FailoverCase {
  FailurePolicy failure;
  bool allowed;
  int status;
  std::vector<std::string> fields;  // names of the fields sent
  Source source;
};

class GuardFailoverTest : public GuardTest, public ::testing::WithParamInterface<FailoverCase> {};

TEST_P(GuardFailoverTest, TheFailurePolicyAnswersAndTheFieldsSayNothingFalse) {
  const FailoverCase& c = GetParam();
  FlakyStore flaky(memory);
  FailoverStore failover(flaky, {.policy = c.failure, .local_clock = &clock});
  const Guard guard(failover, policy);
  ASSERT_TRUE(guard.check("user:1").allowed);
  flaky.set_down(true);

  const Verdict v = guard.check("user:1");
  EXPECT_EQ(v.allowed, c.allowed);
  EXPECT_EQ(v.status, c.status);
  std::vector<std::string> names;
  for (const auto& f : v.headers) names.push_back(f.name);
  EXPECT_EQ(names, c.fields);
  ASSERT_TRUE(v.decision);
  EXPECT_EQ(v.decision->source, c.source);
  if (c.failure == FailurePolicy::deny) {
    EXPECT_EQ(field(v, "Retry-After"), "1");
    const json body = json::parse(v.body.body);
    EXPECT_EQ(body["status"], 503);
    EXPECT_FALSE(body.contains("violated-policies"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    EachFailurePolicy, GuardFailoverTest,
    ::testing::Values(
        FailoverCase{FailurePolicy::allow, true, 0, {}, Source::fallback_allow},
        FailoverCase{FailurePolicy::deny, false, 503, {"Retry-After"}, Source::fallback_deny},
        FailoverCase{FailurePolicy::local, true, 0, {"RateLimit-Policy", "RateLimit"},
                     Source::fallback_local}),
    [](const auto& info) { return std::string(to_string(info.param.failure)); });

TEST_F(GuardTest, LocalFailoverStillLimits) {
  FlakyStore flaky(memory);
  FailoverStore failover(flaky, {.policy = FailurePolicy::local, .local_clock = &clock});
  const Guard guard(failover, Policy::parse("2/minute").value());
  flaky.set_down(true);
  EXPECT_TRUE(guard.check("u").allowed);
  EXPECT_TRUE(guard.check("u").allowed);
  const Verdict v = guard.check("u");
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.status, 429);
  EXPECT_EQ(field(v, "RateLimit"), R"("minute";r=0;t=30)");
}

}  // namespace
}  // namespace gcra::http
