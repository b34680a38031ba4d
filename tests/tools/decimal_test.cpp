#include "gcra_tool/decimal.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <string>

namespace gcra::tool {
namespace {

struct Parsed {
  const char* text;
  std::int64_t billionths;
};

TEST(ParseBillionths, ReadsDecimalsExactlyWithoutFloatingPoint) {
  const Parsed cases[] = {
      {"0", 0},
      {"12", 12'000'000'000},
      {"12.5", 12'500'000'000},
      {"0.1", 100'000'000},
      {"1.000000001", 1'000'000'001},
      {"0.000000001", 1},
      {"1.0000000010", 1'000'000'001},  // zeros past the ninth decimal change nothing
      {"007.25", 7'250'000'000},
      {"1796374802.881", 1'796'374'802'881'000'000},
      {"9223372036.854775807", INT64_MAX},
  };
  for (const Parsed& c : cases) {
    auto parsed = parse_billionths(c.text);
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, c.billionths) << c.text;
  }
}

struct Rejected {
  const char* text;
  const char* message;
};

TEST(ParseBillionths, RejectsEverythingButPlainDecimalsNamingTheText) {
  const Rejected cases[] = {
      {"", "\"\" is not a non-negative decimal number such as 12 or 12.5"},
      {".", "\".\" is not a non-negative decimal number such as 12 or 12.5"},
      {".5", "\".5\" is not a non-negative decimal number such as 12 or 12.5"},
      {"1.", "\"1.\" is not a non-negative decimal number such as 12 or 12.5"},
      {"-1", "\"-1\" is not a non-negative decimal number such as 12 or 12.5"},
      {"+1", "\"+1\" is not a non-negative decimal number such as 12 or 12.5"},
      {"1e3", "\"1e3\" is not a non-negative decimal number such as 12 or 12.5"},
      {"1,5", "\"1,5\" is not a non-negative decimal number such as 12 or 12.5"},
      {" 1", "\" 1\" is not a non-negative decimal number such as 12 or 12.5"},
      {"1.2.3", "\"1.2.3\" is not a non-negative decimal number such as 12 or 12.5"},
      {"nan", "\"nan\" is not a non-negative decimal number such as 12 or 12.5"},
      {"1.0000000001", "\"1.0000000001\" is finer than a nanosecond (9 decimals at most)"},
      {"9223372036.854775808", "\"9223372036.854775808\" is too large"},
      {"9223372037", "\"9223372037\" is too large"},
      {"99999999999999999999999", "\"99999999999999999999999\" is too large"},
  };
  for (const Rejected& c : cases) {
    auto parsed = parse_billionths(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_EQ(parsed.error().message, c.message);
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
  }
}

TEST(ParseSeconds, AcceptsUpToTheLatestInstantAndNoLater) {
  auto last = parse_seconds("4611686018.427387904");
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, kMaxInstant);
  auto beyond = parse_seconds("4611686018.427387905");
  ASSERT_FALSE(beyond);
  EXPECT_NE(beyond.error().message.find("year 2116"), std::string::npos) << beyond.error().message;
}

struct DurationCase {
  const char* text;
  std::int64_t ns;
};

TEST(ParseDuration, ReadsANumberAndAUnit) {
  const DurationCase cases[] = {
      {"60s", 60'000'000'000},      {"5m", 300'000'000'000},        {"1h", 3'600'000'000'000},
      {"1.5h", 5'400'000'000'000},  {"250ms", 250'000'000},         {"2d", 172'800'000'000'000},
      {"90", 90'000'000'000},       {"1us", 1'000},                 {"3ns", 3},
      {"0.5ms", 500'000},           {"10min", 600'000'000'000},     {"1.000000001s", 1'000'000'001},
      {"2minutes", 120'000'000'000}, {"0.000001ms", 1},
  };
  for (const DurationCase& c : cases) {
    auto parsed = parse_duration(c.text);
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error().message;
    EXPECT_EQ(parsed->count(), c.ns) << c.text;
  }
}

TEST(ParseDuration, RejectsBadDurationsNamingThem) {
  const Rejected cases[] = {
      {"0s", "duration \"0s\" must be positive"},
      {"10x", "duration \"10x\" has unknown unit \"x\" (use ns, us, ms, s, m, h or d)"},
      {"s", "duration \"s\" is not a number and a unit, such as 60s, 5m, 1.5h or 250ms"},
      {"", "duration \"\" is not a number and a unit, such as 60s, 5m, 1.5h or 250ms"},
      {"-5s", "duration \"-5s\": \"-5\" is not a non-negative decimal number such as 12 or 12.5"},
      {"0.5ns", "duration \"0.5ns\" is finer than a nanosecond"},
      {"5 m", "duration \"5 m\" has unknown unit \" m\" (use ns, us, ms, s, m, h or d)"},
      {"999999999d", "duration \"999999999d\" is too long"},
  };
  for (const Rejected& c : cases) {
    auto parsed = parse_duration(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_EQ(parsed.error().message, c.message);
  }
}

TEST(FormatSeconds, WritesExactDecimalsWithoutTrailingZeros) {
  EXPECT_EQ(format_seconds(0), "0");
  EXPECT_EQ(format_seconds(12'000'000'000), "12");
  EXPECT_EQ(format_seconds(12'500'000'000), "12.5");
  EXPECT_EQ(format_seconds(1'000'000'001), "1.000000001");
  EXPECT_EQ(format_seconds(1'796'374'802'881'000'000), "1796374802.881");
  EXPECT_EQ(format_seconds(-250'000'000), "-0.25");
  EXPECT_EQ(format_seconds(INT64_MAX), "9223372036.854775807");
  EXPECT_EQ(format_seconds(INT64_MIN), "-9223372036.854775808");
}

TEST(FormatSeconds, IsReadBackExactlyByParseBillionths) {
  for (std::int64_t ns : {std::int64_t{1}, std::int64_t{999'999'999}, std::int64_t{1'000'000'000},
                          std::int64_t{123'456'789'012'345'678}, INT64_MAX}) {
    auto back = parse_billionths(format_seconds(ns));
    ASSERT_TRUE(back) << ns;
    EXPECT_EQ(*back, ns);
  }
}

}  // namespace
}  // namespace gcra::tool
