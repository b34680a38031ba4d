// LD_PRELOAD shim: moves this process's wall clock by GCRA_TEST_CLOCK_SKEW_S
// seconds (CLOCK_REALTIME, gettimeofday, time), as on a host whose clock is
// wrong. Monotonic clocks are untouched. For the server-clock test only.
#include <dlfcn.h>
#include <sys/time.h>
#include <time.h>

#include <cstdlib>

namespace {

long skew_seconds() {
  static const long skew = [] {
    const char* text = std::getenv("GCRA_TEST_CLOCK_SKEW_S");
    return text ? std::strtol(text, nullptr, 10) : 0L;
  }();
  return skew;
}

template <class F>
F next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int clock_gettime(clockid_t id, struct timespec* ts) __THROW {
  static const auto real = next<int (*)(clockid_t, struct timespec*)>("clock_gettime");
  const int rc = real(id, ts);
  if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += skew_seconds();
  return rc;
}

int gettimeofday(struct timeval* tv, void* tz) __THROW {
  static const auto real = next<int (*)(struct timeval*, void*)>("gettimeofday");
  const int rc = real(tv, tz);
  if (rc == 0) tv->tv_sec += skew_seconds();  // glibc declares tv non-null
  return rc;
}

time_t time(time_t* out) __THROW {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out) *out = ts.tv_sec;
  return ts.tv_sec;
}

}  // extern "C"
