// Decision: the answer to "may this request pass?". Being limited is a value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "gcra/clock.hpp"
#include "gcra/policy.hpp"

namespace gcra {

// retry_after of a request whose cost exceeds a rate's burst: it can never
// be admitted, however long the caller waits.
inline constexpr Duration kNever = Duration::max();

// Where a decision came from. Stores with a failure policy (Redis) answer
// from their fallback while the primary is unreachable.
enum class Source : std::uint8_t {
  store,           // the store decided
  fallback_local,  // the store failed; an in-process store decided
  fallback_allow,  // the store failed; the failure policy admitted
  fallback_deny,   // the store failed; the failure policy denied
  deny_cache,      // denied from the local deny cache, without a round trip
};

// How one rate of the policy stands after the decision. (No default member
// initializers: Decision leaves the unused entries unwritten, which keeps a
// decision free of a 200-byte memset.)
struct RateStatus {
  std::uint64_t remaining;  // cost-1 requests this rate admits right now
  Duration retry_after;     // 0 if this rate admits the request, kNever if it never can
  Duration reset_after;     // until this rate is back to full burst
};

// A plain value. Thread-safety: none needed.
struct Decision {
  // Leaves `rates` unwritten (see RateStatus); every other field starts at
  // its default below.
  Decision() noexcept {}  // NOLINT: user-provided on purpose, to skip zeroing `rates`

  bool allowed = false;         // the request was admitted (and, for check, consumed)
  std::uint64_t limit = 0;      // limit of the deciding rate (requests per period)
  std::uint64_t remaining = 0;  // cost-1 requests admissible right now (minimum over rates)
  Duration retry_after{0};      // 0 when allowed; else the exact wait until this same
                                // request is admitted; kNever if cost exceeds a burst
  Duration reset_after{0};      // until the key is back to full burst in every rate
  std::uint8_t rate_index = 0;  // the deciding rate: denying with the longest wait,
                                // or, when allowed, with the fewest remaining
  std::uint8_t rate_count = 0;  // how many entries of `rates` are filled
  Source source = Source::store;
  // Per rate, in policy order; entries at and past rate_count are unspecified.
  std::array<RateStatus, kMaxRatesPerPolicy> rates;

  // True when the request's cost exceeds the burst of some rate.
  bool exceeds_burst() const noexcept { return retry_after == kNever; }
  std::span<const RateStatus> rate_statuses() const noexcept { return {rates.data(), rate_count}; }
};

}  // namespace gcra
