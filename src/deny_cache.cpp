#include "gcra/deny_cache.hpp"

#include <array>
#include <mutex>
#include <string>
#include <unordered_map>

#include "hash.hpp"

namespace gcra {
namespace {

// What a denial tells about a key: a lower bound of its TATs on the local
// clock. Each rate's reset_after is how far ahead of "now" the store found
// it booked; "now" is taken before the round trip, so the snapshot is never
// ahead of the store. A request the snapshot denies, the store denies too.
struct Snapshot {
  std::array<Tat, kMaxRatesPerPolicy> tats{};
  std::uint8_t rate_count = 0;
  Instant until{0};  // when the snapshot is idle and worth nothing
};

std::string cache_key(const Policy& policy, std::string_view key) {
  std::string out;
  out.reserve(policy.name().size() + 1 + key.size());
  out += policy.name();
  out += '\0';  // names are printable: the separator is unambiguous
  out += key;
  return out;
}

}  // namespace

class DenyCacheStore::Table {
 public:
  static constexpr std::size_t kShards = 16;

  explicit Table(std::size_t max_entries) : per_shard_max_((max_entries + kShards - 1) / kShards) {}

  std::optional<Snapshot> find(const std::string& key, Instant now) {
    Shard& shard = shard_for(key);
    std::lock_guard<std::mutex> guard(shard.mutex);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) return std::nullopt;
    if (it->second.until <= now) {
      shard.map.erase(it);
      return std::nullopt;
    }
    return it->second;
  }

  void put(std::string key, const Snapshot& snapshot, Instant now) {
    Shard& shard = shard_for(key);
    std::lock_guard<std::mutex> guard(shard.mutex);
    if (shard.map.size() >= per_shard_max_ && !shard.map.contains(key)) {
      std::erase_if(shard.map, [now](const auto& entry) { return entry.second.until <= now; });
      if (shard.map.size() >= per_shard_max_) return;  // full of live denials: skip this one
    }
    shard.map.insert_or_assign(std::move(key), snapshot);
  }

  void erase(const std::string& key) {
    Shard& shard = shard_for(key);
    std::lock_guard<std::mutex> guard(shard.mutex);
    shard.map.erase(key);
  }

  std::size_t size() {
    std::size_t total = 0;
    for (Shard& shard : shards_) {
      std::lock_guard<std::mutex> guard(shard.mutex);
      total += shard.map.size();
    }
    return total;
  }

 private:
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Snapshot> map;
  };
  Shard& shard_for(const std::string& key) { return shards_[hash_key(0, key) % kShards]; }

  std::size_t per_shard_max_;
  std::array<Shard, kShards> shards_;
};

DenyCacheStore::DenyCacheStore(Store& inner, DenyCacheOptions options)
    : inner_(inner),
      clock_(options.clock ? *options.clock : SteadyClock::instance()),
      table_(std::make_unique<Table>(options.max_entries)) {}

DenyCacheStore::~DenyCacheStore() = default;

std::optional<Decision> DenyCacheStore::lookup(const Request& request, Instant now) {
  auto snapshot = table_->find(cache_key(*request.policy, request.key), now);
  if (!snapshot || snapshot->rate_count != request.policy->rates().size()) return std::nullopt;
  Decision d = decide(*request.policy, {snapshot->tats.data(), snapshot->rate_count}, now, request.cost,
                      Mode::peek);
  if (d.allowed) return std::nullopt;  // the store may admit it: ask
  d.source = Source::deny_cache;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return d;
}

void DenyCacheStore::remember(const Request& request, const Decision& decision, Instant asked_at) {
  if (decision.allowed || decision.source != Source::store || decision.rate_count == 0) return;
  Snapshot snapshot;
  snapshot.rate_count = decision.rate_count;
  for (std::size_t i = 0; i < decision.rate_count; ++i) {
    snapshot.tats[i] = (asked_at + decision.rates[i].reset_after).count();
  }
  snapshot.until = asked_at + decision.reset_after;
  if (snapshot.until <= asked_at) return;
  table_->put(cache_key(*request.policy, request.key), snapshot, asked_at);
}

Result<Decision> DenyCacheStore::apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                                       Mode mode) {
  const Request request{&policy, key, cost, mode};
  const Instant asked_at = clock_.now();
  if (auto cached = lookup(request, asked_at)) return *cached;
  auto result = inner_.apply(policy, key, cost, mode);
  if (result) remember(request, *result, asked_at);
  return result;
}

Result<void> DenyCacheStore::reset(const Policy& policy, std::string_view key) {
  table_->erase(cache_key(policy, key));
  return inner_.reset(policy, key);
}

std::vector<Result<Decision>> DenyCacheStore::apply_batch(std::span<const Request> requests) {
  const Instant asked_at = clock_.now();
  std::vector<Result<Decision>> out(requests.size(), Result<Decision>(Decision{}));
  std::vector<Request> misses;
  std::vector<std::size_t> miss_index;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (auto cached = lookup(requests[i], asked_at)) {
      out[i] = *cached;
    } else {
      misses.push_back(requests[i]);
      miss_index.push_back(i);
    }
  }
  if (misses.empty()) return out;
  auto answers = inner_.apply_batch(misses);
  for (std::size_t j = 0; j < answers.size(); ++j) {
    if (answers[j]) remember(misses[j], *answers[j], asked_at);
    out[miss_index[j]] = std::move(answers[j]);
  }
  return out;
}

void DenyCacheStore::apply_async(const Request& request, Callback done) {
  const Instant asked_at = clock_.now();
  if (auto cached = lookup(request, asked_at)) return done(*cached);
  auto key = std::make_shared<std::string>(request.key);
  Request owned{request.policy, *key, request.cost, request.mode};
  inner_.apply_async(owned, [this, owned, key, asked_at, done = std::move(done)](Result<Decision> result) {
    if (result) remember(owned, *result, asked_at);
    done(std::move(result));
  });
}

std::size_t DenyCacheStore::size() const { return table_->size(); }

}  // namespace gcra
