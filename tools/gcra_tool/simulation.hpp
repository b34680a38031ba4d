// Replays traffic through a policy on a manual clock: "what would this
// policy have done to my traffic?"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gcra/clock.hpp"
#include "gcra/limiter.hpp"
#include "gcra/memory_store.hpp"
#include "gcra/policy.hpp"
#include "gcra/result.hpp"
#include "gcra_tool/traffic.hpp"

namespace gcra::tool {

// What happened to the requests of one key (or of all keys together).
// Requests are counted, whatever their cost; a cost-0 request (a peek)
// counts as admitted or denied by what it reports.
struct Outcome {
  std::uint64_t admitted = 0;
  std::uint64_t denied = 0;
  std::uint64_t never = 0;                  // of the denied: cost above a burst, never admissible
  std::optional<Instant> first_denied_at;   // the traffic's own time of the first denial

  std::uint64_t requests() const noexcept { return admitted + denied; }
};

// The result of a replay. Thread-safety: a plain value.
struct SimulationResult {
  std::vector<std::string> keys;   // every key seen
  std::vector<Outcome> per_key;    // parallel to `keys`
  Outcome total;
  std::optional<Instant> first_at;  // time of the earliest request, if any
  std::optional<Instant> last_at;   // time of the latest request, if any
};

// Feeds requests, in time order, to Limiter::check on a MemoryStore whose
// ManualClock is set to each request's time. The clock reads 0 at the first request; the
// reported times are the traffic's own.
//
// Thread-safety: none; one thread drives a simulation.
class Simulator {
 public:
  // `keys` names the key indexes that offer() receives.
  Simulator(Policy policy, std::vector<std::string> keys);
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Decides one request. Fails if `at` is earlier than the previous
  // request's, or more than kMaxInstant after the first one's, or if the
  // store refuses the request (which the options given to it rule out).
  Result<void> offer(Instant at, std::uint32_t key, std::uint64_t cost);

  // The counts so far.
  const SimulationResult& result() const noexcept { return result_; }
  // Hands the counts over, leaving the simulator empty.
  SimulationResult take() && { return std::move(result_); }

 private:
  ManualClock clock_;
  MemoryStore store_;  // reads clock_
  Limiter limiter_;    // decides on store_
  SimulationResult result_;
};

// Replays the traffic (sorted by time first, stably) through the policy.
Result<SimulationResult> simulate(const Policy& policy, Traffic traffic);

// Replays synthetic traffic through the policy; its times start at 0.
Result<SimulationResult> simulate(const Policy& policy, const SyntheticTraffic& traffic);

}  // namespace gcra::tool
