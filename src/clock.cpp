#include "gcra/clock.hpp"

#include <time.h>

#include <fstream>
#include <string>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace gcra {

Instant SteadyClock::now() const noexcept {
  return std::chrono::duration_cast<Instant>(std::chrono::steady_clock::now().time_since_epoch());
}

const SteadyClock& SteadyClock::instance() noexcept {
  static const SteadyClock clock;
  return clock;
}

Instant CoarseClock::now() const noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return Instant{std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec};
}

const CoarseClock& CoarseClock::instance() noexcept {
  static const CoarseClock clock;
  return clock;
}

namespace {

// Both flags make the TSC tick at one rate on every core, in every power
// state: the conditions for using it as a clock.
bool has_invariant_tsc() {
#if defined(__x86_64__)
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      auto has = [&](const char* flag) { return (line + ' ').find(std::string(" ") + flag + ' ') != std::string::npos; };
      return has("constant_tsc") && has("nonstop_tsc");
    }
  }
#endif
  return false;
}

}  // namespace

TscClock::TscClock() {
#if defined(__x86_64__)
  if (!has_invariant_tsc()) return;
  const std::int64_t start_ns = SteadyClock::instance().now().count();
  const std::uint64_t start_ticks = __rdtsc();
  std::int64_t end_ns = start_ns;
  while (end_ns - start_ns < 20'000'000) end_ns = SteadyClock::instance().now().count();
  const std::uint64_t end_ticks = __rdtsc();
  if (end_ticks <= start_ticks) return;
  __extension__ using uint128 = unsigned __int128;
  multiplier_ = static_cast<std::uint64_t>((static_cast<uint128>(end_ns - start_ns) << 32) / (end_ticks - start_ticks));
  base_ticks_ = end_ticks;
  base_ns_ = end_ns;
#endif
}

Instant TscClock::now() const noexcept {
#if defined(__x86_64__)
  if (multiplier_ != 0) {
    __extension__ using uint128 = unsigned __int128;
    const std::uint64_t ticks = __rdtsc() - base_ticks_;
    return Instant{base_ns_ + static_cast<std::int64_t>((static_cast<uint128>(ticks) * multiplier_) >> 32)};
  }
#endif
  return SteadyClock::instance().now();
}

const TscClock& TscClock::instance() {
  static const TscClock clock;
  return clock;
}

Instant SystemClock::now() const noexcept {
  return std::chrono::duration_cast<Instant>(std::chrono::system_clock::now().time_since_epoch());
}

const SystemClock& SystemClock::instance() noexcept {
  static const SystemClock clock;
  return clock;
}

}  // namespace gcra
