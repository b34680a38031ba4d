// Rate: `limit` requests per `period`, admitting up to `burst` at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gcra/clock.hpp"
#include "gcra/result.hpp"

namespace gcra {

// The longest tolerance (burst x emission interval) gcra accepts: 2^60 ns,
// about 36 years. Together with kMaxInstant it keeps every sum in int64.
inline constexpr Duration kMaxTolerance{std::int64_t{1} << 60};

// An immutable, always-valid rate. Thread-safety: immutable, share freely.
//
// GCRA terms: the emission interval T = period / limit, rounded down to whole
// nanoseconds (exact whenever period is a multiple of limit, as in 100/minute;
// otherwise the effective rate is faster by less than 1 ns per request, see
// docs/gcra.md), and the tolerance tau = burst x T. A request of cost c is
// admitted iff max(tat, now) + c*T - now <= tau.
class Rate {
 public:
  // Throws std::invalid_argument naming the bad value; see make().
  Rate(std::uint64_t limit, Duration period, std::optional<std::uint64_t> burst = std::nullopt);

  // limit >= 1; period > 0 and at least `limit` ns (one request per
  // nanosecond at most); burst >= 1, defaulting to limit; burst x T must not
  // exceed kMaxTolerance.
  static Result<Rate> make(std::uint64_t limit, Duration period,
                           std::optional<std::uint64_t> burst = std::nullopt);

  // One rate: "100/minute", "100 per minute", "10/5s", "10r/s",
  // "100/minute burst 20" (also "burst=20"). See docs/rates.md for the grammar.
  static Result<Rate> parse(std::string_view text);

  std::uint64_t limit() const noexcept { return limit_; }
  Duration period() const noexcept { return period_; }
  std::uint64_t burst() const noexcept { return burst_; }
  Duration emission_interval() const noexcept { return interval_; }
  Duration tolerance() const noexcept { return tolerance_; }

  // Canonical text that parse() accepts back: "100/minute", "10/5s burst 3".
  std::string to_string() const;

  friend bool operator==(const Rate&, const Rate&) = default;

 private:
  Rate() = default;

  std::uint64_t limit_ = 0;
  Duration period_{0};
  std::uint64_t burst_ = 0;
  Duration interval_{0};
  Duration tolerance_{0};
};

}  // namespace gcra
