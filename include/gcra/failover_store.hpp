// FailoverStore: what to answer when a remote store fails.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "gcra/clock.hpp"
#include "gcra/memory_store.hpp"
#include "gcra/store.hpp"

namespace gcra {

enum class FailurePolicy : std::uint8_t {
  allow,  // fail open: admit, and claim nothing about the count
  deny,   // fail closed: deny with deny_retry_after
  local,  // decide with an in-process MemoryStore of the same policy
};

// Parses "allow", "deny" or "local".
Result<FailurePolicy> parse_failure_policy(std::string_view text);
std::string_view to_string(FailurePolicy policy) noexcept;

struct FailoverOptions {
  FailurePolicy policy = FailurePolicy::local;  // what answers while the primary fails
  int failures_to_open = 3;                     // consecutive failures that open the circuit
  Duration probe_interval = std::chrono::milliseconds(200);  // ping period while open
  Duration deny_retry_after = std::chrono::seconds(1);       // retry_after of fail-closed denials
  MemoryStoreOptions local{};                   // the in-process store of FailurePolicy::local
  const Clock* local_clock = nullptr;           // its clock; null = SteadyClock
};

// Wraps a store whose calls can fail (RedisStore). While the primary
// answers, its decisions pass through untouched. When a call fails with
// unavailable, timeout, protocol or internal, the failure policy answers
// instead, marked Source::fallback_*. After `failures_to_open` consecutive
// failures the circuit opens: calls no longer wait on the primary, and a
// background thread pings it every `probe_interval`; the first successful
// ping closes the circuit. invalid_argument errors are the caller's and are
// returned as they are.
//
// Thread-safety: fully thread-safe, like every Store. The primary must
// outlive this object.
class FailoverStore final : public Store {
 public:
  explicit FailoverStore(Store& primary, FailoverOptions options = {});
  ~FailoverStore() override;
  FailoverStore(const FailoverStore&) = delete;
  FailoverStore& operator=(const FailoverStore&) = delete;

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                         Mode mode) override;
  // Resets the key in the primary (an error is returned as it is) and in
  // the local fallback store.
  Result<void> reset(const Policy& policy, std::string_view key) override;
  std::vector<Result<Decision>> apply_batch(std::span<const Request> requests) override;
  void apply_async(const Request& request, Callback done) override;
  Result<void> ping() override { return primary_.ping(); }

  bool circuit_open() const noexcept { return open_.load(std::memory_order_acquire); }
  // Decisions answered by the failure policy since construction.
  std::uint64_t fallbacks() const noexcept { return fallbacks_.load(std::memory_order_relaxed); }
  // Calls to the primary that failed since construction.
  std::uint64_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }

 private:
  Result<Decision> fallback(const Request& request);
  // Counts a failed primary call (opening the circuit if it is the Nth in
  // a row) and returns the fallback answer; passes other results through.
  Result<Decision> settle(const Request& request, Result<Decision> result);
  void probe_loop();

  Store& primary_;
  FailoverOptions options_;
  MemoryStore local_;
  std::atomic<bool> open_{false};
  std::atomic<int> consecutive_failures_{0};
  std::atomic<std::uint64_t> fallbacks_{0};
  std::atomic<std::uint64_t> failures_{0};

  std::mutex mutex_;  // guards stopping_ and the wake-ups of prober_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread prober_;
};

}  // namespace gcra
