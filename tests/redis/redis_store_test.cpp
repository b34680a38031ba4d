// RedisStore against a real redis-server: keys, expiry, server time,
// connection options, batches and asynchronous calls.
#include "gcra/redis_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "gcra/memory_store.hpp"
#include "redis/redis_test_util.hpp"

namespace gcra::testing {
namespace {

using namespace std::chrono_literals;

Policy parse(const char* text, std::string name = {}) { return Policy::parse(text, std::move(name)).value(); }

TEST(RedisStore, StoresOneStringPerKeyAndPolicyUnderTheIdentitysHashTag) {
  auto store = connect_or_die(test_options(shared_redis().url(), "app:"));
  const Policy policy = parse("100/minute;1000/hour", "api");
  EXPECT_EQ(store->redis_key(policy, "user:42"), "app:{user:42}:api");
  ASSERT_TRUE(store->apply(policy, "user:42", 1, Mode::check).ok());

  RawRedis redis(shared_redis().port());
  const std::string value = redis.string({"GET", "app:{user:42}:api"});
  ASSERT_EQ(value.size(), 19u * 2 + 1) << value;  // two TATs of 19 digits
  EXPECT_EQ(value[19], ' ');
  EXPECT_EQ(redis.string({"TYPE", "app:{user:42}:api"}), "string");
  // Both policies of one identity hash to the same Redis Cluster slot.
  const Policy other = parse("5/second", "burst");
  EXPECT_EQ(redis.integer({"CLUSTER", "KEYSLOT", store->redis_key(policy, "user:42")}),
            redis.integer({"CLUSTER", "KEYSLOT", store->redis_key(other, "user:42")}));
}

TEST(RedisStore, DecidesWithRedisTimeNotTheHostClock) {
  auto store = connect_or_die(test_options(shared_redis().url()));
  RawRedis redis(shared_redis().port());
  const Policy policy = parse("100/minute");  // T = 600 ms
  const std::int64_t before = redis.time_ns();
  ASSERT_TRUE(store->apply(policy, "k", 1, Mode::check)->allowed);
  const std::int64_t after = redis.time_ns();
  const std::int64_t tat = std::stoll(redis.string({"GET", store->redis_key(policy, "k")}));
  // The TAT is Redis's now + T, to the microsecond Redis TIME gives.
  EXPECT_GE(tat - 600'000'000, before);
  EXPECT_LE(tat - 600'000'000, after);
  EXPECT_EQ(tat % 1000, 0);
}

TEST(RedisStore, KeyExpiresAtTheInstantItIsIdleAgain) {
  auto store = connect_or_die(test_options(shared_redis().url()));
  RawRedis redis(shared_redis().port());
  const Policy policy = parse("20/second;2/minute burst 3");  // T = 50 ms and 30 s
  const std::string key = store->redis_key(policy, "k");
  const Policy short_policy = parse("20/second");
  const std::string short_key = store->redis_key(short_policy, "k");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->apply(short_policy, "k", 1, Mode::check)->allowed);
  ASSERT_TRUE(store->apply(policy, "k", 1, Mode::check)->allowed);

