#include "gcra/memory_store.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <random>
#include <thread>
#include <vector>

#include "hash.hpp"

namespace gcra {
namespace {

// A test-and-test-and-set lock: the critical sections here are a few dozen
// instructions, far cheaper than parking a thread. After a short spin it
// yields, so a preempted holder is not starved by its waiters.
class SpinLock {
 public:
  void lock() noexcept {
    for (int spins = 0; locked_.exchange(true, std::memory_order_acquire);) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < 128) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

// One key's state, allocated as one block: this header, then `rate_count`
// TATs, then the key's bytes.
struct Entry {
  std::uint64_t hash;     // of (namespace, key): rehashing never reads the key again
  std::uint32_t name_id;  // Policy::name_id(): the namespace
  std::uint16_t key_bytes;
  std::uint8_t rate_count;

  Tat* tats() noexcept { return reinterpret_cast<Tat*>(this + 1); }
  const Tat* tats() const noexcept { return reinterpret_cast<const Tat*>(this + 1); }
  const char* key() const noexcept { return reinterpret_cast<const char*>(tats() + rate_count); }
  std::span<Tat> state() noexcept { return {tats(), rate_count}; }
  std::span<const Tat> state() const noexcept { return {tats(), rate_count}; }
  // The latest instant at which this key still carries information.
  Tat horizon() const noexcept {
    const Tat* t = tats();
    return *std::max_element(t, t + rate_count);
  }

  static Entry* create(std::uint64_t hash, std::uint32_t name_id, std::string_view key,
                       std::size_t rate_count) {
    void* block = ::operator new(sizeof(Entry) + rate_count * sizeof(Tat) + key.size());
    auto* e = new (block) Entry{hash, name_id, static_cast<std::uint16_t>(key.size()),
                                static_cast<std::uint8_t>(rate_count)};
    std::fill_n(e->tats(), rate_count, Tat{0});
    std::memcpy(const_cast<char*>(e->key()), key.data(), key.size());
    return e;
  }
  static void destroy(Entry* e) noexcept { ::operator delete(static_cast<void*>(e)); }
};
static_assert(sizeof(Entry) == 16 && alignof(Entry) <= alignof(Tat));

// A table slot in 8 bytes: the entry's address in the low 48 bits (user
// space addresses on x86-64 and arm64 Linux fit in 47-48 bits) and 16 bits
// of its hash above them, so that a probe rejects almost every foreign slot
// without touching its entry.
class Slot {
 public:
  Slot() = default;
  Slot(std::uint64_t hash, Entry* e) noexcept : bits_(address(e) | (tag(hash) << 48)) {}

  explicit operator bool() const noexcept { return bits_ != 0; }
  Entry* entry() const noexcept { return reinterpret_cast<Entry*>(bits_ & kAddressMask); }
  bool may_hold(std::uint64_t hash) const noexcept { return (bits_ >> 48) == tag(hash); }

 private:
  static constexpr std::uint64_t kAddressMask = (std::uint64_t{1} << 48) - 1;
  static std::uint64_t tag(std::uint64_t hash) noexcept { return (hash >> 32) & 0xffff; }
  static std::uint64_t address(Entry* e) noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(e);
    if ((a & ~kAddressMask) != 0) std::abort();  // a 57-bit address space: not supported
    return a;
  }

  std::uint64_t bits_ = 0;  // 0: empty
};
static_assert(sizeof(Slot) == 8 && sizeof(std::uintptr_t) == 8);

// Linear-probing hash table of one shard, with backward-shift deletion (no
// tombstones). Not thread-safe: the shard's lock guards it.
class KeyTable {
 public:
  static constexpr std::size_t kMinCapacity = 16;

  KeyTable() : slots_(kMinCapacity) {}
  ~KeyTable() {
    for (Slot& s : slots_) {
      if (s) Entry::destroy(s.entry());
    }
  }
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  std::size_t size() const noexcept { return size_; }

  Entry* find(std::uint64_t hash, std::uint32_t name_id, std::string_view key) const noexcept {
    std::size_t i = index(hash);
    for (;; i = next(i)) {
      const Slot& s = slots_[i];
      if (!s) return nullptr;
      if (s.may_hold(hash) && matches(*s.entry(), hash, name_id, key)) return s.entry();
    }
  }

