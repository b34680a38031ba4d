// Who is limited: client addresses behind trusted proxies, and API keys
// turned into store keys that reveal nothing. Framework-neutral.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/result.hpp"

namespace gcra::http {

// A set of IPv4/IPv6 networks whose hops are trusted to append the address
// of their peer to X-Forwarded-For honestly (your load balancers).
// Thread-safety: immutable after parse(), share freely.
class TrustedProxies {
 public:
  // Trusts nobody: X-Forwarded-For is never honoured.
  TrustedProxies() = default;

  // Each entry is an address ("10.0.0.7", "::1") or a network in CIDR
  // notation ("10.0.0.0/8", "fd00::/8"). Bits past the prefix must be zero
  // ("10.0.0.1/8" is refused: it is almost always a typo). The error names
  // the offending entry.
  static Result<TrustedProxies> parse(const std::vector<std::string>& cidrs);

  // Whether `ip` (an address, IPv4-mapped IPv6 counted as IPv4) lies in one
  // of the networks. Anything that is not an address is not trusted.
  bool contains(std::string_view ip) const;

  bool empty() const noexcept { return networks_.empty(); }

 private:
  struct Network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4
    bool v6 = false;
    unsigned prefix = 0;
  };
  std::vector<Network> networks_;
};

struct AddressOptions {
  unsigned ipv6_prefix = 64;  // IPv6 clients are grouped by this prefix (one /64 is one
                              // subscriber); 128 limits each address on its own
};

// The address to limit a request by, as a canonical string: the peer's
// address, unless the peer is a trusted proxy, in which case X-Forwarded-For
// is walked from the right, skipping trusted proxies, and the first untrusted
// hop is the client. If every hop is trusted, the leftmost is the client. A
// hop that is not an address stops the walk: the last address reached (a
// trusted proxy's) is used, since nothing left of it can be believed.
//
// Addresses are canonical: IPv4 dotted-quad ("203.0.113.9"; IPv4-mapped IPv6
// is shown as IPv4), IPv6 masked to options.ipv6_prefix and written with its
// prefix ("2001:db8:1:2::/64"). Ports ("1.2.3.4:80", "[2001:db8::1]:443")
// and zone ids ("fe80::1%eth0") are dropped. A peer that is not an address
// (a Unix socket) is returned unchanged.
std::string client_address(std::string_view peer_ip, std::string_view x_forwarded_for,
                           const TrustedProxies& trusted, const AddressOptions& options = {});

// The canonical form of one address as client_address() writes it; empty if
// `ip` is not an address.
std::string canonical_address(std::string_view ip, const AddressOptions& options = {});

// A store key for an API key that reveals nothing of it: "apikey:" followed by
// the SHA-256 of the key in lowercase hex. API keys are long random secrets,
// so an unsalted hash cannot be reversed, and the same key always finds the
// same state in every process that shares the store.
std::string hash_api_key(std::string_view api_key);

// SHA-256 of `data` (FIPS 180-4), 32 bytes.
std::array<std::uint8_t, 32> sha256(std::string_view data) noexcept;
// Lowercase hex of SHA-256 of `data`, 64 characters.
std::string sha256_hex(std::string_view data);

}  // namespace gcra::http
