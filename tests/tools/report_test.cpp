#include "gcra_tool/report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace gcra::tool {
namespace {

SimulationResult replay(std::string_view policy_text, std::string_view csv) {
  auto traffic = parse_traffic(csv, "test.csv");
  EXPECT_TRUE(traffic) << traffic.error().message;
  auto result = simulate(*Policy::parse(policy_text), *traffic);
  EXPECT_TRUE(result) << result.error().message;
  return *result;
}

TEST(FormatJson, PrintsExactlyTheDocumentedShapeWithKeysInByteOrder) {
  SimulationResult r = replay("1/second", "0,b\n0.5,b\n0,a\n1.25,a\n");
  EXPECT_EQ(format_json(r),
            "{\"total\": {\"admitted\": 3, \"denied\": 1}, \"keys\": {"
            "\"a\": {\"admitted\": 2, \"denied\": 0, \"first_denied_at\": null}, "
            "\"b\": {\"admitted\": 1, \"denied\": 1, \"first_denied_at\": 0.5}}}\n");
}

TEST(FormatJson, WritesDenialTimesExactlyToTheNanosecond) {
  SimulationResult r = replay("1/minute", "1796374800,u\n1796374800.000000001,u\n");
  const std::string json = format_json(r);
  EXPECT_NE(json.find("\"first_denied_at\": 1796374800.000000001}"), std::string::npos) << json;
}

TEST(FormatJson, EscapesKeysSoThatAnyKeyStaysValidJson) {
  SimulationResult r = replay("1/second", "0,\"say \"\"hi\"\"\"\n0,back\\slash\n0,tab\there\n0,\xff\xfe\n0,caf\xc3\xa9\n");
  const std::string json = format_json(r);
  auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["total"]["admitted"], 5);
  EXPECT_TRUE(parsed["keys"].contains("say \"hi\""));
  EXPECT_TRUE(parsed["keys"].contains("back\\slash"));
  EXPECT_TRUE(parsed["keys"].contains("tab\there"));
  EXPECT_TRUE(parsed["keys"].contains("caf\xc3\xa9"));
  EXPECT_TRUE(parsed["keys"].contains("\xef\xbf\xbd\xef\xbf\xbd"));  // invalid UTF-8 becomes U+FFFD
  EXPECT_EQ(parsed["keys"].size(), 5u);
}

TEST(FormatJson, PrintsEmptyTrafficAsZeroTotals) {
  EXPECT_EQ(format_json(SimulationResult{}), "{\"total\": {\"admitted\": 0, \"denied\": 0}, \"keys\": {}}\n");
}

TEST(FormatTable, ShowsThePolicyInCanonicalFormAndTheTraffic) {
  SimulationResult r = replay("100/min, 1000 per hour", "10,a\n12.5,b\n");
  const std::string table = format_table(r, *Policy::parse("100/min, 1000 per hour"), "t.csv");
  EXPECT_EQ(table.substr(0, table.find('\n')), "policy   100/minute;1000/hour");
  EXPECT_NE(table.find("traffic  t.csv: 2 requests, 2 keys, from 10 to 12.5 (2.5 s)\n"), std::string::npos)
      << table;
}

TEST(FormatTable, ListsMostDeniedKeysFirstThenATotal) {
  SimulationResult r = replay("1/second", "0,calm\n0,noisy\n0.1,noisy\n0.2,noisy\n0,some\n0.5,some\n");
  const std::string table = format_table(r, *Policy::parse("1/second"), "t.csv");
  const std::string expected =
      "key    admitted  denied  first denied at\n"
      "noisy         1       2  0.1\n"
      "some          1       1  0.5\n"
      "calm          1       0  -\n"
      "total         3       3  0.1\n";
  EXPECT_NE(table.find(expected), std::string::npos) << table;
}

TEST(FormatTable, EscapesControlBytesInKeys) {
  SimulationResult r = replay("1/second", "0,\"a\x1b[31mred\"\n");
  const std::string table = format_table(r, *Policy::parse("1/second"), "t.csv");
  EXPECT_NE(table.find("a\\x1b[31mred"), std::string::npos) << table;
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
}

TEST(FormatTable, ExplainsDenialsThatNoWaitWouldLift) {
  SimulationResult r = replay("5/second", "0,a,6\n1,a,9\n");
  const std::string table = format_table(r, *Policy::parse("5/second"), "t.csv");
  EXPECT_NE(table.find("2 denied requests had a cost above a burst of the policy: no wait would ever admit them."),
            std::string::npos)
      << table;
}

TEST(FormatTable, SaysWhenThereWereNoRequests) {
  const std::string table = format_table(SimulationResult{}, *Policy::parse("1/second"), "empty.csv");
  EXPECT_NE(table.find("traffic  empty.csv: no requests\n"), std::string::npos) << table;
  EXPECT_NE(table.find("total         0       0  -\n"), std::string::npos) << table;
}

}  // namespace
}  // namespace gcra::tool
