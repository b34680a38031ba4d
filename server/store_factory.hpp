// Builds the store the configuration names: the in-process MemoryStore, or
// a RedisStore behind its failure policy and deny cache.
#pragma once

#include <memory>
#include <string>

#include "config.hpp"
#include "gcra/result.hpp"
#include "gcra/store.hpp"

namespace gcra::server {

// The decorators and the store they wrap, destroyed outermost first.
// Thread-safety: store() is as thread-safe as every gcra Store.
class StoreStack {
 public:
  StoreStack() = default;
  StoreStack(StoreStack&&) noexcept = default;
  StoreStack& operator=(StoreStack&&) noexcept = default;
  ~StoreStack();

  Store& store() const noexcept { return *layers_.back(); }
  // Whether calls may block on the network (decide through apply_async).
  bool remote() const noexcept { return remote_; }
  // For the log: "memory", "redis://127.0.0.1:6379/0 (store_failure local, deny cache on)".
  const std::string& description() const noexcept { return description_; }

  friend Result<StoreStack> make_store(const Config& config);

 private:
  std::vector<std::unique_ptr<Store>> layers_;  // innermost first
  bool remote_ = false;
  std::string description_;
};

Result<StoreStack> make_store(const Config& config);

// Whether this build of gcra-server can use Redis.
bool redis_supported() noexcept;

}  // namespace gcra::server
