// A real redis-server for tests: Debian's binary on a free loopback port,
// persistence off, in its own temporary directory, stopped by PID.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/child_process.hpp"
#include "support/free_port.hpp"

namespace gcra::testing {

// Thread-safety: not thread-safe; owned by one test or fixture.
class RedisServer {
 public:
  RedisServer() : port_(free_port()) {
    char tmpl[] = "/tmp/gcra-redis-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    start();
  }
  ~RedisServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const noexcept { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const noexcept { return dir_; }

  // Starts redis-server on the same port (again) and waits until it answers.
  void start() {
    process_.start({"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", dir_, "--daemonize", "no", "--protected-mode", "no"},
                   dir_ + "/redis.log");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!answers_ping()) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("redis-server did not start on port " + std::to_string(port_) +
                                 "; see " + dir_ + "/redis.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  void stop() { process_.stop(SIGTERM); }
  void restart() {
    stop();
    start();
  }

  bool answers_ping() const {
    timeval tv{0, 200'000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    bool ok = false;
    if (c && !c->err) {
      auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
      ok = reply && reply->type == REDIS_REPLY_STATUS;
      if (reply) freeReplyObject(reply);
    }
    if (c) redisFree(c);
    return ok;
  }

 private:
  int port_;
  std::string dir_;
  ChildProcess process_;
};

}  // namespace gcra::testing