  // Inserts an entry for a key known to be absent. Capacity is the caller's
  // concern (see reserve_one()).
  Entry* insert(std::uint64_t hash, std::uint32_t name_id, std::string_view key, std::size_t rates) {
    Entry* e = Entry::create(hash, name_id, key, rates);
    place(e);
    ++size_;
    return e;
  }

  // Replaces the entry at its slot (same key, different rate count).
  Entry* resize_entry(std::uint64_t hash, Entry* old, std::size_t rates) {
    Entry* e = Entry::create(hash, old->name_id, {old->key(), old->key_bytes}, rates);
    std::copy_n(old->tats(), std::min<std::size_t>(rates, old->rate_count), e->tats());
    for (std::size_t i = index(hash);; i = next(i)) {
      if (slots_[i].entry() == old) {
        slots_[i] = Slot(hash, e);
        break;
      }
    }
    Entry::destroy(old);
    return e;
  }

  bool erase(std::uint64_t hash, std::uint32_t name_id, std::string_view key) noexcept {
    for (std::size_t i = index(hash);; i = next(i)) {
      Slot& s = slots_[i];
      if (!s) return false;
      if (s.may_hold(hash) && matches(*s.entry(), hash, name_id, key)) {
        erase_at(i);
        return true;
      }
    }
  }

  // Erases every entry idle at `now`; shrinks the table if it is mostly empty.
  std::size_t purge_idle(Instant now) {
    std::size_t erased = 0;
    for (std::size_t i = 0; i < slots_.size();) {
      // erase_at() may shift a later entry into slot i: look at i again.
      if (slots_[i] && is_idle(slots_[i].entry()->state(), now)) {
        erase_at(i);
        ++erased;
      } else {
        ++i;
      }
    }
    std::size_t capacity = slots_.size();
    while (capacity > kMinCapacity && size_ * 4 < capacity / 2) capacity /= 2;
    if (capacity != slots_.size()) rehash(capacity);
    return erased;
  }

  // Looks at the next few slots of a rolling cursor and erases idle entries:
  // spreads the cost of forgetting idle keys over inserts.
  void sweep_some(Instant now, std::size_t slots) noexcept {
    for (std::size_t k = 0; k < slots; ++k) {
      cursor_ = cursor_ & mask();
      Slot& s = slots_[cursor_];
      if (s && is_idle(s.entry()->state(), now)) {
        erase_at(cursor_);  // re-examine this slot next time
      } else {
        ++cursor_;
      }
    }
  }

  // Makes room for one more key: sweeps idle keys before growing, so the
  // table grows only with keys that are active at once.
  void reserve_one(Instant now) {
    if ((size_ + 1) * 4 <= slots_.size() * 3) return;
    purge_idle(now);
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
  }

  // Evicts the entry closest to idle among a sample near the cursor.
  void evict_one() noexcept {
    std::size_t best = slots_.size();
    constexpr std::size_t kSample = 32;
    for (std::size_t k = 0, seen = 0; k < slots_.size() && seen < kSample; ++k) {
      std::size_t i = (cursor_ + k) & mask();
      if (!slots_[i]) continue;
      ++seen;
      if (best == slots_.size() || slots_[i].entry()->horizon() < slots_[best].entry()->horizon()) best = i;
    }
    if (best != slots_.size()) erase_at(best);
    cursor_ += kSample;
  }

 private:
  std::size_t mask() const noexcept { return slots_.size() - 1; }
  std::size_t index(std::uint64_t hash) const noexcept { return hash & mask(); }
  std::size_t next(std::size_t i) const noexcept { return (i + 1) & mask(); }

  static bool matches(const Entry& e, std::uint64_t hash, std::uint32_t name_id, std::string_view key) noexcept {
    return e.hash == hash && e.name_id == name_id && e.key_bytes == key.size() &&
           std::memcmp(e.key(), key.data(), key.size()) == 0;
  }

  void place(Entry* e) noexcept {
    std::size_t i = index(e->hash);
    while (slots_[i]) i = next(i);
    slots_[i] = Slot(e->hash, e);
  }

