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
