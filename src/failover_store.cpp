#include "gcra/failover_store.hpp"

namespace gcra {

Result<FailurePolicy> parse_failure_policy(std::string_view text) {
  if (text == "allow") return FailurePolicy::allow;
  if (text == "deny") return FailurePolicy::deny;
  if (text == "local") return FailurePolicy::local;
  return Error{ErrorCode::invalid_argument,
               "unknown failure policy \"" + std::string(text) + "\" (expected allow, deny or local)"};
}

std::string_view to_string(FailurePolicy policy) noexcept {
  switch (policy) {
    case FailurePolicy::allow: return "allow";
    case FailurePolicy::deny: return "deny";
    case FailurePolicy::local: return "local";
  }
  return "unknown";
}

FailoverStore::FailoverStore(Store& primary, FailoverOptions options)
    : primary_(primary),
      options_(options),
      local_(options.local, options.local_clock ? *options.local_clock : SteadyClock::instance()),
      prober_([this] { probe_loop(); }) {}

FailoverStore::~FailoverStore() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  prober_.join();
}

Result<Decision> FailoverStore::apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                                      Mode mode) {
  const Request request{&policy, key, cost, mode};
  if (circuit_open()) return fallback(request);
  return settle(request, primary_.apply(policy, key, cost, mode));
}

Result<void> FailoverStore::reset(const Policy& policy, std::string_view key) {
  (void)local_.reset(policy, key);  // cannot fail for a key the local store accepted
  return primary_.reset(policy, key);
}

std::vector<Result<Decision>> FailoverStore::apply_batch(std::span<const Request> requests) {
  std::vector<Result<Decision>> out;
  if (circuit_open()) {
    out.reserve(requests.size());
    for (const Request& r : requests) out.push_back(fallback(r));
    return out;
  }
  out = primary_.apply_batch(requests);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = settle(requests[i], std::move(out[i]));
  return out;
}

void FailoverStore::apply_async(const Request& request, Callback done) {
  if (circuit_open()) return done(fallback(request));
  // The key must outlive the primary's asynchronous call: keep a copy.
  auto key = std::make_shared<std::string>(request.key);
  Request owned{request.policy, *key, request.cost, request.mode};
  primary_.apply_async(owned, [this, owned, key, done = std::move(done)](Result<Decision> result) {
    done(settle(owned, std::move(result)));
  });
}

Result<Decision> FailoverStore::settle(const Request& request, Result<Decision> result) {
  if (result.ok()) {
    consecutive_failures_.store(0, std::memory_order_relaxed);
    return result;
  }
  if (result.error().code == ErrorCode::invalid_argument) return result;
  failures_.fetch_add(1, std::memory_order_relaxed);
  if (consecutive_failures_.fetch_add(1, std::memory_order_acq_rel) + 1 >= options_.failures_to_open &&
      !open_.exchange(true, std::memory_order_acq_rel)) {
    // Taking the mutex orders this with the prober's wait: no lost wake-up.
    { std::lock_guard<std::mutex> guard(mutex_); }
    wake_.notify_all();
  }
  return fallback(request);
}

Result<Decision> FailoverStore::fallback(const Request& request) {
  fallbacks_.fetch_add(1, std::memory_order_relaxed);
  switch (options_.policy) {
    case FailurePolicy::local: {
      auto d = local_.apply(*request.policy, request.key, request.cost, request.mode);
      if (d) d->source = Source::fallback_local;
      return d;
    }
    case FailurePolicy::allow: {
      // Admitted without a count: no remaining, no per-rate status.
      Decision d;
      d.allowed = true;
      d.limit = request.policy->rates()[0].limit();
      d.source = Source::fallback_allow;
      return d;
    }
    case FailurePolicy::deny: {
      Decision d;
      d.allowed = false;
      d.limit = request.policy->rates()[0].limit();
      d.retry_after = options_.deny_retry_after;
      d.source = Source::fallback_deny;
      return d;
    }
  }
  return Error{ErrorCode::internal, "unknown failure policy"};
}

void FailoverStore::probe_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (!circuit_open()) {
      wake_.wait(lock, [this] { return stopping_ || circuit_open(); });
      continue;
    }
    wake_.wait_for(lock, options_.probe_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const bool up = primary_.ping().ok();
    lock.lock();
    if (up) {
      consecutive_failures_.store(0, std::memory_order_relaxed);
      open_.store(false, std::memory_order_release);
    }
  }
}

}  // namespace gcra
