#include "classic_recipe.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace gcra::bench {
namespace {

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, FreeReply>;

template <class... Args>
Reply run(redisContext* c, const char* format, const Args&... args) {
  Reply r(static_cast<redisReply*>(redisCommand(c, format, args.c_str()...)));
  if (!r) throw std::runtime_error(std::string("redis: ") + c->errstr);
  return r;
}

// What redis-py's Lock.release() runs: delete the lock only if it is ours.
constexpr const char* kRelease =
    "local token = redis.call('get', KEYS[1]) "
    "if not token or token ~= ARGV[1] then return 0 end "
    "redis.call('del', KEYS[1]) return 1";

}  // namespace

ClassicRecipe::ClassicRecipe(const std::string& host, int port, std::uint64_t limit, std::chrono::seconds period)
    : redis_(redisConnect(host.c_str(), port)),
      period_s_(period.count()),
      // The recipe's arithmetic: whole seconds, rounded.
      separation_s_(std::llround(static_cast<double>(period.count()) / static_cast<double>(limit))) {
  if (!redis_ || redis_->err) throw std::runtime_error("cannot connect to redis on port " + std::to_string(port));
  release_sha_ = run(redis_.get(), "SCRIPT LOAD %s", std::string(kRelease))->str;
  token_ = "token-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
}

bool ClassicRecipe::request_is_limited(const std::string& user) {
  redisContext* c = redis_.get();
  const std::string key = "throttling-" + user + "-" + std::to_string(period_s_);
  const std::string lock = "lock:" + key;
  Reply now = run(c, "TIME");
  const std::int64_t time_s = std::stoll(now->element[0]->str);
  run(c, "SETNX %s 0", key);
  while (run(c, "SET %s %s NX", lock, token_)->type == REDIS_REPLY_NIL) {
  }
  Reply value = run(c, "GET %s", key);
  const std::int64_t tat = std::max<std::int64_t>(std::stoll(value->str), time_s);
  bool limited = true;
  if (tat - time_s <= period_s_ - separation_s_) {
    run(c, "SET %s %s", key, std::to_string(tat + separation_s_));
    limited = false;
  }
  run(c, "EVALSHA %s 1 %s %s", release_sha_, lock, token_);
  return limited;
}

}  // namespace gcra::bench
