// The server's Prometheus metrics: decisions by policy and outcome, shadow
// denials, store errors and fallbacks, deny-cache hits, requests and their
// latency by endpoint, connections, config reloads.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gcra/clock.hpp"
#include "gcra/decision.hpp"

namespace gcra::server {

// The routes requests are counted under.
enum class Endpoint : std::uint8_t { check, peek, reset, forward_auth, metrics, healthz, readyz, other };
inline constexpr std::size_t kEndpointCount = 8;

// A counter written by one thread only (its own slot), read by any: a plain
// load and store instead of a locked read-modify-write.
class SlotCounter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// What became of one decision.
enum class Outcome : std::uint8_t {
  allowed,        // admitted
  denied,         // refused
  shadow_denied,  // refused by the limits, admitted because the policy is in shadow mode
};

// Decision counters of one policy, one slot per I/O thread.
// Thread-safety: worker `w` may call record(w, ...) while others read.
class PolicyCounters {
 public:
  explicit PolicyCounters(std::size_t workers) : slots_(workers) {}
  void record(std::size_t worker, Outcome outcome) noexcept {
    slots_[worker].by_outcome[static_cast<std::size_t>(outcome)].add();
  }
  std::uint64_t total(Outcome outcome) const noexcept;

 private:
  struct alignas(64) Slot {
    std::array<SlotCounter, 3> by_outcome;
  };
  std::vector<Slot> slots_;
};

// Thread-safety: the record_* methods taking a worker index may be called
// by that worker's thread only (each worker writes its own slot); every
// other method may be called from any thread.
class Metrics {
 public:
  explicit Metrics(std::size_t workers);

  // The counters of the policy named `name`. The same name always gets the
  // same counters, so a policy keeps its totals across config reloads.
  std::shared_ptr<PolicyCounters> policy(const std::string& name);

  void record_request(std::size_t worker, Endpoint endpoint, unsigned status,
                      Duration latency) noexcept;
  // A decision's source other than the store itself (fallbacks, deny cache).
  void record_source(std::size_t worker, Source source) noexcept;
  // The store failed and nothing fell back: the caller got an error.
  void record_store_error(std::size_t worker) noexcept;

  void connection_opened() noexcept { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() noexcept { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void connection_rejected() noexcept { rejected_connections_.fetch_add(1, std::memory_order_relaxed); }
  void config_reloaded(bool ok) noexcept {
    (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed);
  }

  // Everything, in the Prometheus text exposition format 0.0.4.
  std::string render() const;

  // The histogram's upper bounds, in ns.
  static constexpr std::array<std::int64_t, 14> kLatencyBounds{
      100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000,
      25'000'000, 50'000'000, 100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000};
  // Statuses counted on their own; others are counted as "other".
  static constexpr std::array<unsigned, 15> kStatuses{200, 400, 401, 403, 404, 405, 408, 413,
                                                      415, 429, 431, 500, 501, 503, 0};

 private:
  struct EndpointSlot {
    std::array<SlotCounter, kLatencyBounds.size() + 1> buckets;  // last: +Inf
    SlotCounter latency_sum_ns;
    std::array<SlotCounter, kStatuses.size()> by_status;         // last: other
  };
  struct alignas(64) WorkerSlot {
    std::array<EndpointSlot, kEndpointCount> endpoints;
    SlotCounter store_errors;
    SlotCounter fallback_local;
    SlotCounter fallback_allow;
    SlotCounter fallback_deny;
    SlotCounter deny_cache_hits;
  };

  std::size_t workers_;
  std::unique_ptr<WorkerSlot[]> slots_;
  mutable std::mutex policies_mutex_;  // guards policies_ (the map, not the counters)
  std::map<std::string, std::shared_ptr<PolicyCounters>> policies_;
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> rejected_connections_{0};
  std::atomic<std::uint64_t> reloads_ok_{0};
  std::atomic<std::uint64_t> reloads_failed_{0};
};

std::string_view endpoint_name(Endpoint endpoint) noexcept;

}  // namespace gcra::server
