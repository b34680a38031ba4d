#include "gcra/http/identity.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace gcra::http {
namespace {

struct Address {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4
  bool v6 = false;
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// A strict address: "192.0.2.1" or "2001:db8::1" (zone id dropped), nothing
// else. IPv4-mapped IPv6 becomes IPv4, so that a dual-stack socket's
// "::ffff:192.0.2.1" and a proxy's "192.0.2.1" are the same client.
std::optional<Address> parse_strict(std::string_view text) {
  if (text.empty() || text.size() > 63) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address a;
  if (::inet_pton(AF_INET, buf, a.bytes.data()) == 1) return a;
  if (char* zone = std::strchr(buf, '%')) *zone = '\0';
  if (::inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMappedPrefix, 12) == 0) {
    std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
    std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
    return a;
  }
  a.v6 = true;
  return a;
}

// An address as proxies write it in X-Forwarded-For, with an optional port:
// "192.0.2.1", "192.0.2.1:8080", "2001:db8::1", "[2001:db8::1]:443".
std::optional<Address> parse_hop(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto a = parse_strict(text.substr(1, close - 1));
    if (!a || !a->v6) return std::nullopt;  // brackets are for IPv6 only
    return a;
  }
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    text = text.substr(0, colon);  // IPv4 with a port: one colon only
  }
  return parse_strict(text);
}

bool in_network(const Address& a, const std::array<std::uint8_t, 16>& net, bool net_v6,
                unsigned prefix) {
  if (a.v6 != net_v6) return false;
  const unsigned whole = prefix / 8;
  if (std::memcmp(a.bytes.data(), net.data(), whole) != 0) return false;
  const unsigned bits = prefix % 8;
  if (bits == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
  return (a.bytes[whole] & mask) == (net[whole] & mask);
}

std::string format(const Address& a, const AddressOptions& options) {
  char buf[INET6_ADDRSTRLEN];
  if (!a.v6) {
    ::inet_ntop(AF_INET, a.bytes.data(), buf, sizeof buf);
    return buf;
  }
  const unsigned prefix = std::min(options.ipv6_prefix, 128U);
  Address masked = a;
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned keep = prefix > i * 8 ? std::min(8U, prefix - i * 8) : 0;
    masked.bytes[i] &= static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  ::inet_ntop(AF_INET6, masked.bytes.data(), buf, sizeof buf);
  std::string out = buf;
  if (prefix < 128) out += "/" + std::to_string(prefix);
  return out;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& cidrs) {
  TrustedProxies out;
  for (const std::string& entry : cidrs) {
    auto fail = [&](const std::string& why) {
      return Error{ErrorCode::invalid_argument, "trusted proxy \"" + entry + "\": " + why};
    };
    const std::string_view text = trim(entry);
    const auto slash = text.find('/');
    auto address = parse_strict(text.substr(0, slash));
    if (!address) return fail("not an IPv4 or IPv6 address or network");
    const bool mapped = !address->v6 && text.substr(0, slash).find(':') != std::string_view::npos;
    const unsigned max_prefix = address->v6 || mapped ? 128 : 32;
    unsigned prefix = max_prefix;
    if (slash != std::string_view::npos) {
      const std::string_view digits = text.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return fail("prefix length must be a number");
      }
      prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
      if (prefix > max_prefix) {
        return fail("prefix length " + std::to_string(prefix) + " exceeds " +
                    std::to_string(max_prefix));
      }
    }
    if (mapped) {
      // "::ffff:10.0.0.0/104" is the IPv4 network 10.0.0.0/8.
      if (prefix < 96) return fail("an IPv4-mapped network needs a prefix of at least 96");
      prefix -= 96;
    }
    Network net{address->bytes, address->v6, prefix};
    Address probe = *address;
    // Bits past the prefix must be zero: "10.0.0.1/8" is almost always a typo.
    for (unsigned bit = prefix; bit < (address->v6 ? 128U : 32U); ++bit) {
      if (probe.bytes[bit / 8] & (0x80 >> (bit % 8))) {
        return fail("has bits set past the prefix length " + std::to_string(prefix));
      }
    }
    out.networks_.push_back(net);
  }
  return out;
}

bool TrustedProxies::contains(std::string_view ip) const {
  if (networks_.empty()) return false;
  const auto a = parse_hop(ip);
  if (!a) return false;
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& n) {
    return in_network(*a, n.bytes, n.v6, n.prefix);
  });
}

std::string canonical_address(std::string_view ip, const AddressOptions& options) {
  const auto a = parse_hop(ip);
  return a ? format(*a, options) : std::string{};
}

std::string client_address(std::string_view peer_ip, std::string_view x_forwarded_for,
                           const TrustedProxies& trusted, const AddressOptions& options) {
  const auto peer = parse_hop(peer_ip);
  if (!peer) return std::string(peer_ip);
  Address client = *peer;
  if (!trusted.contains(peer_ip)) return format(client, options);

  // Walk from the right: each trusted hop vouches for the entry left of it.
  std::string_view rest = x_forwarded_for;
  while (!trim(rest).empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (trim(hop).empty()) continue;  // "a, , b": an empty element carries nothing
    const auto address = parse_hop(hop);
    if (!address) break;  // garbage: believe nothing further left
    client = *address;
    if (!trusted.contains(hop)) break;
  }
  return format(client, options);
}

}  // namespace gcra::http
