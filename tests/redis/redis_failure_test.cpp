// RedisStore when Redis is down, hangs, restarts or is flooded: errors come
// back as values within the timeouts, decisions resume by themselves, and
// the failure policy and deny cache (core decorators) work on top of it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>
#include <tuple>

#include "gcra/deny_cache.hpp"
#include "gcra/failover_store.hpp"
#include "redis/redis_test_util.hpp"

namespace gcra::testing {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// Short timeouts, so that the tests are quick; margins below are generous
// for a loaded 2-core machine running sanitizers.
constexpr auto kConnectTimeout = 400ms;
constexpr auto kCommandTimeout = 400ms;
constexpr auto kMargin = 1500ms;

RedisStoreOptions short_timeouts(const RedisServer& server) {
  RedisStoreOptions o = test_options(server.url());
  o.connect_timeout = kConnectTimeout;
  o.command_timeout = kCommandTimeout;
  return o;
}

Policy parse(const char* text) { return Policy::parse(text).value(); }

// Every way of calling the store, once; returns the errors' codes.
std::vector<ErrorCode> fail_every_path(RedisStore& store, const Policy& policy) {
  std::vector<ErrorCode> codes;
  auto record = [&](const Error& e) { codes.push_back(e.code); };
  if (auto r = store.apply(policy, "k", 1, Mode::check); !r) record(r.error());
  if (auto r = store.reset(policy, "k"); !r) record(r.error());
  if (auto r = store.ping(); !r) record(r.error());
  const Request request{&policy, "k", 1, Mode::check};
  for (auto& r : store.apply_batch({&request, 1})) {
    if (!r) record(r.error());
  }
  Countdown answered(1);
  store.apply_async(request, [&](Result<Decision> r) {
    if (!r) record(r.error());  // runs on the I/O thread while this one waits
    answered.done();
  });
  EXPECT_TRUE(answered.wait());
  return codes;
}

TEST(RedisFailure, EveryCallFailsAtOnceWithUnavailableWhileRedisIsDownAndRecoversAfter) {
  RedisServer server;
  auto store = connect_or_die(short_timeouts(server));
  const Policy policy = parse("100/hour");
  ASSERT_TRUE(store->apply(policy, "k", 1, Mode::check).ok());
  server.stop();

  const auto start = Steady::now();
  const auto codes = fail_every_path(*store, policy);
  EXPECT_LT(Steady::now() - start, 5 * (kConnectTimeout + kCommandTimeout) + kMargin);
  ASSERT_EQ(codes.size(), 5u);
  for (ErrorCode code : codes) EXPECT_EQ(code, ErrorCode::unavailable) << to_string(code);

  server.start();
  EXPECT_TRUE(fail_every_path(*store, policy).empty()) << "every path reconnects by itself";
}

TEST(RedisFailure, EveryCallTimesOutWithinItsTimeoutWhileRedisHangs) {
  RedisServer server;
  RawRedis redis(server.port());
  auto store = connect_or_die(short_timeouts(server));
  const Policy policy = parse("100/hour");
  ASSERT_TRUE(store->apply(policy, "k", 1, Mode::check).ok());
  {
    Frozen frozen(redis.pid());
    for (int i = 0; i < 3; ++i) {
      const auto start = Steady::now();
      auto d = store->apply(policy, "k", 1, Mode::check);
      const auto took = Steady::now() - start;
      ASSERT_FALSE(d.ok());
      EXPECT_EQ(d.error().code, ErrorCode::timeout) << d.error().to_string();
      // The first call waits for its answer; later ones for a new
      // connection's handshake: never longer than both timeouts.
      EXPECT_LT(took, kConnectTimeout + kCommandTimeout + kMargin);
      EXPECT_GE(took, std::min<Steady::duration>(kConnectTimeout, kCommandTimeout) - 5ms);
    }
    const auto start = Steady::now();
    const auto codes = fail_every_path(*store, policy);
    EXPECT_LT(Steady::now() - start, 5 * (kConnectTimeout + kCommandTimeout) + kMargin);
    ASSERT_EQ(codes.size(), 5u);
    for (ErrorCode code : codes) EXPECT_EQ(code, ErrorCode::timeout) << to_string(code);
  }
  EXPECT_TRUE(fail_every_path(*store, policy).empty()) << "Redis answers again";
}

TEST(RedisFailure, ACallbackMayCallAgainFromTheIOThreadEvenWhenRedisIsDown) {
  RedisServer server;
  server.stop();
  RedisStoreOptions options = short_timeouts(server);
  options.require_connection = false;
  auto store = connect_or_die(options);
  const Policy policy = parse("100/hour");
  const Request request{&policy, "k", 1, Mode::check};
  Countdown second(1);
  std::atomic<int> calls{0};
  store->apply_async(request, [&](Result<Decision> first) {
    ++calls;
    EXPECT_FALSE(first.ok());
    store->apply_async(request, [&](Result<Decision> again) {
      ++calls;
      EXPECT_EQ(again.error().code, ErrorCode::unavailable);
      second.done();
    });
  });
  EXPECT_TRUE(second.wait()) << "the second call was answered";
  EXPECT_EQ(calls.load(), 2);
}

TEST(RedisFailure, ARedisRestartMidRunIsInvisible) {
  RedisServer server;
  auto store = connect_or_die(short_timeouts(server));
  const Policy policy = parse("1000/hour");
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(store->apply(policy, "k", 1, Mode::check).ok());
    EXPECT_TRUE(fail_every_path(*store, policy).empty());
    server.restart();
    // The pool's idle connections all died with the server; the first call
    // on each finds out and is sent again on a new connection.
    EXPECT_TRUE(fail_every_path(*store, policy).empty());
    for (int i = 0; i < 5; ++i) {
      auto d = store->apply(policy, "k", 1, Mode::check);
      ASSERT_TRUE(d.ok()) << d.error().to_string();
    }
  }
}

