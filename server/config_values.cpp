#include "config_values.hpp"

#include <boost/asio/ip/address.hpp>

#include <array>
#include <charconv>
#include <limits>
#include <utility>

namespace gcra::server {

namespace {

Error invalid(std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; }

// Splits "50ms" into 50 and "ms"; false if there is no leading integer.
bool split_number(std::string_view text, std::uint64_t& number, std::string_view& unit) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc{} || ptr == text.data()) return false;
  unit = std::string_view(ptr, static_cast<std::size_t>(end - ptr));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return true;
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 6> units{{
      {"ns", 1},
      {"us", 1'000},
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  }};
  std::uint64_t number = 0;
  std::string_view unit;
  if (!split_number(text, number, unit)) {
    return invalid(std::string("'").append(text).append("' is not a duration such as 50ms, 2s or 1m"));
  }
  if (unit.empty()) {
    return invalid("duration '" + std::string(text) + "' needs a unit (ns, us, ms, s, m or h)");
  }
  for (const auto& [name, ns] : units) {
    if (unit != name) continue;
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / ns)) {
      return invalid("duration '" + std::string(text) + "' is too long");
    }
    return Duration{static_cast<std::int64_t>(number) * ns};
  }
  return invalid("duration '" + std::string(text) + "' has unknown unit '" + std::string(unit) +
                 "' (use ns, us, ms, s, m or h)");
}

std::string format_duration(Duration d) {
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 6> units{{
      {"h", 3'600'000'000'000},
      {"m", 60'000'000'000},
      {"s", 1'000'000'000},
      {"ms", 1'000'000},
      {"us", 1'000},
      {"ns", 1},
  }};
  const std::int64_t ns = d.count();
  for (const auto& [name, size] : units) {
    if (ns != 0 && ns % size == 0) return std::to_string(ns / size) + std::string(name);
  }
  return "0s";
}

Result<std::size_t> parse_size(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> units{{
      {"", 1},
      {"B", 1},
      {"k", 1000},
      {"KB", 1000},
      {"KiB", 1024},
      {"MB", 1000 * 1000},
      {"MiB", 1024 * 1024},
      {"GiB", 1024 * 1024 * 1024},
  }};
  std::uint64_t number = 0;
  std::string_view unit;
  if (!split_number(text, number, unit)) {
    return invalid(std::string("'").append(text).append("' is not a size such as 65536 or 64KiB"));
  }
  for (const auto& [name, bytes] : units) {
    if (unit != name) continue;
    if (number > std::numeric_limits<std::size_t>::max() / bytes) {
      return invalid("size '" + std::string(text) + "' is too large");
    }
    return static_cast<std::size_t>(number * bytes);
  }
  return invalid("size '" + std::string(text) + "' has unknown unit '" + std::string(unit) +
                 "' (use B, KiB, MiB, KB or MB)");
}

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return invalid("listen address '" + std::string(text) + "' " + std::string(why));
  };
  ListenAddress out;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("must look like [::1]:8080");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("needs a port, as in 127.0.0.1:8080");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("needs brackets around IPv6: [::1]:8080");
  }
  unsigned number = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || number > 65535) {
    return bad("has an invalid port '" + std::string(port) + "' (0 to 65535)");
  }
  out.port = static_cast<std::uint16_t>(number);
  if (host.empty()) {
    out.host = "127.0.0.1";
  } else if (host == "localhost") {
    out.host = "127.0.0.1";
  } else {
    boost::system::error_code error;
    boost::asio::ip::make_address(std::string(host), error);
    if (error) return bad("has a host '" + std::string(host) + "' that is not an IP address");
    out.host = std::string(host);
  }
  return out;
}

}  // namespace gcra::server
