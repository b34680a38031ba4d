// The classic GCRA-on-Redis recipe that gcra replaces (see ../shared/
// reference: TIME, SETNX, a redis-py lock, GET, SET, unlock), written in C++ on
// hiredis so that the benchmark compares round trips, not languages. Its
// flaws are kept on purpose: whole-second arithmetic, keys that never
// expire, and a lock per decision.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace gcra::bench {

// Thread-safety: none; one per thread (it owns one connection).
class ClassicRecipe {
 public:
  ClassicRecipe(const std::string& host, int port, std::uint64_t limit, std::chrono::seconds period);

  // True when the request must be refused. Six round trips: TIME, SETNX,
  // the lock (SET NX, as redis-py's Lock), GET, SET, and the lock's release
  // (redis-py's compare-and-delete script).
  bool request_is_limited(const std::string& user);

 private:
  struct Free {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  std::unique_ptr<redisContext, Free> redis_;
  std::int64_t period_s_;
  std::int64_t separation_s_;
  std::string release_sha_;  // redis-py's lock release script
  std::string token_;        // this lock holder's token
};

}  // namespace gcra::bench
