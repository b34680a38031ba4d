// White-box: how hiredis failures and odd script replies become Errors.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <cerrno>
#include <string>

#include "decide_call.hpp"
#include "redis_error.hpp"

namespace gcra::redis {
namespace {

struct Case {
  Failure failure;
  ErrorCode code;
};

TEST(RedisError, MapsEachKindOfFailureToWhatACallerCanDo) {
  const Case cases[] = {
      {{REDIS_ERR_IO, ETIMEDOUT, "Connection timed out"}, ErrorCode::timeout},
      {{REDIS_ERR_IO, EAGAIN, "Resource temporarily unavailable"}, ErrorCode::timeout},
      {{REDIS_ERR_IO, ECONNREFUSED, "Connection refused"}, ErrorCode::unavailable},
      {{REDIS_ERR_IO, ECONNRESET, "Connection reset by peer"}, ErrorCode::unavailable},
      {{REDIS_ERR_IO, ENOENT, "No such file or directory"}, ErrorCode::unavailable},
      {{REDIS_ERR_EOF, 0, "Server closed the connection"}, ErrorCode::unavailable},
      {{REDIS_ERR_OTHER, 0, "Can't resolve: nowhere"}, ErrorCode::unavailable},
      {{REDIS_ERR_PROTOCOL, 0, "Protocol error, got \"x\""}, ErrorCode::protocol},
      {{REDIS_ERR_OOM, 0, "Out of memory"}, ErrorCode::internal},
      {{0, 0, "LOADING Redis is loading the dataset in memory", true}, ErrorCode::unavailable},
      {{0, 0, "BUSY Redis is busy running a script", true}, ErrorCode::unavailable},
      {{0, 0, "READONLY You can't write against a read only replica.", true}, ErrorCode::unavailable},
      {{0, 0, "OOM command not allowed when used memory > 'maxmemory'.", true}, ErrorCode::unavailable},
      {{0, 0, "MASTERDOWN Link with MASTER is down", true}, ErrorCode::unavailable},
      {{0, 0, "NOAUTH Authentication required.", true}, ErrorCode::invalid_argument},
      {{0, 0, "WRONGPASS invalid username-password pair or user is disabled.", true}, ErrorCode::invalid_argument},
      {{0, 0, "NOPERM this user has no permissions to run the 'evalsha' command", true}, ErrorCode::invalid_argument},
      {{0, 0, "ERR DB index is out of range", true}, ErrorCode::invalid_argument},
      {{0, 0, "ERR AUTH <password> called without any password configured for the default user.", true},
       ErrorCode::invalid_argument},
      {{0, 0, "WRONGTYPE Operation against a key holding the wrong kind of value", true}, ErrorCode::protocol},
      {{0, 0, "ERR Error running script", true}, ErrorCode::protocol},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.failure.detail));
    const Error e = to_error("EVALSHA on redis://h:1", c.failure);
    EXPECT_EQ(e.code, c.code) << e.to_string();
    EXPECT_NE(e.message.find("EVALSHA on redis://h:1"), std::string::npos);
    EXPECT_NE(e.message.find(std::string(c.failure.detail)), std::string::npos);
  }
}

// A string reply as hiredis hands it over.
struct FakeReply {
  std::string text;
  redisReply reply{};

  explicit FakeReply(std::string t) : text(std::move(t)) {
    reply = redisReply{REDIS_REPLY_STRING, 0, text.size(), text.data(), 0, nullptr};
  }
};

TEST(RedisDecideReply, DecodesTheStateAndChecksItAgainstTheCore) {
  const Policy policy = Policy::parse("1/minute").value();
  const std::string server = "redis://h:1";
  // Admitted at Redis TIME 1000 s 5 us: the state read was empty.
  auto d = decode_decide(FakeReply("1 1000 5 ").reply, policy, 1, Mode::check, false, server);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_TRUE(d->allowed);
  EXPECT_EQ(d->reset_after, std::chrono::minutes(1));
  // Denied: the stored TAT is 30 s ahead of now.
  d = decode_decide(FakeReply("0 1000 0 0000001030000000000").reply, policy, 1, Mode::check, false, server);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_FALSE(d->allowed);
  EXPECT_EQ(d->retry_after, std::chrono::seconds(30));
  // With the caller's clock the script returns ns, not us.
  d = decode_decide(FakeReply("0 1000 999999999 0000001030000000000").reply, policy, 1, Mode::check, true, server);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->retry_after, std::chrono::seconds(30) - std::chrono::nanoseconds(999999999));

  struct Bad {
    const char* text;
    ErrorCode code;
  };
  const Bad bad[] = {
      {"0 1000 0 ", ErrorCode::internal},  // the script denied what the core admits
      {"1 1000 1000000 ", ErrorCode::protocol},  // a microsecond part of a whole second
      {"1 -1 0 ", ErrorCode::protocol},
      {"2 1000 0 ", ErrorCode::protocol},
      {"1 1000 0", ErrorCode::protocol},
      {"", ErrorCode::protocol},
      {"1 1000 0 12345", ErrorCode::protocol},
      {"1 1000 0 000000103000000000x", ErrorCode::protocol},
      {"1 1000 0 9999999999999999999", ErrorCode::protocol},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.text);
    auto e = decode_decide(FakeReply(b.text).reply, policy, 1, Mode::check, false, server);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, b.code) << e.error().to_string();
  }
  redisReply error{REDIS_REPLY_ERROR, 0, 9, const_cast<char*>("BUSY busy"), 0, nullptr};
  auto busy = decode_decide(error, policy, 1, Mode::check, false, server);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::unavailable);
}

TEST(RedisDecideCommand, PassesEveryInstantAsExactSecondsAndNanoseconds) {
  const Policy policy = Policy::parse("3/1s burst 2;1/365d").value();
  std::string out;
  encode_decide(out, "gcra:{k}:p", policy, 2, Mode::check, Instant{1'764'806'400'123'456'789});
  // now, then per rate cost x T and burst x T, each as (s, ns).
  for (const char* part : {"$10\r\n1764806400\r\n$9\r\n123456789\r\n",  // now
                           "$1\r\n0\r\n$9\r\n666666666\r\n$1\r\n0\r\n$9\r\n666666666\r\n",  // 2 x 333333333
                           "$2\r\n-1\r\n$1\r\n0\r\n$8\r\n31536000\r\n$1\r\n0\r\n"}) {  // 2 > burst 1
    EXPECT_NE(out.find(part), std::string::npos) << part;
  }
  EXPECT_TRUE(out.starts_with("*15\r\n$7\r\nEVALSHA\r\n$40\r\n"));
}

}  // namespace
}  // namespace gcra::redis
