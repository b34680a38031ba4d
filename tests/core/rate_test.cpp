// Rate construction and the rate-string grammar.
#include "gcra/rate.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace std::chrono_literals;
using gcra::Duration;
using gcra::Rate;

namespace {

struct Accepted {
  const char* text;
  std::uint64_t limit;
  Duration period;
  std::uint64_t burst;
};

const Accepted kAccepted[] = {
    {"100/minute", 100, 60s, 100},
    {"100/min", 100, 60s, 100},
    {"100/m", 100, 60s, 100},
    {"10/s", 10, 1s, 10},
    {"10/second", 10, 1s, 10},
    {"10/seconds", 10, 1s, 10},
    {"10/sec", 10, 1s, 10},
    {"5000/hour", 5000, 3600s, 5000},
    {"5000/h", 5000, 3600s, 5000},
    {"1/day", 1, 86400s, 1},
    {"1/d", 1, 86400s, 1},
    {"100 per minute", 100, 60s, 100},
    {"100 PER Minute", 100, 60s, 100},
    {"10/5s", 10, 5s, 10},
    {"10/5 seconds", 10, 5s, 10},
    {"10 per 5 minutes", 10, 300s, 10},
    {"10r/s", 10, 1s, 10},
    {"600r/m", 600, 60s, 600},
    {"100/minute burst 20", 100, 60s, 20},
    {"100/minute burst=20", 100, 60s, 20},
    {"100/minute burst 500", 100, 60s, 500},
    {"  7 / minute  ", 7, 60s, 7},
    {"20/500ms", 20, 500ms, 20},
    {"1/week", 1, 7 * 86400s, 1},
    {"1000/month", 1000, 30 * 86400s, 1000},
    {"2/365d", 2, 365 * 86400s, 2},
    {"1000000/1ms", 1000000, 1ms, 1000000},
};

TEST(RateParse, AcceptsEveryDocumentedForm) {
  for (const Accepted& a : kAccepted) {
    SCOPED_TRACE(a.text);
    auto rate = Rate::parse(a.text);
    ASSERT_TRUE(rate.ok()) << rate.error().message;
    EXPECT_EQ(rate->limit(), a.limit);
    EXPECT_EQ(rate->period(), a.period);
    EXPECT_EQ(rate->burst(), a.burst);
  }
}

struct Rejected {
  const char* text;
  const char* message;  // must appear in the error
};

const Rejected kRejected[] = {
    {"0/minute", "limit must be at least 1, got 0"},
    {"-5/minute", "limit must be a positive integer, got \"-5/minute\""},
    {"10/0s", "period must be positive, got 0s"},
    {"10/minute burst 0", "burst must be at least 1, got 0"},
    {"10/fortnight", "unknown unit \"fortnight\""},
    {"10/year", "ambiguous unit \"year\""},
    {"10/minute please", "unexpected \"please\" after the period"},
    {"10/minute burst 5 extra", "unexpected \"extra\" after the burst"},
    {"10/minute burst", "expected burst, got end of text"},
    {"99999999999999999999/minute", "limit 99999999999999999999 is too large"},
    {"10/99999999999999999s", "period 99999999999999999s is too large"},
    {"10000000000/s", "faster than one request per nanosecond"},
    {"1/1s burst 9999999999999999999", "the largest burst for this rate is"},
    {"", "expected limit, got end of text"},
    {"abc", "expected limit, got \"abc\""},
    {"10", "expected \"/\" or \"per\" after the limit"},
    {"10 minute", "expected \"/\" or \"per\" after the limit, got \"minute\""},
    {"10/", "expected a time unit (s, minute, hour, ...), got end of text"},
    {"10/5", "expected a time unit"},
    {"10/$", "expected a time unit (s, minute, hour, ...), got \"$\""},
};

TEST(RateParse, RejectsBadFormsNamingTheBadToken) {
  for (const Rejected& r : kRejected) {
    SCOPED_TRACE(r.text);
    auto rate = Rate::parse(r.text);
    ASSERT_FALSE(rate.ok());
    EXPECT_EQ(rate.error().code, gcra::ErrorCode::invalid_argument);
    EXPECT_NE(rate.error().message.find(r.message), std::string::npos) << rate.error().message;
    EXPECT_NE(rate.error().message.find(std::string("\"") + r.text + "\""), std::string::npos)
        << "the message quotes the whole input: " << rate.error().message;
  }
}

TEST(Rate, EmissionIntervalIsPeriodOverLimitRoundedDown) {
  EXPECT_EQ(Rate(100, 60s).emission_interval(), 600ms);
  EXPECT_EQ(Rate(3, 1s).emission_interval(), Duration{333'333'333});
  EXPECT_EQ(Rate(3, 1s).tolerance(), Duration{999'999'999});
  EXPECT_EQ(Rate(1'000'000'000, 1s).emission_interval(), 1ns);
  EXPECT_EQ(Rate(100, 60s, 20).tolerance(), 12s);
}

TEST(Rate, ConstructorThrowsWithTheSameMessageAsMake) {
  EXPECT_THROW(Rate(0, 1s), std::invalid_argument);
  try {
    Rate(5, 0s);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "period must be positive, got 0ns");
  }
  EXPECT_THROW(Rate(5, 1s, 0), std::invalid_argument);
}

TEST(Rate, AcceptsEveryLimitAndPeriodInTheSupportedRange) {
  for (std::uint64_t limit : {1ull, 7ull, 1000ull, 1'000'000ull, 1'000'000'000ull}) {
    for (Duration period : {Duration{1ms}, Duration{1s}, Duration{1h}, Duration{365 * 24h}}) {
      if (limit > static_cast<std::uint64_t>(period.count())) continue;  // faster than 1/ns
      auto rate = Rate::make(limit, period);
      ASSERT_TRUE(rate.ok()) << limit << " per " << period.count() << "ns: " << rate.error().message;
      EXPECT_LE(rate->tolerance(), period);
    }
  }
}

TEST(Rate, ToStringRoundTripsThroughParse) {
  for (const char* text : {"100/minute", "10/5s", "3/second burst 1", "7/1500ms", "1/day", "20/90s",
                           "5/2h burst 9", "1/1ns", "2/365d", "1/week"}) {
    SCOPED_TRACE(text);
    Rate rate = Rate::parse(text).value();
    auto again = Rate::parse(rate.to_string());
    ASSERT_TRUE(again.ok()) << rate.to_string();
    EXPECT_EQ(*again, rate);
  }
  EXPECT_EQ(Rate(100, 60s).to_string(), "100/minute");
  EXPECT_EQ(Rate(10, 5s, 3).to_string(), "10/5s burst 3");
  EXPECT_EQ(Rate(7, 1500ms).to_string(), "7/1500ms");
}

}  // namespace
