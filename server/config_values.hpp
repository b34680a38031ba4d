// The scalar value types of the configuration file: durations ("50ms"),
// sizes ("64KiB") and listen addresses ("127.0.0.1:8080").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gcra/clock.hpp"
#include "gcra/result.hpp"

namespace gcra::server {

// "250us", "50ms", "2s", "1m", "1h": a non-negative integer and a unit (ns,
// us, ms, s, m, h). A unit is required: "50" is an error, not 50 somethings.
Result<Duration> parse_duration(std::string_view text);
// The shortest exact text parse_duration reads back: "50ms", "2s".
std::string format_duration(Duration d);

// "65536", "64KiB", "1MiB" (also "B", "KB"/"k" = 1000, "MB" = 1000000).
Result<std::size_t> parse_size(std::string_view text);

// Where the server listens. Thread-safety: a plain value.
struct ListenAddress {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal, or "localhost"
  std::uint16_t port = 8080;       // 0 = any free port (the log line says which)

  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80", ":8080" (= 127.0.0.1:8080).
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace gcra::server
