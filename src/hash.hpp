// A small, fast 64-bit hash for short keys (internal). Not cryptographic:
// MemoryStore keys are compared byte for byte after the hash matches.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace gcra {

inline std::uint64_t mix64(std::uint64_t x) noexcept {
  // The finalizer of SplitMix64: every input bit affects every output bit.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Hashes `key` in the namespace `seed`, eight bytes at a time.
inline std::uint64_t hash_key(std::uint64_t seed, std::string_view key) noexcept {
  std::uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL) ^ key.size();
  const char* p = key.data();
  std::size_t n = key.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    h = mix64(h ^ word);
  }
  if (n > 0) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, n);
    h = mix64(h ^ word ^ (std::uint64_t{n} << 56));
  }
  return mix64(h);
}

}  // namespace gcra
