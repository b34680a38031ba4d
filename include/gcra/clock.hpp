// Clocks. A store owns "now": it reads its clock once per decision and hands
// the instant to the pure core. Tests inject a ManualClock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gcra {

// A length of time, in integer nanoseconds.
using Duration = std::chrono::nanoseconds;
// A point in time: nanoseconds since the epoch of the clock that produced it.
// Only instants of the same clock are comparable. Valid instants lie in
// [0, kMaxInstant].
using Instant = std::chrono::nanoseconds;

// 2^62 ns: year 2116 on the Unix epoch. The core's arithmetic stays in int64
// for any instant up to this and any rate gcra accepts.
inline constexpr Instant kMaxInstant{std::int64_t{1} << 62};

// Thread-safety: every Clock's now() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const noexcept = 0;
};

// std::chrono::steady_clock: monotonic, precise to the nanosecond. The default.
class SteadyClock final : public Clock {
 public:
  Instant now() const noexcept override;
  static const SteadyClock& instance() noexcept;
};

// CLOCK_MONOTONIC_COARSE: several times cheaper to read, but advances in
// ticks of the kernel's timer (typically 1-4 ms). Decisions stay exact with
// respect to the clock; the clock itself lags real time by up to one tick.
class CoarseClock final : public Clock {
 public:
  Instant now() const noexcept override;
  static const CoarseClock& instance() noexcept;
};

// The CPU's time-stamp counter, scaled to nanoseconds: about twice as cheap
// to read as steady_clock and as precise (well under a microsecond), for
// hot paths where the clock read dominates. Its rate is calibrated against
// steady_clock once (20 ms, at first use), so over long runs it may drift
// from steady_clock by a few parts per million, which changes rates by as
// much and no more; decisions stay exact with respect to this clock. Needs
// an invariant TSC (constant_tsc and nonstop_tsc, as on current x86-64
// servers); where there is none, it reads steady_clock instead.
class TscClock final : public Clock {
 public:
  Instant now() const noexcept override;
  static const TscClock& instance();
  // False when this machine has no usable TSC and now() reads steady_clock.
  bool uses_tsc() const noexcept { return multiplier_ != 0; }

 private:
  TscClock();
  std::uint64_t base_ticks_ = 0;
  std::int64_t base_ns_ = 0;
  std::uint64_t multiplier_ = 0;  // ns per tick, fixed point with 32 fractional bits
};

// std::chrono::system_clock (Unix epoch): the clock to share between hosts.
class SystemClock final : public Clock {
 public:
  Instant now() const noexcept override;
  static const SystemClock& instance() noexcept;
};

// A clock that moves only when told to. For tests and for replaying traffic.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start = Instant{0}) noexcept : now_(start.count()) {}

  Instant now() const noexcept override { return Instant{now_.load(std::memory_order_acquire)}; }
  void set(Instant t) noexcept { now_.store(t.count(), std::memory_order_release); }
  void advance(Duration d) noexcept { now_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace gcra
