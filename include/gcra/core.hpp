// The GCRA arithmetic: a pure function of (state, now, policy, cost).
// No I/O, no clock reads, no allocation, no floating point.
#pragma once

#include <cstdint>
#include <span>

#include "gcra/clock.hpp"
#include "gcra/decision.hpp"
#include "gcra/policy.hpp"

namespace gcra {

// Whether an admitted request takes its cost from the key's state.
enum class Mode : std::uint8_t {
  check,  // consume the cost if every rate admits it
  peek,   // only report what check would decide; never change state
};

// One theoretical arrival time per rate, in ns of the store's clock; 0 (or
// any instant <= now) means the rate is idle, at full burst.
using Tat = std::int64_t;

// Decides a request of `cost` for one key whose state is `tats` (one entry
// per rate of `policy`, in order). All or nothing: the request is admitted
// only if every rate admits it, and a denied request changes nothing.
// On an admitted check with cost > 0, `tats` is advanced in place; otherwise
// it is left untouched. Cost 0 is a peek at a cost-1 request.
// Preconditions: tats.size() == policy.rates().size(); 0 <= now <= kMaxInstant.
Decision decide(const Policy& policy, std::span<Tat> tats, Instant now, std::uint64_t cost,
                Mode mode = Mode::check) noexcept;

// The same, writing into `out` (which stores use to decide straight into
// the Result they return, without copying a Decision).
void decide_into(Decision& out, const Policy& policy, std::span<Tat> tats, Instant now,
                 std::uint64_t cost, Mode mode = Mode::check) noexcept;

// True when every rate of the state is idle at `now`: the state carries no
// information and a store may forget it.
bool is_idle(std::span<const Tat> tats, Instant now) noexcept;

}  // namespace gcra