  // Backward-shift deletion: pull later entries of the probe run back so
  // that every entry stays reachable from its home slot.
  void erase_at(std::size_t i) noexcept {
    Entry::destroy(slots_[i].entry());
    slots_[i] = Slot{};
    --size_;
    for (std::size_t j = next(i);; j = next(j)) {
      Slot& s = slots_[j];
      if (!s) return;
      std::size_t home = index(s.entry()->hash);
      // Move s into the hole at i unless its home lies cyclically in (i, j].
      bool home_between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!home_between) {
        slots_[i] = s;
        s = Slot{};
        i = j;
      }
    }
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s) place(s.entry());
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t cursor_ = 0;
};

}  // namespace

class alignas(64) MemoryStore::Shard {
 public:
  SpinLock lock;
  KeyTable table;
};

namespace {

std::size_t round_up_pow2(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

MemoryStore::MemoryStore(MemoryStoreOptions options, const Clock& clock)
    : clock_(clock),
      options_(options),
      shard_mask_(round_up_pow2(std::max<std::size_t>(options.shards, 1)) - 1),
      shards_(std::make_unique<Shard[]>(shard_mask_ + 1)),
      seed_(std::random_device{}()) {
  options_.max_key_bytes = std::min<std::size_t>(options_.max_key_bytes, UINT16_MAX);  // Entry::key_bytes
}

MemoryStore::~MemoryStore() = default;

Result<Decision> MemoryStore::apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                                    Mode mode) {
  if (key.size() > options_.max_key_bytes) {
    return Error{ErrorCode::invalid_argument, "key of " + std::to_string(key.size()) +
                                                  " bytes is longer than the limit of " +
                                                  std::to_string(options_.max_key_bytes)};
  }
  return apply_locked(policy, key, cost, mode);
}

// Split from apply() so that its single named return is constructed in the
// caller's slot: a Decision is decided into place, never copied.
Result<Decision> MemoryStore::apply_locked(const Policy& policy, std::string_view key, std::uint64_t cost,
                                           Mode mode) {
  const std::uint32_t name_id = policy.name_id();
  const std::uint64_t hash = hash_key(seed_ ^ name_id, key);
  Shard& shard = shards_[(hash >> 48) & shard_mask_];
  const std::size_t rates = policy.rates().size();

  Result<Decision> result(std::in_place);
  std::lock_guard<SpinLock> guard(shard.lock);
  const Instant now = clock_.now();
  Entry* e = shard.table.find(hash, name_id, key);
  if (!e) {
    // An absent key is idle: decide on a zero state, and store it only if
    // the decision changed it.
    std::array<Tat, kMaxRatesPerPolicy> fresh{};
    decide_into(*result, policy, {fresh.data(), rates}, now, cost, mode);
    if (!is_idle({fresh.data(), rates}, now)) {
      shard.table.sweep_some(now, 2);
      const std::size_t per_shard_max =
          options_.max_keys == 0 ? SIZE_MAX : (options_.max_keys + shard_mask_) / (shard_mask_ + 1);
      if (shard.table.size() >= per_shard_max) {
        shard.table.purge_idle(now);
        while (shard.table.size() >= per_shard_max) shard.table.evict_one();
      }
      shard.table.reserve_one(now);
      e = shard.table.insert(hash, name_id, key, rates);
      std::copy_n(fresh.data(), rates, e->tats());
    }
    return result;
  }
  if (e->rate_count != rates) e = shard.table.resize_entry(hash, e, rates);
  decide_into(*result, policy, e->state(), now, cost, mode);
  return result;
}

Result<void> MemoryStore::reset(const Policy& policy, std::string_view key) {
  const std::uint32_t name_id = policy.name_id();
  const std::uint64_t hash = hash_key(seed_ ^ name_id, key);
  Shard& shard = shards_[(hash >> 48) & shard_mask_];
  std::lock_guard<SpinLock> guard(shard.lock);
  shard.table.erase(hash, name_id, key);
  return {};
}

std::size_t MemoryStore::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    std::lock_guard<SpinLock> guard(shards_[i].lock);
    total += shards_[i].table.size();
  }
  return total;
}

std::size_t MemoryStore::purge_idle() {
  std::size_t total = 0;
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    std::lock_guard<SpinLock> guard(shards_[i].lock);
    total += shards_[i].table.purge_idle(clock_.now());
  }
  return total;
}

}  // namespace gcra
