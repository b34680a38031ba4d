// The store conformance suite against RedisStore and a real redis-server,
// with "now" from the suite's ManualClock (RedisStoreOptions::time_source).
// It runs three times: through apply, through apply_batch and through
// apply_async, since each has its own path to Redis.
#include <future>

#include "conformance/store_conformance.hpp"
#include "redis/redis_test_util.hpp"

namespace gcra::testing {
namespace {

enum class Path { apply, batch, async };

// A Store that sends every apply() through one of RedisStore's paths.
class PathStore final : public Store {
 public:
  PathStore(RedisStore& redis, Path path) : redis_(redis), path_(path) {}

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost, Mode mode) override {
    const Request request{&policy, key, cost, mode};
    switch (path_) {
      case Path::apply:
        return redis_.apply(policy, key, cost, mode);
      case Path::batch:
        return std::move(redis_.apply_batch({&request, 1}).at(0));
      case Path::async: {
        std::promise<Result<Decision>> answer;
        redis_.apply_async(request, [&answer](Result<Decision> r) { answer.set_value(std::move(r)); });
        return answer.get_future().get();
      }
    }
    return Error{ErrorCode::internal, "unknown path"};
  }
  Result<void> reset(const Policy& policy, std::string_view key) override { return redis_.reset(policy, key); }

 private:
  RedisStore& redis_;
  Path path_;
};

class RedisHarness final : public StoreHarness {
 public:
  explicit RedisHarness(Path path) {
    RedisStoreOptions options = test_options(shared_redis().url());
    options.time_source = &clock_;
    redis_ = connect_or_die(std::move(options));
    store_ = std::make_unique<PathStore>(*redis_, path);
  }
  Store& store() override { return *store_; }
  ManualClock& clock() override { return clock_; }

 private:
  ManualClock clock_;
  std::unique_ptr<RedisStore> redis_;
  std::unique_ptr<PathStore> store_;
};

HarnessFactory harness(Path path) {
  return [path] { return std::make_unique<RedisHarness>(path); };
}

}  // namespace
}  // namespace gcra::testing

INSTANTIATE_TEST_SUITE_P(RedisApply, StoreConformance,
                         ::testing::Values(gcra::testing::harness(gcra::testing::Path::apply)));
INSTANTIATE_TEST_SUITE_P(RedisBatch, StoreConformance,
                         ::testing::Values(gcra::testing::harness(gcra::testing::Path::batch)));
INSTANTIATE_TEST_SUITE_P(RedisAsync, StoreConformance,
                         ::testing::Values(gcra::testing::harness(gcra::testing::Path::async)));
