#include "gcra/clock.hpp"

#include <time.h>

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

Instant SystemClock::now() const noexcept {
  return std::chrono::duration_cast<Instant>(std::chrono::system_clock::now().time_since_epoch());
}

const SystemClock& SystemClock::instance() noexcept {
  static const SystemClock clock;
  return clock;
}

}  // namespace gcra
