// Helpers for the Redis store's tests: a plain hiredis client to look at
// what the store wrote, a redis-server shared by one test binary, and
// unique key prefixes so that tests never see each other's keys.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/redis_store.hpp"
#include "support/redis_server.hpp"

namespace gcra::testing {

// A direct connection to a test's redis-server, for inspecting and
// disturbing it (EXISTS, PTTL, SCRIPT FLUSH, INFO, ...). Not thread-safe.
class RawRedis {
 public:
  explicit RawRedis(int port) {
    timeval tv{2, 0};
    context_.reset(redisConnectWithTimeout("127.0.0.1", port, tv));
    if (!context_ || context_->err) throw std::runtime_error("cannot connect to redis-server on port " + std::to_string(port));
    redisSetTimeout(context_.get(), tv);
  }

  struct Reply {
    int type = REDIS_REPLY_NIL;
    long long integer = 0;
    std::string str;
    std::vector<Reply> elements;
  };

  // Runs a command given as separate (binary-safe) arguments.
  Reply command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(context_.get(), static_cast<int>(args.size()), argv.data(), lens.data()));
    if (!raw) throw std::runtime_error("redis command failed: " + std::string(context_->errstr));
    Reply out = convert(*raw);
    freeReplyObject(raw);
    return out;
  }
  long long integer(const std::vector<std::string>& args) { return command(args).integer; }
  std::string string(const std::vector<std::string>& args) { return command(args).str; }

  // Redis TIME in ns since 1970.
  std::int64_t time_ns() {
    Reply t = command({"TIME"});
    return std::stoll(t.elements.at(0).str) * 1'000'000'000 + std::stoll(t.elements.at(1).str) * 1000;
  }
  // calls= of `cmdstat_<command>` in INFO commandstats (0 if never called).
  long long command_calls(const std::string& command) {
    const std::string info = string({"INFO", "commandstats"});
    const std::string tag = "cmdstat_" + command + ":calls=";
    const std::size_t at = info.find(tag);
    return at == std::string::npos ? 0 : std::stoll(info.substr(at + tag.size()));
  }
  // The server's process id (to stop and continue it by PID).
  pid_t pid() {
    const std::string info = string({"INFO", "server"});
    const std::string tag = "process_id:";
    return static_cast<pid_t>(std::stol(info.substr(info.find(tag) + tag.size())));
  }

 private:
  static Reply convert(const redisReply& r) {
    Reply out;
    out.type = r.type;
    out.integer = r.integer;
    if (r.str) out.str.assign(r.str, r.len);
    for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
    return out;
  }
  struct Free {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  std::unique_ptr<redisContext, Free> context_;
};

// One redis-server per test binary, started on first use, stopped at exit.
inline RedisServer& shared_redis() {
  static RedisServer server;
  return server;
}

// A key prefix no other test of this process uses.
inline std::string unique_prefix() {
  static std::atomic<int> next{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string("t:") + (info ? info->name() : "x") + ":" + std::to_string(next.fetch_add(1)) + ":";
}

// Options for a store on `url` with test-friendly timeouts: generous enough
// for a loaded 2-core machine under sanitizers.
inline RedisStoreOptions test_options(const std::string& url, std::string prefix = unique_prefix()) {
  RedisStoreOptions o;
  o.url = url;
  o.key_prefix = std::move(prefix);
  o.connect_timeout = std::chrono::seconds(2);
  o.command_timeout = std::chrono::seconds(2);
  return o;
}

inline std::unique_ptr<RedisStore> connect_or_die(RedisStoreOptions options) {
  auto store = RedisStore::connect(std::move(options));
  if (!store) throw std::runtime_error(store.error().to_string());
  return std::move(*store);
}

// Stops a process with SIGSTOP until destroyed (a Redis that hangs).
class Frozen {
 public:
  explicit Frozen(pid_t pid) : pid_(pid) { ::kill(pid_, SIGSTOP); }
  ~Frozen() { ::kill(pid_, SIGCONT); }
  Frozen(const Frozen&) = delete;
  Frozen& operator=(const Frozen&) = delete;

 private:
  pid_t pid_;
};

// Waits for `n` asynchronous callbacks, at most `limit`. Thread-safe.
class Countdown {
 public:
  explicit Countdown(std::size_t n) : left_(n) {}
  void done() {
    std::lock_guard<std::mutex> guard(mutex_);
    if (left_ > 0 && --left_ == 0) zero_.notify_all();
  }
  bool wait(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return zero_.wait_for(lock, limit, [&] { return left_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  std::size_t left_;
};

}  // namespace gcra::testing
