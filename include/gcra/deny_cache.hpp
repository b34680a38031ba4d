// DenyCacheStore: remembers denials so that an abusive key stops costing
// round trips to a remote store.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "gcra/clock.hpp"
#include "gcra/store.hpp"

namespace gcra {

struct DenyCacheOptions {
  std::size_t max_entries = 100'000;  // denials remembered at once; beyond, new ones are not
  const Clock* clock = nullptr;       // local clock for expiry; null = SteadyClock
};

// Wraps a store (RedisStore). When the inner store denies a key, the denial
// is remembered until its retry time; until then, checks and peeks of that
// key under that policy at the same or a higher cost are denied here,
// without a round trip, marked Source::deny_cache.
//
// Exact for GCRA: a key's TAT never moves backwards except by reset, so a
// request denied until t stays denied until t whatever other instances do.
// The deadline is measured from before the round trip, so the cache never
// denies later than the store would. A reset through this object clears
// the entry; a reset through another instance is seen here only when the
// entry expires (at most one retry period later). Denials of a cost above
// the burst are not remembered (they never expire).
//
// Thread-safety: fully thread-safe. The inner store must outlive this.
class DenyCacheStore final : public Store {
 public:
  explicit DenyCacheStore(Store& inner, DenyCacheOptions options = {});
  ~DenyCacheStore() override;
  DenyCacheStore(const DenyCacheStore&) = delete;
  DenyCacheStore& operator=(const DenyCacheStore&) = delete;

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                         Mode mode) override;
  Result<void> reset(const Policy& policy, std::string_view key) override;
  std::vector<Result<Decision>> apply_batch(std::span<const Request> requests) override;
  void apply_async(const Request& request, Callback done) override;
  Result<void> ping() override { return inner_.ping(); }

  // Requests answered from the cache since construction.
  std::uint64_t hits() const noexcept { return hits_.load(std::memory_order_relaxed); }
  // Denials currently remembered (expired ones not yet dropped included).
  std::size_t size() const;

 private:
  class Table;
  // The cached denial for this request, if one still applies at `now`.
  std::optional<Decision> lookup(const Request& request, Instant now);
  void remember(const Request& request, const Decision& decision, Instant asked_at);

  Store& inner_;
  const Clock& clock_;
  std::unique_ptr<Table> table_;
  std::atomic<std::uint64_t> hits_{0};
};

}  // namespace gcra
