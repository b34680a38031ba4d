// A small, fast 64-bit hash for short keys (internal). Not cryptographic:
// MemoryStore keys are compared byte for byte after the hash matches.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace gcra {

// 64x64 -> 128-bit multiply, folded: the mixing step of wyhash-style hashes.
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) noexcept {
  __extension__ using uint128 = unsigned __int128;
  const uint128 product = static_cast<uint128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

// Hashes `key` in the namespace `seed`, eight bytes per multiply.
inline std::uint64_t hash_key(std::uint64_t seed, std::string_view key) noexcept {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL;
  constexpr std::uint64_t k1 = 0xe7037ed1a0b428dbULL;
  std::uint64_t h = fold_multiply(seed ^ k0, key.size() ^ k1);
  const char* p = key.data();
  std::size_t n = key.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    h = fold_multiply(h ^ word, k1);
  }
  if (n >= 4) {  // two overlapping 4-byte loads cover 4 to 7 bytes
    std::uint32_t head, tail;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, p + n - 4, 4);
    h = fold_multiply(h ^ ((std::uint64_t{head} << 32) | tail), k0);
  } else if (n > 0) {  // 1 to 3 bytes: first, middle, last
    const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
    h = fold_multiply(h ^ ((byte(0) << 16) | (byte(n >> 1) << 8) | byte(n - 1)), k0);
  }
  return fold_multiply(h, k1 ^ k0);
}

}  // namespace gcra
