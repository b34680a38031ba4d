// Limiter: one policy on one store, the everyday entry point.
#pragma once

#include <cstdint>
#include <string_view>

#include "gcra/decision.hpp"
#include "gcra/policy.hpp"
#include "gcra/result.hpp"
#include "gcra/store.hpp"

namespace gcra {

// Thread-safety: as safe as its store (every gcra store is fully
// thread-safe). The store must outlive the limiter.
//
//   gcra::MemoryStore store;
//   gcra::Limiter limiter(store, gcra::Policy::parse("100/minute;1000/hour").value());
//   auto d = limiter.check("user:42");
//   if (d && !d->allowed) { /* 429, Retry-After: d->retry_after */ }
class Limiter {
 public:
  Limiter(Store& store, Policy policy) : store_(&store), policy_(std::move(policy)) {}

  // Takes `cost` from `key` if every rate admits it. Cost 0 = peek(key).
  Result<Decision> check(std::string_view key, std::uint64_t cost = 1) {
    return store_->apply(policy_, key, cost, Mode::check);
  }
  // What check(key, cost) would decide, changing nothing.
  Result<Decision> peek(std::string_view key, std::uint64_t cost = 1) {
    return store_->apply(policy_, key, cost, Mode::peek);
  }
  // Puts `key` back at full burst in every rate.
  Result<void> reset(std::string_view key) { return store_->reset(policy_, key); }

  // The classic recipe's question. True only when the store decided to deny;
  // a store error answers false (fail open), because a failing limiter must
  // not turn into an outage. Use check() to see errors.
  bool request_is_limited(std::string_view key, std::uint64_t cost = 1) {
    auto d = check(key, cost);
    return d && !d->allowed;
  }

  const Policy& policy() const noexcept { return policy_; }
  Store& store() const noexcept { return *store_; }

 private:
  Store* store_;
  Policy policy_;
};

}  // namespace gcra
