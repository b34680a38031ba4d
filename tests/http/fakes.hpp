// Fakes for the HTTP tests: a store that fails on demand and a store that
// records the keys it is asked about. Both wrap a real store.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/store.hpp"

namespace gcra::testing {

// Forwards to `inner` until told to fail; then every call fails with
// ErrorCode::unavailable, as a Redis store whose server went away would.
// Thread-safety: fully thread-safe, like every Store.
class FlakyStore final : public Store {
 public:
  explicit FlakyStore(Store& inner) : inner_(inner) {}

  void set_down(bool down) { down_.store(down, std::memory_order_release); }
  bool down() const { return down_.load(std::memory_order_acquire); }
  int calls() const { return calls_.load(); }

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                         Mode mode) override {
    ++calls_;
    if (down()) return unavailable();
    return inner_.apply(policy, key, cost, mode);
  }
  Result<void> reset(const Policy& policy, std::string_view key) override {
    if (down()) return unavailable();
    return inner_.reset(policy, key);
  }
  Result<void> ping() override {
    if (down()) return unavailable();
    return {};
  }

 private:
  static Error unavailable() { return Error{ErrorCode::unavailable, "flaky store is down"}; }

  Store& inner_;
  std::atomic<bool> down_{false};
  std::atomic<int> calls_{0};
};

// Forwards to `inner`, remembering every key it was asked about.
// Thread-safety: fully thread-safe.
class RecordingStore final : public Store {
 public:
  explicit RecordingStore(Store& inner) : inner_(inner) {}

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                         Mode mode) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      keys_.emplace_back(key);
    }
    return inner_.apply(policy, key, cost, mode);
  }
  Result<void> reset(const Policy& policy, std::string_view key) override {
    return inner_.reset(policy, key);
  }

  std::vector<std::string> keys() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return keys_;
  }

 private:
  Store& inner_;
  mutable std::mutex mutex_;
  std::vector<std::string> keys_;
};

}  // namespace gcra::testing
