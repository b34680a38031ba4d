#include "gcra/redis_url.hpp"

#include <gtest/gtest.h>

namespace {

using gcra::RedisUrl;
using Transport = gcra::RedisUrl::Transport;

struct Good {
  const char* text;
  Transport transport;
  const char* host;
  int port;
  const char* path;
  const char* user;
  const char* password;
  int db;
  const char* shown;  // to_string()
};

const Good kGood[] = {
    {"redis://localhost", Transport::tcp, "localhost", 6379, "", "", "", 0, "redis://localhost:6379"},
    {"redis://127.0.0.1:7000", Transport::tcp, "127.0.0.1", 7000, "", "", "", 0, "redis://127.0.0.1:7000"},
    {"redis://127.0.0.1:7000/", Transport::tcp, "127.0.0.1", 7000, "", "", "", 0, "redis://127.0.0.1:7000"},
    {"redis://h:1/15", Transport::tcp, "h", 1, "", "", "", 15, "redis://h:1/15"},
    {"redis://:s3cret@h:6380/2", Transport::tcp, "h", 6380, "", "", "s3cret", 2, "redis://:***@h:6380/2"},
    {"redis://alice:pw@h", Transport::tcp, "h", 6379, "", "alice", "pw", 0, "redis://alice:***@h:6379"},
    {"redis://a%40b:p%3Aw%2F@h", Transport::tcp, "h", 6379, "", "a@b", "p:w/", 0, "redis://a%40b:***@h:6379"},
    {"redis://u:p@ss@h", Transport::tcp, "h", 6379, "", "u", "p@ss", 0, "redis://u:***@h:6379"},
    {"redis://[::1]:6390/1", Transport::tcp, "::1", 6390, "", "", "", 1, "redis://[::1]:6390/1"},
    {"redis://[::1]", Transport::tcp, "::1", 6379, "", "", "", 0, "redis://[::1]:6379"},
    {"unix:///run/redis.sock", Transport::unix_socket, "127.0.0.1", 6379, "/run/redis.sock", "", "", 0,
     "unix:///run/redis.sock"},
    {"unix:///tmp/r.sock?db=3", Transport::unix_socket, "127.0.0.1", 6379, "/tmp/r.sock", "", "", 3,
     "unix:///tmp/r.sock?db=3"},
    {"unix://bob:pw@/tmp/r.sock", Transport::unix_socket, "127.0.0.1", 6379, "/tmp/r.sock", "bob", "pw", 0,
     "unix://bob:***@/tmp/r.sock"},
};

TEST(RedisUrl, ParsesEveryDocumentedForm) {
  for (const Good& g : kGood) {
    SCOPED_TRACE(g.text);
    auto url = RedisUrl::parse(g.text);
    ASSERT_TRUE(url.ok()) << url.error().to_string();
    EXPECT_EQ(url->transport, g.transport);
    if (g.transport == Transport::tcp) {
      EXPECT_EQ(url->host, g.host);
      EXPECT_EQ(url->port, g.port);
    }
    EXPECT_EQ(url->path, g.path);
    EXPECT_EQ(url->user, g.user);
    EXPECT_EQ(url->password, g.password);
    EXPECT_EQ(url->db, g.db);
    EXPECT_EQ(url->to_string(), g.shown);
    auto again = RedisUrl::parse(url->to_string());
    if (url->password.empty()) {
      ASSERT_TRUE(again.ok()) << "to_string() parses back";
      EXPECT_EQ(again->to_string(), g.shown);
    }
  }
}

struct Bad {
  const char* text;
  const char* message_contains;
};

const Bad kBad[] = {
    {"http://h:6379", "must start with redis:// or unix://"},
    {"rediss://h:6379", "TLS"},
    {"redis://", "no host"},
    {"redis://:6379", "no host"},
    {"redis://h:0", "port \"0\""},
    {"redis://h:65536", "port \"65536\""},
    {"redis://h:x", "port \"x\""},
    {"redis://h:", "port \"\""},
    {"redis://h/x", "database \"x\""},
    {"redis://h/-1", "database \"-1\""},
    {"redis://h?db=1", "query"},
    {"redis://::1:6379", "IPv6"},
    {"redis://[::1", "unclosed"},
    {"redis://[::1]x", "after its host"},
    {"redis://alice@h", "without a password"},
    {"redis://alice:@h", "empty password"},
    {"redis://a:%zz@h", "password of the Redis URL has a bad %-escape"},
    {"unix://", "no socket path"},
    {"unix:///", "no socket path"},
    {"unix://host/tmp/r.sock", "names host \"host\""},
    {"unix:///tmp/r.sock?timeout=1", "only ?db=N"},
    {"unix:///tmp/r.sock?db=z", "database \"z\""},
};

TEST(RedisUrl, RejectsMalformedUrlsNamingTheOffendingPart) {
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.text);
    auto url = RedisUrl::parse(b.text);
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.error().code, gcra::ErrorCode::invalid_argument);
    EXPECT_NE(url.error().message.find(b.message_contains), std::string::npos) << url.error().message;
  }
}

TEST(RedisUrl, ErrorMessagesNeverShowThePassword) {
  for (const char* text : {"redis://u:hunter2@h:99999", "redis://:hunter2@h/x", "rediss://:hunter2@h"}) {
    auto url = RedisUrl::parse(text);
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.error().message.find("hunter2"), std::string::npos) << url.error().message;
    EXPECT_NE(url.error().message.find("***"), std::string::npos) << url.error().message;
  }
}

}  // namespace
