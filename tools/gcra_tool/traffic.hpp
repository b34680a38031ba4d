// Traffic to replay: requests read from a CSV file, or generated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/clock.hpp"
#include "gcra/result.hpp"

namespace gcra::tool {

// One request of the traffic. Keys are interned: `key` indexes Traffic::keys.
struct TrafficRequest {
  Instant at{0};           // as given in the file, ns since its epoch
  std::uint32_t key = 0;   // index into Traffic::keys
  std::uint64_t cost = 1;  // 0 = a peek, as in gcra::decide
};

// Requests in file order (not necessarily by time) and their distinct keys,
// in order of first appearance. Thread-safety: a plain value.
struct Traffic {
  std::vector<std::string> keys;
  std::vector<TrafficRequest> requests;

  // Sorts the requests by time; requests at the same instant keep their
  // file order.
  void sort_by_time();
};

// Parses CSV traffic: one request per line, `timestamp,key[,cost]`.
//   - timestamp: seconds, a non-negative decimal with up to 9 fractional
//     digits, parsed exactly ("1.000000001" is 1000000001 ns);
//   - key: any text; surrounding spaces are trimmed unless the field is
//     double-quoted ("a, b" with "" for a quote, as in RFC 4180); not empty;
//   - cost: a non-negative integer, 1 when absent.
// Blank lines and lines starting with '#' are skipped; the first other line
// may be the header `timestamp,key` or `timestamp,key,cost`. CRLF line ends
// are accepted. On the first malformed line, fails with the message
// "SOURCE:LINE: what is wrong".
Result<Traffic> parse_traffic(std::string_view text, std::string_view source);

// Reads and parses a file ("-" is standard input, named "<stdin>").
Result<Traffic> read_traffic(const std::string& path);

// Synthetic traffic: `keys` clients sharing `rate_billionths` requests per
// second (in billionths: 20 req/s is 20e9) for `duration`, evenly spread and
// deterministic. Request i is sent at floor(i / rate) and by client
// i mod keys, named "key:<i mod keys>" zero-padded to a common width so that
// names sort by number.
struct SyntheticTraffic {
  std::int64_t rate_billionths = 0;  // requests per second x 1e9; > 0
  Duration duration{0};              // > 0
  std::uint64_t keys = 1;            // >= 1

  // Checks the bounds above and that the traffic holds at most
  // kMaxSyntheticRequests requests and kMaxSyntheticKeys keys.
  Result<void> validate() const;
  // Number of requests: those with floor(i / rate) < duration.
  std::uint64_t request_count() const;
  // When request i is sent, in ns from the start.
  Instant request_time(std::uint64_t i) const;
  // The name of client k.
  std::string key_name(std::uint64_t k) const;
};

inline constexpr std::uint64_t kMaxSyntheticRequests = 1'000'000'000;
inline constexpr std::uint64_t kMaxSyntheticKeys = 10'000'000;

}  // namespace gcra::tool
