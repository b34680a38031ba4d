// The conformance suite every gcra::Store must pass: the same decisions,
// ns for ns, whatever the store. A store's test instantiates it with a
// factory of harnesses:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, StoreConformance,
//       ::testing::Values(gcra::testing::HarnessFactory{[] { return ...; }}));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "gcra/clock.hpp"
#include "gcra/store.hpp"

namespace gcra::testing {

// A store under test whose notion of "now" comes from clock().
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual Store& store() = 0;
  virtual ManualClock& clock() = 0;
};

using HarnessFactory = std::function<std::unique_ptr<StoreHarness>()>;

// Where the suite starts every clock: a Unix-epoch-sized instant, so that
// stores which cannot hold 64-bit integers natively (Lua) are caught.
inline constexpr Instant kConformanceEpoch{1'764'806'400'000'000'000};

}  // namespace gcra::testing

class StoreConformance : public ::testing::TestWithParam<gcra::testing::HarnessFactory> {
 protected:
  void SetUp() override {
    harness_ = GetParam()();
    harness_->clock().set(gcra::testing::kConformanceEpoch);
  }
  gcra::Store& store() { return harness_->store(); }
  gcra::ManualClock& clock() { return harness_->clock(); }

  std::unique_ptr<gcra::testing::StoreHarness> harness_;
};
