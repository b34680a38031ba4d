// The Redis part of make_store(), compiled only when gcra_redis is built.
#pragma once

#include <memory>
#include <string>

#include "config.hpp"
#include "gcra/result.hpp"
#include "gcra/store.hpp"

namespace gcra::server {

// A RedisStore for config.store (a redis:// URL) with config.store_timeout
// as its command deadline. It starts even if Redis is down (the failure
// policy answers until it is back); a malformed URL is an error.
Result<std::unique_ptr<Store>> make_redis_store(const Config& config);

// config.store with any password hidden, for the log.
std::string redis_description(const Config& config);

}  // namespace gcra::server
