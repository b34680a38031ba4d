// Uses gcra through its installed headers only; exits 0 if it behaves.
#include <gcra/gcra.hpp>

#include <cstdio>

int main() {
  gcra::ManualClock clock;
  gcra::MemoryStore store({}, clock);
  gcra::Limiter limiter(store, gcra::Policy::parse("2/minute").value());
  bool ok = !limiter.request_is_limited("user:42") && !limiter.request_is_limited("user:42") &&
            limiter.request_is_limited("user:42");
  std::printf("gcra %s consumer: %s\n", GCRA_VERSION, ok ? "ok" : "wrong");
  return ok ? 0 : 1;
}