// The failure policy (FailoverStore, core) on RedisStore, while Redis is
// stopped (connections refused) or frozen (SIGSTOP: nothing answers).
enum class Outage { stopped, frozen };

class RedisFailover : public ::testing::TestWithParam<std::tuple<FailurePolicy, Outage>> {
 protected:
  FailurePolicy failure_policy() const { return std::get<0>(GetParam()); }
  Outage outage() const { return std::get<1>(GetParam()); }
};

TEST_P(RedisFailover, AnswersByTheFailurePolicyWithinTheTimeoutAndReturnsToRedisWhenItIsBack) {
  RedisServer server;
  RawRedis redis(server.port());
  auto store = connect_or_die(short_timeouts(server));
  FailoverOptions options;
  options.policy = failure_policy();
  options.failures_to_open = 3;
  options.probe_interval = 100ms;
  options.deny_retry_after = 7s;
  FailoverStore failover(*store, options);
  const Policy policy = parse("2/hour");
  ASSERT_EQ(failover.apply(policy, "k", 1, Mode::check)->source, Source::store);

  auto expect_fallback = [&](const Decision& d, int nth) {
    switch (failure_policy()) {
      case FailurePolicy::allow:
        EXPECT_TRUE(d.allowed);
        EXPECT_EQ(d.source, Source::fallback_allow);
        break;
      case FailurePolicy::deny:
        EXPECT_FALSE(d.allowed);
        EXPECT_EQ(d.source, Source::fallback_deny);
        EXPECT_EQ(d.retry_after, 7s);
        break;
      case FailurePolicy::local:  // a fresh local store: 2 admitted, then denied
        EXPECT_EQ(d.allowed, nth < 2) << nth;
        EXPECT_EQ(d.source, Source::fallback_local);
        break;
    }
  };
  {
    std::optional<Frozen> frozen;
    if (outage() == Outage::frozen) {
      frozen.emplace(redis.pid());
    } else {
      server.stop();
    }
    for (int i = 0; i < 3; ++i) {  // each waits for Redis, at most its timeouts
      const auto start = Steady::now();
      auto d = failover.apply(policy, "k", 1, Mode::check);
      EXPECT_LT(Steady::now() - start, kConnectTimeout + kCommandTimeout + kMargin);
      ASSERT_TRUE(d.ok()) << d.error().to_string();
      expect_fallback(*d, i);
    }
    EXPECT_TRUE(failover.circuit_open());
    const std::uint64_t failures = failover.failures();
    for (int i = 3; i < 6; ++i) {  // the open circuit answers without asking Redis
      auto d = failover.apply(policy, "k", 1, Mode::check);
      ASSERT_TRUE(d.ok());
      expect_fallback(*d, i);
    }
    EXPECT_EQ(failover.failures(), failures);
  }
  // Redis answers again: the background probe closes the circuit.
  if (outage() == Outage::stopped) server.start();
  const auto resumed = Steady::now();
  Source source = Source::fallback_local;
  while (Steady::now() - resumed < 10s) {
    auto d = failover.apply(policy, "k", 1, Mode::check);
    ASSERT_TRUE(d.ok());
    source = d->source;
    if (source == Source::store) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(source, Source::store);
  std::printf("[   info   ] back to Redis %lld ms after it resumed\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - resumed).count()));
  EXPECT_LT(Steady::now() - resumed, 1s + kConnectTimeout + kCommandTimeout + kMargin)
      << "decisions return to Redis soon after it does";
}

INSTANTIATE_TEST_SUITE_P(EachPolicy, RedisFailover,
                         ::testing::Combine(::testing::Values(FailurePolicy::allow, FailurePolicy::deny,
                                                              FailurePolicy::local),
                                            ::testing::Values(Outage::stopped, Outage::frozen)),
                         [](const auto& info) {
                           return std::string(to_string(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) == Outage::stopped ? "_WhileStopped" : "_WhileFrozen");
                         });

// The deny cache (DenyCacheStore, core) on RedisStore, flooded by one key.
TEST(RedisDenyCache, AFloodFromOneKeyCostsRedisAboutOneCallPerRetryPeriod) {
  auto store = connect_or_die(test_options(shared_redis().url()));
  DenyCacheStore cached(*store);
  RawRedis redis(shared_redis().port());
  const Policy policy = parse("10/second");  // T = 100 ms, burst 10
  redis.command({"CONFIG", "RESETSTAT"});

  constexpr int kThreads = 4;
  std::atomic<long long> requests{0}, admitted{0}, errors{0};
  const auto start = Steady::now();
  std::vector<std::thread> flood;
  for (int t = 0; t < kThreads; ++t) {
    flood.emplace_back([&] {
      while (Steady::now() - start < 1s) {
        auto d = cached.apply(policy, "abuser", 1, Mode::check);
        ++requests;
        if (!d) {
          ++errors;
        } else if (d->allowed) {
          ++admitted;
        }
      }
    });
  }
  for (std::thread& t : flood) t.join();
  const double periods = std::chrono::duration<double>(Steady::now() - start) / 100ms;
  const long long calls = redis.command_calls("evalsha");

  EXPECT_EQ(errors.load(), 0);
  EXPECT_LE(admitted.load(), 10 + static_cast<long long>(periods) + 1) << "the cache never admits";
  EXPECT_GT(requests.load(), 10 * calls) << "most requests never reach Redis";
  // The burst, then per retry period one admitted and one denied call, plus
  // one call per thread that misses the cache in the same instant; doubled,
  // because on a loaded machine a thread preempted between its miss and
  // Redis's answer lets the others miss too.
  EXPECT_LE(calls, 2 * (10 + static_cast<long long>(periods * (2 + kThreads)) + kThreads))
      << requests.load() << " requests over " << periods << " periods";
  EXPECT_GT(cached.hits(), 0u);
  std::printf("[   info   ] %lld requests, %lld admitted, %lld EVALSHA calls over %.1f retry periods\n",
              requests.load(), admitted.load(), calls, periods);
}

}  // namespace
}  // namespace gcra::testing
