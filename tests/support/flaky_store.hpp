// A fake remote store for tests: a MemoryStore that fails on demand and
// counts the calls that reach it.
#pragma once

#include <atomic>

#include "gcra/memory_store.hpp"

namespace gcra::testing {

// Thread-safety: fully thread-safe, like the MemoryStore it wraps.
class FlakyStore final : public Store {
 public:
  explicit FlakyStore(const Clock& clock) : inner_({}, clock) {}

  // While down, every call fails with `code`, as a dead Redis would.
  void set_down(bool down, ErrorCode code = ErrorCode::unavailable) {
    code_.store(code);
    down_.store(down);
  }
  std::uint64_t calls() const { return calls_.load(); }
  std::uint64_t pings() const { return pings_.load(); }

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost, Mode mode) override {
    ++calls_;
    if (down_) return failure();
    return inner_.apply(policy, key, cost, mode);
  }
  Result<void> reset(const Policy& policy, std::string_view key) override {
    ++calls_;
    if (down_) return failure();
    return inner_.reset(policy, key);
  }
  Result<void> ping() override {
    ++pings_;
    if (down_) return failure();
    return {};
  }

 private:
  Error failure() const { return Error{code_.load(), "flaky store is down"}; }

  MemoryStore inner_;
  std::atomic<bool> down_{false};
  std::atomic<ErrorCode> code_{ErrorCode::unavailable};
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> pings_{0};
};

}  // namespace gcra::testing
