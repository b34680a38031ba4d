#include "gcra/http/identity.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gcra::http {
namespace {

TEST(Sha256, MatchesTheStandardsTestVectorsAndPaddingBoundaries) {
  struct Case {
    std::string message;
    std::string digest;
  };
  const std::vector<Case> cases{
      // FIPS 180-4 examples (NIST CSRC) and RFC 6234.
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
       "lmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      // Around the 55/56/64-byte padding boundaries.
      {std::string(55, 'a'), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {std::string(56, 'a'), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {std::string(63, 'a'), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {std::string(64, 'a'), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {std::string(1'000'000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const auto& c : cases) EXPECT_EQ(sha256_hex(c.message), c.digest) << c.message.size();
}

TEST(HashApiKey, NeverContainsTheKeyAndIsStable) {
  const std::string key = "sk_live_5f2b9c0d8e7a6b5c4d3e2f1a";
  const std::string hashed = hash_api_key(key);
  EXPECT_EQ(hashed, "apikey:" + sha256_hex(key));
  EXPECT_EQ(hashed.find(key), std::string::npos);
  EXPECT_EQ(hashed, hash_api_key(key));
  EXPECT_NE(hashed, hash_api_key(key + "x"));
}

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
  const auto proxies =
      TrustedProxies::parse({"10.0.0.0/8", "192.0.2.7", "fd00::/8", "::1", "::ffff:172.16.0.0/108"});
  ASSERT_TRUE(proxies) << proxies.error().message;
  struct Case {
    std::string ip;
    bool trusted;
  };
  const std::vector<Case> cases{
      {"10.1.2.3", true},       {"11.0.0.1", false},       {"192.0.2.7", true},
      {"192.0.2.8", false},     {"fd12:3456::1", true},    {"fe80::1", false},
      {"::1", true},            {"::2", false},            {"::ffff:10.9.9.9", true},
      {"172.16.5.5", true},     {"172.32.0.1", false},     {"not-an-ip", false},
      {"", false},              {"10.0.0.1:8080", true},   {"[fd00::1]:443", true},
  };
  for (const auto& c : cases) EXPECT_EQ(proxies->contains(c.ip), c.trusted) << c.ip;
}

TEST(TrustedProxies, RefusesBadEntriesNamingThem) {
  for (const std::string bad : {"10.0.0.0/33", "10.0.0.1/8", "example.com", "10.0.0.0/", "::/129",
                                "10.0.0.0/x", "::ffff:10.0.0.0/64"}) {
    const auto proxies = TrustedProxies::parse({"127.0.0.1", bad});
    ASSERT_FALSE(proxies) << bad;
    EXPECT_NE(proxies.error().message.find(bad), std::string::npos) << proxies.error().message;
  }
}

TEST(TrustedProxies, DefaultTrustsNobody) {
  EXPECT_FALSE(TrustedProxies{}.contains("127.0.0.1"));
}

TEST(ClientAddress, HonoursForwardedForOnlyThroughTrustedProxies) {
  const auto proxies = TrustedProxies::parse({"10.0.0.0/8", "2001:db8:ffff::/48"}).value();
  struct Case {
    std::string name;
    std::string peer;
    std::string forwarded_for;
    std::string client;
  };
  const std::vector<Case> cases{
      {"direct client, no header", "203.0.113.9", "", "203.0.113.9"},
      {"untrusted peer: its header is ignored", "203.0.113.9", "198.51.100.1", "203.0.113.9"},
      {"trusted peer, one hop", "10.0.0.2", "198.51.100.1", "198.51.100.1"},
      {"spoofed entries left of the real client are ignored", "10.0.0.2",
       "1.1.1.1, 198.51.100.1", "198.51.100.1"},
      {"chain of trusted proxies is skipped", "10.0.0.2", "198.51.100.1, 10.0.0.9, 10.3.3.3",
       "198.51.100.1"},
      {"every hop trusted: the leftmost", "10.0.0.2", "10.1.1.1, 10.2.2.2", "10.1.1.1"},
      {"trusted peer without the header", "10.0.0.2", "", "10.0.0.2"},
      {"garbage hop: the proxy that passed it on", "10.0.0.2", "198.51.100.1, bogus",
       "10.0.0.2"},
      {"ports are dropped", "10.0.0.2", "198.51.100.1:5555", "198.51.100.1"},
      {"IPv6 grouped by /64", "2001:db8:ffff::1", "[2001:db8:1:2:3:4:5:6]:443",
       "2001:db8:1:2::/64"},
      {"IPv6 peer grouped by /64", "2001:db8:aaaa:bbbb:1::9", "", "2001:db8:aaaa:bbbb::/64"},
      {"IPv4-mapped peer is IPv4", "::ffff:203.0.113.9", "", "203.0.113.9"},
      {"empty elements are skipped", "10.0.0.2", "198.51.100.1,,", "198.51.100.1"},
      {"a peer that is not an address is kept", "unix:/run/app.sock", "198.51.100.1",
       "unix:/run/app.sock"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(client_address(c.peer, c.forwarded_for, proxies), c.client) << c.name;
  }
}

TEST(ClientAddress, GroupsIPv6ByTheConfiguredPrefix) {
  const TrustedProxies none;
  EXPECT_EQ(client_address("2001:db8:1:2:3:4:5:6", "", none, {.ipv6_prefix = 128}),
            "2001:db8:1:2:3:4:5:6");
  EXPECT_EQ(client_address("2001:db8:1:2:3:4:5:6", "", none, {.ipv6_prefix = 48}),
            "2001:db8:1::/48");
  EXPECT_EQ(client_address("2001:db8:1:2:3:4:5:6", "", none, {.ipv6_prefix = 60}),
            "2001:db8:1::/60");
  EXPECT_EQ(client_address("2001:db8:1:2f:3:4:5:6", "", none, {.ipv6_prefix = 60}),
            "2001:db8:1:20::/60");
}

TEST(CanonicalAddress, IsEmptyForNonAddresses) {
  EXPECT_EQ(canonical_address("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(canonical_address(" 192.0.2.1 "), "192.0.2.1");
  EXPECT_EQ(canonical_address("fe80::1%eth0", {.ipv6_prefix = 128}), "fe80::1");
  EXPECT_EQ(canonical_address("192.0.2.300"), "");
  EXPECT_EQ(canonical_address("[192.0.2.1]"), "");
  EXPECT_EQ(canonical_address(""), "");
}

}  // namespace
}  // namespace gcra::http
