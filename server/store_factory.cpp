#include "store_factory.hpp"

#include "gcra/deny_cache.hpp"
#include "gcra/failover_store.hpp"
#include "gcra/memory_store.hpp"
#if GCRA_SERVER_WITH_REDIS
#include "redis_store_factory.hpp"
#endif

namespace gcra::server {

StoreStack::~StoreStack() {
  while (!layers_.empty()) layers_.pop_back();  // outermost first
}

bool redis_supported() noexcept { return GCRA_SERVER_WITH_REDIS != 0; }

Result<StoreStack> make_store(const Config& config) {
  StoreStack stack;
  if (config.store == "memory") {
    MemoryStoreOptions options;
    options.max_key_bytes = 64 * 1024;  // the API enforces max_key_size, which a reload may raise
    stack.layers_.push_back(std::make_unique<MemoryStore>(options));
    stack.description_ = "memory";
    return stack;
  }
#if GCRA_SERVER_WITH_REDIS
  auto redis = make_redis_store(config);
  if (!redis) return redis.error();
  stack.layers_.push_back(std::move(*redis));
  stack.remote_ = true;
  FailoverOptions failover;
  switch (config.store_failure) {
    case StoreFailure::allow: failover.policy = FailurePolicy::allow; break;
    case StoreFailure::deny: failover.policy = FailurePolicy::deny; break;
    case StoreFailure::local: failover.policy = FailurePolicy::local; break;
  }
  stack.layers_.push_back(std::make_unique<FailoverStore>(*stack.layers_.back(), failover));
  if (config.deny_cache) {
    stack.layers_.push_back(std::make_unique<DenyCacheStore>(*stack.layers_.back()));
  }
  stack.description_ = redis_description(config) + " (store_failure " +
                       std::string(to_string(failover.policy)) + ", deny cache " +
                       (config.deny_cache ? "on" : "off") + ")";
  return stack;
#else
  return Error{ErrorCode::invalid_argument,
               "store '" + config.store + "': this gcra-server was built without Redis support (hiredis)"};
#endif
}

}  // namespace gcra::server
