#include "gcra/core.hpp"

#include <algorithm>

namespace gcra {

// All arithmetic is int64 nanoseconds. Bounds that keep it exact: now and
// every stored TAT are at most kMaxInstant + kMaxTolerance (2^62 + 2^60), and
// cost * T is computed only when cost <= burst, so it is at most the
// tolerance (<= 2^60). Every sum below therefore stays under 2^63.
Decision decide(const Policy& policy, std::span<Tat> tats, Instant now, std::uint64_t cost,
                Mode mode) noexcept {
  Decision d;
  decide_into(d, policy, tats, now, cost, mode);
  return d;
}

void decide_into(Decision& d, const Policy& policy, std::span<Tat> tats, Instant now,
                 std::uint64_t cost, Mode mode) noexcept {
  if (cost == 0) {
    cost = 1;
    mode = Mode::peek;
  }
  const std::int64_t t = now.count();
  const std::span<const Rate> rates = policy.rates();
  const std::size_t n = rates.size();

  // Pass 1: how far ahead of now each rate is booked, and whether the
  // request fits in every rate.
  std::array<std::int64_t, kMaxRatesPerPolicy> used;    // booked time ahead of now
  std::array<std::int64_t, kMaxRatesPerPolicy> booked;  // used + cost*T; -1: can never fit
  bool allowed = true;
  for (std::size_t i = 0; i < n; ++i) {
    used[i] = tats[i] > t ? tats[i] - t : 0;
    if (cost > rates[i].burst()) {
      booked[i] = -1;  // never fits
      allowed = false;
      continue;
    }
    booked[i] = used[i] + static_cast<std::int64_t>(cost) * rates[i].emission_interval().count();
    allowed = allowed && booked[i] <= rates[i].tolerance().count();
  }

  // Pass 2: report each rate as its state stands after the decision.
  const bool consumes = allowed && mode == Mode::check;
  // Every field is written here (a caller's Decision may hold anything).
  d.allowed = allowed;
  d.rate_count = static_cast<std::uint8_t>(n);
  d.rate_index = 0;
  d.reset_after = Duration::zero();
  d.source = Source::store;
  std::uint64_t min_remaining = UINT64_MAX;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t interval = rates[i].emission_interval().count();
    const std::int64_t tolerance = rates[i].tolerance().count();
    const std::int64_t after = consumes ? booked[i] : used[i];
    RateStatus& s = d.rates[i];
    s.remaining = after >= tolerance ? 0 : static_cast<std::uint64_t>((tolerance - after) / interval);
    s.reset_after = Duration{after};
    s.retry_after = booked[i] < 0           ? kNever
                    : booked[i] > tolerance ? Duration{booked[i] - tolerance}
                                            : Duration::zero();
    if (consumes) tats[i] = t + booked[i];

    // The deciding rate: when denied, the longest wait; when allowed, the
    // fewest remaining. Ties go to the earlier rate.
    const RateStatus& best = d.rates[d.rate_index];
    if (allowed ? s.remaining < best.remaining : s.retry_after > best.retry_after) {
      d.rate_index = static_cast<std::uint8_t>(i);
    }
    min_remaining = std::min(min_remaining, s.remaining);
    d.reset_after = std::max(d.reset_after, s.reset_after);
  }
  d.limit = rates[d.rate_index].limit();
  d.remaining = min_remaining;
  d.retry_after = d.rates[d.rate_index].retry_after;
}

bool is_idle(std::span<const Tat> tats, Instant now) noexcept {
  return std::all_of(tats.begin(), tats.end(), [t = now.count()](Tat tat) { return tat <= t; });
}

}  // namespace gcra
