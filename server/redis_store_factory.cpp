#include "redis_store_factory.hpp"

#include <algorithm>

#include "gcra/redis_store.hpp"
#include "log.hpp"

namespace gcra::server {

Result<std::unique_ptr<Store>> make_redis_store(const Config& config) {
  RedisStoreOptions options;
  options.url = config.store;
  options.command_timeout = config.store_timeout;
  options.connect_timeout = std::max<Duration>(config.store_timeout, std::chrono::milliseconds(200));
  options.max_key_bytes = 64 * 1024;  // the API enforces max_key_size, which a reload may raise
  options.require_connection = false;
  auto store = RedisStore::connect(options);
  if (!store) return Error{store.error().code, "store: " + store.error().message};
  if (auto ping = (*store)->ping(); !ping) {
    log_warning("store " + (*store)->url().to_string() + " does not answer yet (" + ping.error().message +
                "); store_failure answers until it does");
  }
  return std::unique_ptr<Store>(std::move(*store));
}

std::string redis_description(const Config& config) {
  auto url = RedisUrl::parse(config.store);
  return url ? url->to_string() : std::string("redis");
}

}  // namespace gcra::server
