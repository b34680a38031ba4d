#include "gcra_tool/traffic.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gcra::tool {
namespace {

using namespace std::chrono_literals;

Traffic parse_ok(std::string_view text) {
  auto traffic = parse_traffic(text, "t.csv");
  EXPECT_TRUE(traffic) << traffic.error().message;
  return traffic ? *traffic : Traffic{};
}

TEST(ParseTraffic, ReadsTimestampKeyAndOptionalCost) {
  Traffic t = parse_ok("1.5,user:1\n0.000000001,user:2,3\n2,user:1,0\n");
  ASSERT_EQ(t.keys, (std::vector<std::string>{"user:1", "user:2"}));
  ASSERT_EQ(t.requests.size(), 3u);
  EXPECT_EQ(t.requests[0].at, Instant{1'500'000'000});
  EXPECT_EQ(t.requests[0].key, 0u);
  EXPECT_EQ(t.requests[0].cost, 1u);
  EXPECT_EQ(t.requests[1].at, Instant{1});
  EXPECT_EQ(t.requests[1].key, 1u);
  EXPECT_EQ(t.requests[1].cost, 3u);
  EXPECT_EQ(t.requests[2].at, Instant{2'000'000'000});
  EXPECT_EQ(t.requests[2].key, 0u);
  EXPECT_EQ(t.requests[2].cost, 0u);
}

TEST(ParseTraffic, SkipsHeaderCommentsBlankLinesAndCarriageReturns) {
  Traffic t = parse_ok(
      "# exported from the gateway\r\n"
      "\r\n"
      "Timestamp , Key , Cost\r\n"
      "  # an indented comment\n"
      "   \t \n"
      "10,a\r\n"
      "11 , b , 2\n");
  ASSERT_EQ(t.requests.size(), 2u);
  EXPECT_EQ(t.keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.requests[1].cost, 2u);
}

TEST(ParseTraffic, AcceptsATwoColumnHeaderAndNoHeaderAtAll) {
  EXPECT_EQ(parse_ok("timestamp,key\n1,a\n").requests.size(), 1u);
  EXPECT_EQ(parse_ok("1,a\n2,a").requests.size(), 2u);
  EXPECT_EQ(parse_ok("").requests.size(), 0u);
  EXPECT_EQ(parse_ok("# nothing but a comment\n").requests.size(), 0u);
}

TEST(ParseTraffic, KeepsQuotedKeysExactly) {
  Traffic t = parse_ok("1,\"a, b\"\n2, \" padded \" ,2\n3,\"say \"\"hi\"\"\"\n4,\"#not a comment\"\n");
  EXPECT_EQ(t.keys, (std::vector<std::string>{"a, b", " padded ", "say \"hi\"", "#not a comment"}));
  EXPECT_EQ(t.requests[1].cost, 2u);
}

TEST(ParseTraffic, InternsKeysInOrderOfFirstAppearance) {
  Traffic t = parse_ok("1,b\n2,a\n3,b\n4,c\n5,a\n");
  EXPECT_EQ(t.keys, (std::vector<std::string>{"b", "a", "c"}));
  std::vector<std::uint32_t> indexes;
  for (const TrafficRequest& r : t.requests) indexes.push_back(r.key);
  EXPECT_EQ(indexes, (std::vector<std::uint32_t>{0, 1, 0, 2, 1}));
}

struct Malformed {
  const char* text;
  const char* message;
};

TEST(ParseTraffic, ReportsTheFirstMalformedLineWithItsNumber) {
  const Malformed cases[] = {
      {"1,a\nx,b\n", "t.csv:2: timestamp: \"x\" is not a non-negative decimal number such as 12 or 12.5"},
      {"# c\n\n1,a\n-1,a\n", "t.csv:4: timestamp: \"-1\" is not a non-negative decimal number such as 12 or 12.5"},
      {"1e9,a\n", "t.csv:1: timestamp: \"1e9\" is not a non-negative decimal number such as 12 or 12.5"},
      {"1.0000000001,a\n", "t.csv:1: timestamp: \"1.0000000001\" is finer than a nanosecond (9 decimals at most)"},
      {"1\n", "t.csv:1: expected timestamp,key or timestamp,key,cost; got 1 field"},
      {"1,a,2,3\n", "t.csv:1: expected timestamp,key or timestamp,key,cost; got 4 fields"},
      {"1,,2\n", "t.csv:1: the key is empty"},
      {"1,\"\"\n", "t.csv:1: the key is empty"},
      {"1,a,\n", "t.csv:1: cost \"\" is not a non-negative integer"},
      {"1,a,-1\n", "t.csv:1: cost \"-1\" is not a non-negative integer"},
      {"1,a,+1\n", "t.csv:1: cost \"+1\" is not a non-negative integer"},
      {"1,a,1.5\n", "t.csv:1: cost \"1.5\" is not a non-negative integer"},
      {"1,a,99999999999999999999\n", "t.csv:1: cost \"99999999999999999999\" is too large"},
      {"1,\"a\n", "t.csv:1: unterminated quoted field starting at column 3"},
      {"1,\"a\"b\n", "t.csv:1: unexpected \"b\" after the quoted field at column 3"},
      {"timestamp,user\n", "t.csv:1: the header must be timestamp,key or timestamp,key,cost; got \"timestamp,user\""},
      {"1,a\ntimestamp,key\n", "t.csv:2: timestamp: \"timestamp\" is not a non-negative decimal number such as 12 "
                               "or 12.5"},
      {"1,a\r\n2,b\r\n3\r\n", "t.csv:3: expected timestamp,key or timestamp,key,cost; got 1 field"},
      {"5000000000,a\n", "t.csv:1: timestamp: \"5000000000\" is later than 4611686018.427387904 s (year 2116), "
                         "the latest instant gcra represents"},
  };
  for (const Malformed& c : cases) {
    auto traffic = parse_traffic(c.text, "t.csv");
    ASSERT_FALSE(traffic) << c.text;
    EXPECT_EQ(traffic.error().message, c.message);
  }
}

TEST(ReadTraffic, NamesAFileItCannotOpen) {
  auto traffic = read_traffic("/nonexistent/traffic.csv");
  ASSERT_FALSE(traffic);
  EXPECT_EQ(traffic.error().message, "/nonexistent/traffic.csv: cannot open: No such file or directory");
}

TEST(ReadTraffic, NamesADirectoryItCannotRead) {
  auto traffic = read_traffic("/");
  ASSERT_FALSE(traffic);
  EXPECT_EQ(traffic.error().message, "/: cannot read: Is a directory");
}

TEST(Traffic, SortByTimeKeepsFileOrderForEqualTimes) {
  Traffic t = parse_ok("3,a\n1,b,5\n2,c\n1,d,6\n1,e,7\n");
  t.sort_by_time();
  std::vector<std::uint64_t> costs;
  std::vector<std::int64_t> times;
  for (const TrafficRequest& r : t.requests) {
    costs.push_back(r.cost);
    times.push_back(r.at.count() / 1'000'000'000);
  }
  EXPECT_EQ(times, (std::vector<std::int64_t>{1, 1, 1, 2, 3}));
  EXPECT_EQ(costs, (std::vector<std::uint64_t>{5, 6, 7, 1, 1}));
}

TEST(SyntheticTraffic, SpreadsRequestsEvenlyOverTheDuration) {
  SyntheticTraffic s{20'000'000'000, 10s, 1};
  ASSERT_TRUE(s.validate());
  EXPECT_EQ(s.request_count(), 200u);
  EXPECT_EQ(s.request_time(0), Instant{0});
  EXPECT_EQ(s.request_time(1), Instant{50'000'000});
  EXPECT_EQ(s.request_time(199), Instant{9'950'000'000});
}

TEST(SyntheticTraffic, HandlesRatesWhoseIntervalIsNotWholeNanoseconds) {
  SyntheticTraffic s{3'000'000'000, 1s, 1};  // 3 per second: every 333333333.3 ns
  EXPECT_EQ(s.request_count(), 3u);
  EXPECT_EQ(s.request_time(1), Instant{333'333'333});
  EXPECT_EQ(s.request_time(2), Instant{666'666'666});
  EXPECT_EQ(s.request_time(3), Instant{1'000'000'000});  // exactly, no drift

  SyntheticTraffic half{2'500'000'000, 2s, 1};  // 2.5 per second for 2 s
  EXPECT_EQ(half.request_count(), 5u);
  EXPECT_EQ(half.request_time(4), Instant{1'600'000'000});
}

TEST(SyntheticTraffic, NamesKeysZeroPaddedSoTheySortByNumber) {
  SyntheticTraffic one{1'000'000'000, 1s, 1};
  EXPECT_EQ(one.key_name(0), "key:0");
  SyntheticTraffic many{1'000'000'000, 1s, 100};
  EXPECT_EQ(many.key_name(0), "key:00");
  EXPECT_EQ(many.key_name(7), "key:07");
  EXPECT_EQ(many.key_name(99), "key:99");
}

TEST(SyntheticTraffic, RefusesTrafficItCannotGenerate) {
  EXPECT_FALSE((SyntheticTraffic{0, 1s, 1}.validate()));
  EXPECT_FALSE((SyntheticTraffic{1'000'000'000, 0s, 1}.validate()));
  EXPECT_FALSE((SyntheticTraffic{1'000'000'000, 1s, 0}.validate()));
  EXPECT_FALSE((SyntheticTraffic{1'000'000'000, 1s, kMaxSyntheticKeys + 1}.validate()));
  auto too_many = SyntheticTraffic{1'000'000'000'000'000'000, 1000s, 1}.validate();
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("1000000000 synthetic requests"), std::string::npos)
      << too_many.error().message;
}

}  // namespace
}  // namespace gcra::tool
