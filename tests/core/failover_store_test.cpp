// FailoverStore: each failure policy, the circuit breaker, recovery.
#include "gcra/failover_store.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/flaky_store.hpp"

using namespace std::chrono_literals;
using gcra::Decision;
using gcra::FailoverOptions;
using gcra::FailoverStore;
using gcra::FailurePolicy;
using gcra::ManualClock;
using gcra::Mode;
using gcra::Policy;
using gcra::Source;
using gcra::testing::FlakyStore;

namespace {

const Policy kPolicy = Policy::parse("2/minute").value();

// Waits (a bounded time) for a condition that a background thread makes true.
template <class F>
bool eventually(F condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

TEST(FailoverStore, PassesDecisionsThroughWhileThePrimaryAnswers) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::deny});
  Decision d = *store.apply(kPolicy, "k", 1, Mode::check);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.source, Source::store);
  EXPECT_EQ(d.remaining, 1u);
  EXPECT_EQ(store.fallbacks(), 0u);
}

TEST(FailoverStore, AllowPolicyAdmitsWithoutClaimingACount) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::allow});
  primary.set_down(true, gcra::ErrorCode::timeout);
  for (int i = 0; i < 5; ++i) {
    Decision d = *store.apply(kPolicy, "k", 1, Mode::check);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.source, Source::fallback_allow);
    EXPECT_EQ(d.rate_count, 0);
  }
  EXPECT_EQ(store.fallbacks(), 5u);
}

TEST(FailoverStore, DenyPolicyDeniesWithItsRetryAfter) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::deny, .deny_retry_after = 2s});
  primary.set_down(true);
  Decision d = *store.apply(kPolicy, "k", 1, Mode::check);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.source, Source::fallback_deny);
  EXPECT_EQ(d.retry_after, 2s);
}

TEST(FailoverStore, LocalPolicyEnforcesThePolicyInProcess) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::local, .local_clock = &clock});
  primary.set_down(true);
  EXPECT_TRUE(store.apply(kPolicy, "k", 1, Mode::check)->allowed);
  EXPECT_TRUE(store.apply(kPolicy, "k", 1, Mode::check)->allowed);
  Decision d = *store.apply(kPolicy, "k", 1, Mode::check);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.source, Source::fallback_local);
  EXPECT_EQ(d.retry_after, 30s);
}

TEST(FailoverStore, InvalidArgumentIsTheCallersErrorNotAnOutage) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::allow});
  primary.set_down(true, gcra::ErrorCode::invalid_argument);
  auto r = store.apply(kPolicy, "k", 1, Mode::check);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, gcra::ErrorCode::invalid_argument);
  EXPECT_FALSE(store.circuit_open());
}

TEST(FailoverStore, OpensTheCircuitAfterConsecutiveFailuresAndClosesWhenPingsSucceed) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::allow, .failures_to_open = 3, .probe_interval = 20ms});
  primary.set_down(true);
  for (int i = 0; i < 3; ++i) (void)store.apply(kPolicy, "k", 1, Mode::check);
  EXPECT_TRUE(store.circuit_open());
  const auto calls = primary.calls();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(store.apply(kPolicy, "k", 1, Mode::check)->source, Source::fallback_allow);
  }
  EXPECT_EQ(primary.calls(), calls) << "an open circuit must not wait on the primary";
  EXPECT_TRUE(eventually([&] { return primary.pings() >= 2; })) << "the prober pings in the background";

  primary.set_down(false);
  ASSERT_TRUE(eventually([&] { return !store.circuit_open(); }));
  EXPECT_EQ(store.apply(kPolicy, "k", 1, Mode::check)->source, Source::store);
}

TEST(FailoverStore, FailureCountRestartsAfterASuccess) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::allow, .failures_to_open = 3});
  for (int round = 0; round < 5; ++round) {
    primary.set_down(true);
    (void)store.apply(kPolicy, "k", 1, Mode::peek);
    (void)store.apply(kPolicy, "k", 1, Mode::peek);
    primary.set_down(false);
    (void)store.apply(kPolicy, "k", 1, Mode::peek);
  }
  EXPECT_FALSE(store.circuit_open());
  EXPECT_EQ(store.failures(), 10u);
}

TEST(FailoverStore, BatchAndAsyncCallsFallBackPerRequest) {
  ManualClock clock(1s);
  FlakyStore primary(clock);
  FailoverStore store(primary, {.policy = FailurePolicy::deny, .failures_to_open = 100});
  primary.set_down(true);
  std::vector<gcra::Request> batch(4, gcra::Request{&kPolicy, "k", 1, Mode::check});
  for (const auto& r : store.apply_batch(batch)) EXPECT_EQ(r->source, Source::fallback_deny);
  Source seen = Source::store;
  store.apply_async(batch[0], [&](gcra::Result<Decision> d) { seen = d->source; });
  EXPECT_EQ(seen, Source::fallback_deny);
}

TEST(FailurePolicy, ParsesItsThreeNamesAndRejectsOthers) {
  EXPECT_EQ(*gcra::parse_failure_policy("allow"), FailurePolicy::allow);
  EXPECT_EQ(*gcra::parse_failure_policy("deny"), FailurePolicy::deny);
  EXPECT_EQ(*gcra::parse_failure_policy("local"), FailurePolicy::local);
  EXPECT_EQ(gcra::parse_failure_policy("open").error().message,
            "unknown failure policy \"open\" (expected allow, deny or local)");
}

}  // namespace