  // Expiry is absolute (PXAT): the first millisecond at which every rate is
  // idle, i.e. the latest TAT rounded up to a millisecond.
  const std::string value = redis.string({"GET", key});
  const std::int64_t latest = std::max(std::stoll(value.substr(0, 19)), std::stoll(value.substr(20, 19)));
  EXPECT_EQ(redis.integer({"PEXPIRETIME", key}), (latest + 999'999) / 1'000'000);
  const long long pttl = redis.integer({"PTTL", short_key});
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 151);  // 3 x 50 ms, rounded up to a whole millisecond

  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (redis.integer({"EXISTS", short_key}) == 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(redis.integer({"EXISTS", short_key}), 0) << "gone once idle";
  EXPECT_EQ(redis.integer({"EXISTS", key}), 1) << "the 30 s rate keeps its key";
  EXPECT_TRUE(store->apply(short_policy, "k", 20, Mode::check)->allowed) << "and an expired key is at full burst";
}

TEST(RedisStore, PeeksAndDeniedChecksNeverWrite) {
  auto store = connect_or_die(test_options(shared_redis().url()));
  RawRedis redis(shared_redis().port());
  const Policy policy = parse("2/hour");
  const std::string key = store->redis_key(policy, "k");
  ASSERT_TRUE(store->apply(policy, "k", 1, Mode::peek)->allowed);
  ASSERT_TRUE(store->apply(policy, "k", 0, Mode::check)->allowed);
  ASSERT_TRUE(store->apply(policy, "k", 3, Mode::check).ok());  // exceeds the burst
  EXPECT_EQ(redis.integer({"EXISTS", key}), 0);

  ASSERT_TRUE(store->apply(policy, "k", 2, Mode::check)->allowed);
  const std::string value = redis.string({"GET", key});
  const long long expires = redis.integer({"PEXPIRETIME", key});
  const long long writes = redis.command_calls("set");
  EXPECT_FALSE(store->apply(policy, "k", 1, Mode::check)->allowed);
  EXPECT_FALSE(store->apply(policy, "k", 1, Mode::peek)->allowed);
  EXPECT_EQ(redis.string({"GET", key}), value);
  EXPECT_EQ(redis.integer({"PEXPIRETIME", key}), expires);
  EXPECT_EQ(redis.command_calls("set"), writes);
}

TEST(RedisStore, KeysAreBinarySafeAndNeverPartOfTheScript) {
  auto store = connect_or_die(test_options(shared_redis().url()));
  RawRedis redis(shared_redis().port());
  const Policy policy = parse("1/hour");
  const std::string keys[] = {std::string("nul\0byte", 8), "quote'\"]]", "') redis.call('FLUSHALL') --",
                              "\xff\xfe\r\n*1\r\n$4\r\nPING\r\n", ""};
  for (const std::string& k : keys) {
    EXPECT_TRUE(store->apply(policy, k, 1, Mode::check)->allowed);
    EXPECT_FALSE(store->apply(policy, k, 1, Mode::check)->allowed);
    EXPECT_EQ(redis.integer({"EXISTS", store->redis_key(policy, k)}), 1);
  }
}

TEST(RedisStore, RejectsOverlongKeysAndAmbiguousPolicyNames) {
  RedisStoreOptions options = test_options(shared_redis().url());
  options.max_key_bytes = 16;
  auto store = connect_or_die(options);
  const Policy policy = parse("1/hour");
  EXPECT_TRUE(store->apply(policy, std::string(16, 'k'), 1, Mode::check).ok());
  auto overlong = store->apply(policy, std::string(17, 'k'), 1, Mode::check);
  ASSERT_FALSE(overlong.ok());
  EXPECT_EQ(overlong.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(overlong.error().message.find("17 bytes"), std::string::npos) << overlong.error().message;
  EXPECT_EQ(store->reset(policy, std::string(17, 'k')).error().code, ErrorCode::invalid_argument);

  auto braced = store->apply(parse("1/hour", "a}:b"), "k", 1, Mode::check);
  ASSERT_FALSE(braced.ok());
  EXPECT_NE(braced.error().message.find("\"a}:b\""), std::string::npos) << braced.error().message;
}

TEST(RedisStore, AKeyHoldingSomethingElseIsAnErrorNotACrash) {
  auto store = connect_or_die(test_options(shared_redis().url()));
  RawRedis redis(shared_redis().port());
  const Policy policy = parse("1/hour");
  redis.command({"HSET", store->redis_key(policy, "hash"), "f", "v"});
  redis.command({"SET", store->redis_key(policy, "junk"), "not a state"});
  auto wrong_type = store->apply(policy, "hash", 1, Mode::check);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().code, ErrorCode::protocol);
  EXPECT_NE(wrong_type.error().message.find("WRONGTYPE"), std::string::npos) << wrong_type.error().message;
  auto junk = store->apply(policy, "junk", 1, Mode::check);
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, ErrorCode::protocol);
  EXPECT_TRUE(store->ping().ok()) << "the connection survives both";
}

// The same decisions as MemoryStore, ns for ns, where Lua's doubles would
// lose them: instants near 2^62 and tolerances of 2^60 ns.
TEST(RedisStore, AgreesWithMemoryStoreAtTheEdgesOfTime) {
  ManualClock clock;
  RedisStoreOptions options = test_options(shared_redis().url());
  options.time_source = &clock;
  auto redis = connect_or_die(options);
  MemoryStore memory({}, clock);
  const Policy policies[] = {Policy(Rate(1, Duration{std::int64_t{1} << 60})),
                             Policy(Rate(3, Duration{(std::int64_t{1} << 60) - 7}, 3)),
                             parse("1000000000/1s;7/365d;1/1ns burst 1000")};
  const Instant starts[] = {Instant{0}, Instant{999'999'999}, kMaxInstant - Duration{1'000'000'001}, kMaxInstant};
  for (const Policy& policy : policies) {
    for (Instant start : starts) {
      SCOPED_TRACE(policy.name() + " from " + std::to_string(start.count()));
      clock.set(start);
      const std::string key = std::to_string(start.count());
      for (int step = 0; step < 12; ++step) {
        const std::uint64_t cost = static_cast<std::uint64_t>(step % 4);
        const Mode mode = step % 5 == 4 ? Mode::peek : Mode::check;
        auto want = memory.apply(policy, key, cost, mode);
        auto got = redis->apply(policy, key, cost, mode);
        ASSERT_TRUE(got.ok()) << got.error().to_string();
        EXPECT_EQ(got->allowed, want->allowed) << "step " << step;
        EXPECT_EQ(got->remaining, want->remaining) << "step " << step;
        EXPECT_EQ(got->retry_after, want->retry_after) << "step " << step;
        EXPECT_EQ(got->reset_after, want->reset_after) << "step " << step;
        EXPECT_EQ(got->rate_index, want->rate_index) << "step " << step;
        const Duration advance{std::int64_t{step} * 333'333'333};
        if (clock.now() < kMaxInstant - advance) clock.advance(advance);
      }
    }
  }
}

TEST(RedisStore, ConnectReportsWhatIsWrong) {
  struct Case {
    std::string url;
    ErrorCode code;
    std::string contains;
  };
  const int closed_port = free_port();
  const Case cases[] = {
      {"redis://127.0.0.1:" + std::to_string(closed_port), ErrorCode::unavailable, std::to_string(closed_port)},
      {"unix:///nonexistent/redis.sock", ErrorCode::unavailable, "/nonexistent/redis.sock"},
      {"redis://no-such-host.invalid:6379", ErrorCode::unavailable, "no-such-host.invalid"},
      {shared_redis().url() + "/99999", ErrorCode::invalid_argument, "SELECT 99999"},
      {"mysql://h", ErrorCode::invalid_argument, "mysql://h"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    RedisStoreOptions options = test_options(c.url);
    auto store = RedisStore::connect(options);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error().code, c.code) << store.error().to_string();
    EXPECT_NE(store.error().message.find(c.contains), std::string::npos) << store.error().message;
  }
  RedisStoreOptions options = test_options(shared_redis().url());
  options.command_timeout = 0ms;
  EXPECT_NE(RedisStore::connect(options).error().message.find("command_timeout"), std::string::npos);
  options = test_options(shared_redis().url());
  options.pool_size = 0;
  EXPECT_NE(RedisStore::connect(options).error().message.find("pool_size"), std::string::npos);
}

TEST(RedisStore, StartsWithoutRedisWhenAskedAndConnectsLater) {
  RedisServer server;
  server.stop();
  RedisStoreOptions options = test_options(server.url());
  options.require_connection = false;
  auto store = RedisStore::connect(options);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_EQ((*store)->ping().error().code, ErrorCode::unavailable);
  server.start();
  EXPECT_TRUE((*store)->ping().ok());
  EXPECT_TRUE((*store)->apply(parse("1/hour"), "k", 1, Mode::check)->allowed);
}

TEST(RedisStore, AuthenticatesWithAPasswordOrAnAclUserAndSelectsTheDatabase) {
  RedisServer server;
  RawRedis admin(server.port());
  admin.command({"ACL", "SETUSER", "limiter", "on", ">user-pw", "~*", "+@all"});
  admin.command({"CONFIG", "SET", "requirepass", "default-pw"});
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  const Policy policy = parse("1/hour");

  auto by_password = RedisStore::connect(test_options("redis://:default-pw@" + host + "/3", "p:"));
  ASSERT_TRUE(by_password.ok()) << by_password.error().to_string();
  ASSERT_TRUE((*by_password)->apply(policy, "k", 1, Mode::check)->allowed);
  auto by_user = RedisStore::connect(test_options("redis://limiter:user-pw@" + host + "/3", "p:"));
  ASSERT_TRUE(by_user.ok()) << by_user.error().to_string();
  EXPECT_FALSE((*by_user)->apply(policy, "k", 1, Mode::check)->allowed) << "same database, same state";

  RawRedis check(server.port());
  const std::string key = (*by_user)->redis_key(policy, "k");
  check.command({"AUTH", "default-pw"});
  check.command({"SELECT", "3"});
  EXPECT_EQ(check.integer({"EXISTS", key}), 1);
  check.command({"SELECT", "0"});
  EXPECT_EQ(check.integer({"EXISTS", key}), 0);

  for (const std::string& url : {"redis://:wrong-pw@" + host, "redis://limiter:wrong-pw@" + host, "redis://" + host}) {
    SCOPED_TRACE(url);
    auto refused = RedisStore::connect(test_options(url));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument) << refused.error().to_string();
    EXPECT_EQ(refused.error().message.find("wrong-pw"), std::string::npos) << refused.error().message;
  }
}

TEST(RedisStore, ConnectsOverAUnixSocket) {
  char dir_template[] = "/tmp/gcra-redis-unix-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string socket = dir + "/redis.sock";
  {
    ChildProcess server({"redis-server", "--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no",
                         "--dir", dir},
                        dir + "/redis.log");
    std::unique_ptr<RedisStore> store;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!store && std::chrono::steady_clock::now() < deadline) {
      auto connected = RedisStore::connect(test_options("unix://" + socket + "?db=2"));
      if (connected) {
        store = std::move(*connected);
      } else {
        std::this_thread::sleep_for(20ms);
      }
    }
    ASSERT_TRUE(store) << "redis-server did not answer on " << socket;
    EXPECT_TRUE(store->apply(parse("1/hour"), "k", 1, Mode::check)->allowed);
    EXPECT_FALSE(store->apply(parse("1/hour"), "k", 1, Mode::check)->allowed);
  }
  std::filesystem::remove_all(dir);
}

TEST(RedisStore, BatchAnswersInOrderLikeSeparateCalls) {
  ManualClock clock(Instant{1'800'000'000'000'000'000});
  RedisStoreOptions options = test_options(shared_redis().url());
  options.time_source = &clock;
  auto store = connect_or_die(options);
  const Policy a = parse("3/minute", "a");
  const Policy b = parse("10/second;20/minute", "b");
  std::vector<Request> requests;
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("batch:" + std::to_string(i % 3));
  keys[7] = std::string(2000, 'x');  // rejected, without failing the others
  for (int i = 0; i < 40; ++i) {
    requests.push_back(Request{i % 2 ? &a : &b, keys[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(i % 3),
                               i % 7 == 6 ? Mode::peek : Mode::check});
  }
  const auto batch = store->apply_batch(requests);
  ASSERT_EQ(batch.size(), requests.size());

  // The same requests one by one, on other keys, at the same instant.
  MemoryStore memory({}, clock);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    SCOPED_TRACE(i);
    if (i == 7) {
      ASSERT_FALSE(batch[i].ok());
      EXPECT_EQ(batch[i].error().code, ErrorCode::invalid_argument);
      continue;
    }
    ASSERT_TRUE(batch[i].ok()) << batch[i].error().to_string();
    const Request& r = requests[i];
    auto want = memory.apply(*r.policy, r.key, r.cost, r.mode);
    EXPECT_EQ(batch[i]->allowed, want->allowed);
    EXPECT_EQ(batch[i]->remaining, want->remaining);
    EXPECT_EQ(batch[i]->retry_after, want->retry_after);
    EXPECT_EQ(batch[i]->reset_after, want->reset_after);
  }
  EXPECT_TRUE(store->apply_batch({}).empty());
}

TEST(RedisStore, AsyncCallsEachCallbackExactlyOnce) {
  RedisStoreOptions options = test_options(shared_redis().url());
  options.async_connections = 2;
  auto store = connect_or_die(options);
  const Policy policy = parse("100/hour");
  constexpr int kCalls = 2000;
  std::atomic<int> admitted{0}, denied{0}, failed{0};
  Countdown all(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    const std::string key = "async";  // copied by apply_async
    store->apply_async(Request{&policy, key, 1, Mode::check}, [&](Result<Decision> d) {
      if (!d) {
        ++failed;
      } else if (d->allowed) {
        ++admitted;
      } else {
        ++denied;
      }
      all.done();
    });
  }
  ASSERT_TRUE(all.wait());
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(admitted.load(), 100);
  EXPECT_EQ(denied.load(), kCalls - 100);
}

TEST(RedisStore, DestroyingTheStoreAnswersEveryPendingCallback) {
  const Policy policy = parse("100/hour");
  std::atomic<int> answered{0};
  {
    auto store = connect_or_die(test_options(shared_redis().url()));
    for (int i = 0; i < 500; ++i) {
      store->apply_async(Request{&policy, "k", 1, Mode::check}, [&](Result<Decision>) { ++answered; });
    }
  }
  EXPECT_EQ(answered.load(), 500);
}

TEST(RedisStore, ScriptFlushMidRunIsInvisible) {
  auto store = connect_or_die(test_options(shared_redis().url()));
  RawRedis redis(shared_redis().port());
  const Policy policy = parse("1000/day");
  const std::string key = "flush";
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    redis.command({"SCRIPT", "FLUSH"});
    auto one = store->apply(policy, key, 1, Mode::check);
    ASSERT_TRUE(one.ok()) << one.error().to_string();
    redis.command({"SCRIPT", "FLUSH"});
    const std::vector<Request> requests(10, Request{&policy, key, 1, Mode::check});
    for (const auto& r : store->apply_batch(requests)) ASSERT_TRUE(r.ok()) << r.error().to_string();
    redis.command({"SCRIPT", "FLUSH"});
    Countdown all(10);
    std::atomic<int> failed{0};
    for (int i = 0; i < 10; ++i) {
      store->apply_async(requests[0], [&](Result<Decision> d) {
        if (!d) ++failed;
        all.done();
      });
    }
    ASSERT_TRUE(all.wait());
    EXPECT_EQ(failed.load(), 0);
  }
  EXPECT_EQ(store->apply(policy, key, 1, Mode::peek)->remaining, 1000u - 5 * 21);
}

}  // namespace
}  // namespace gcra::testing
