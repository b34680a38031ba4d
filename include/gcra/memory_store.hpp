// MemoryStore: the embedded default store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "gcra/clock.hpp"
#include "gcra/store.hpp"

namespace gcra {

struct MemoryStoreOptions {
  std::size_t shards = 64;         // independent locks; rounded up to a power of two
  std::size_t max_keys = 0;        // 0 = unbounded; else evict idle keys first, then the
                                   // keys closest to idle (evicting forgets their usage)
  std::size_t max_key_bytes = 1024;  // longer keys are rejected (at most 65535)
};

// Keys' state in process memory: one 64-bit TAT per rate per key, in sharded
// open-addressing tables.
//
// Thread-safety: every method may be called from any thread at once. Each
// shard has its own spin lock held for a few dozen instructions; keys in
// different shards never contend.
//
// Memory: a key's state is forgotten as soon as it is idle (all rates back to
// full burst), found by an incremental sweep on inserts and by a full sweep
// before a table grows, so memory follows the keys active at once, not the
// keys ever seen. purge_idle() sweeps everything now.
class MemoryStore final : public Store {
 public:
  explicit MemoryStore(MemoryStoreOptions options = {},
                       const Clock& clock = SteadyClock::instance());
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                         Mode mode) override;
  Result<void> reset(const Policy& policy, std::string_view key) override;

  // Keys currently holding state (idle ones not yet swept included).
  std::size_t size() const;
  // Forgets every idle key now; returns how many.
  std::size_t purge_idle();

  const Clock& clock() const noexcept { return clock_; }

 private:
  class Shard;
  Result<Decision> apply_locked(const Policy& policy, std::string_view key, std::uint64_t cost, Mode mode);

  const Clock& clock_;
  MemoryStoreOptions options_;
  std::size_t shard_mask_;
  std::unique_ptr<Shard[]> shards_;
  std::uint64_t seed_;  // random per store: keys chosen by clients cannot aim at one probe run
};

}  // namespace gcra
