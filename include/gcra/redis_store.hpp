// RedisStore: keys' state in Redis, shared by every process of a fleet.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/clock.hpp"
#include "gcra/redis_url.hpp"
#include "gcra/store.hpp"

namespace gcra {

struct RedisStoreOptions {
  std::string url = "redis://127.0.0.1:6379";  // see RedisUrl: redis://[user:password@]host:port[/db], unix:///path
  Duration connect_timeout = std::chrono::milliseconds(500);  // to connect, AUTH, SELECT and load the script
  Duration command_timeout = std::chrono::milliseconds(250);  // for Redis to answer a sent command
  std::size_t pool_size = 8;          // connections for apply, reset, apply_batch and ping
  std::size_t async_connections = 1;  // pipelined connections for apply_async, one I/O thread each;
                                      // 0 = apply_async decides synchronously on the caller's thread
  std::string key_prefix = "gcra:";   // starts every Redis key this store writes
  std::size_t max_key_bytes = 1024;   // longer keys are rejected (prefix and policy name not counted)
  bool require_connection = true;     // connect() fails unless Redis answers; false: start regardless
  const Clock* time_source = nullptr; // TEST ONLY: take "now" from this clock instead of Redis TIME
};

// The state of each (policy, key) in one Redis string, decided by one Lua
// script per request: one round trip, atomic across every rate of the
// policy and every process sharing the server. "Now" is Redis TIME, so
// hosts with skewed clocks agree. A key expires (PXAT, an absolute instant)
// when its state is back to idle. Decisions are exactly those of
// gcra::decide, like every store's (see docs/redis.md).
//
// Failures are Error values, never exceptions or hangs: unavailable when
// Redis cannot be reached, timeout when it does not answer within
// command_timeout (plus connect_timeout when a connection must be opened
// first). Connections reconnect by themselves on the next call. For a
// failure policy (fail open, closed or to a local store) and a circuit
// breaker, wrap this store in a FailoverStore; to spare Redis the requests
// of keys it has just denied, in a DenyCacheStore.
//
// Thread-safety: fully thread-safe. apply, reset, apply_batch and ping run
// on the caller's thread over a pool of connections; apply_async runs
// callbacks on the store's I/O threads, where they must not block.
class RedisStore final : public Store {
 public:
  // Validates the options, then (if require_connection) connects once to
  // check the URL, the credentials and the database. Errors name the
  // offending value (never the password).
  static Result<std::unique_ptr<RedisStore>> connect(RedisStoreOptions options);

  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost, Mode mode) override;
  Result<void> reset(const Policy& policy, std::string_view key) override;
  // All requests in one pipelined write on one connection, then all replies.
  std::vector<Result<Decision>> apply_batch(std::span<const Request> requests) override;
  // Queues the request on a pipelined connection; `done` runs on its I/O
  // thread. Many requests are in flight at once without a thread each.
  void apply_async(const Request& request, Callback done) override;
  // PING.
  Result<void> ping() override;

  // The Redis key holding `key`'s state under `policy`:
  // key_prefix + "{" + key + "}:" + policy name (a Redis Cluster hash tag
  // per identity).
  std::string redis_key(const Policy& policy, std::string_view key) const;

  const RedisStoreOptions& options() const noexcept;
  const RedisUrl& url() const noexcept;

 private:
  struct Impl;
  explicit RedisStore(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gcra
