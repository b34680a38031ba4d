// Policies: lists of rates, names, validation.
#include "gcra/policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace std::chrono_literals;
using gcra::Policy;
using gcra::Rate;

namespace {

TEST(PolicyParse, AcceptsListsSeparatedBySemicolonCommaOrBar) {
  for (const char* text : {"100/minute;1000/hour", "100/minute, 1000/hour", "100/minute | 1000/hour",
                           " 100 per minute ; 1000 per hour "}) {
    SCOPED_TRACE(text);
    auto policy = Policy::parse(text);
    ASSERT_TRUE(policy.ok()) << policy.error().message;
    ASSERT_EQ(policy->rates().size(), 2u);
    EXPECT_EQ(policy->rates()[0], Rate(100, 60s));
    EXPECT_EQ(policy->rates()[1], Rate(1000, 3600s));
    EXPECT_EQ(policy->name(), "100/minute;1000/hour");
  }
}

TEST(PolicyParse, NamesTheBadRateInAList) {
  auto policy = Policy::parse("100/minute;10/fortnight");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message, "invalid rate \"10/fortnight\": unknown unit \"fortnight\"");
}

TEST(PolicyParse, RejectsEmptyRatesAndTooManyRates) {
  EXPECT_NE(Policy::parse("100/minute;").error().message.find("empty rate at offset 11"), std::string::npos);
  EXPECT_NE(Policy::parse("").error().message.find("empty rate"), std::string::npos);
  EXPECT_EQ(Policy::parse("1/s;2/s;3/s;4/s;5/s;6/s;7/s;8/s;9/s").error().message,
            "a policy holds at most 8 rates, got 9");
}

TEST(Policy, KeepsAGivenNameAndValidatesIt) {
  EXPECT_EQ(Policy::parse("1/s", "api").value().name(), "api");
  EXPECT_FALSE(Policy::make({Rate(1, 1s)}, std::string(201, 'x')).ok());
  EXPECT_FALSE(Policy::make({Rate(1, 1s)}, "tab\there").ok());
  EXPECT_THROW(Policy(std::vector<Rate>{}), std::invalid_argument);
}

}  // namespace
