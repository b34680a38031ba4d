#include "gcra_tool/decimal.hpp"
#include "gcra_tool/int128.hpp"

#include <array>
#include <cstdlib>

namespace gcra::tool {
namespace {

constexpr std::int64_t kBillion = 1'000'000'000;

Error invalid(std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; }

std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct DurationUnit {
  std::string_view name;
  std::int64_t ns;
};

constexpr std::array<DurationUnit, 14> kDurationUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", kBillion},
    {"sec", kBillion},
    {"second", kBillion},
    {"seconds", kBillion},
    {"m", 60 * kBillion},
    {"min", 60 * kBillion},
    {"minute", 60 * kBillion},
    {"minutes", 60 * kBillion},
    {"h", 3600 * kBillion},
    {"hour", 3600 * kBillion},
    {"d", 86400 * kBillion},
}};

}  // namespace

Result<std::int64_t> parse_billionths(std::string_view text) {
  auto not_a_number = [&] {
    return invalid(quoted(text) + " is not a non-negative decimal number such as 12 or 12.5");
  };
  std::size_t pos = 0;
  std::int64_t whole = 0;
  const std::size_t whole_start = pos;
  for (; pos < text.size() && is_digit(text[pos]); ++pos) {
    const int digit = text[pos] - '0';
    // Stop before whole * 1e9 could overflow int64.
    if (whole > (INT64_MAX / kBillion - digit) / 10) return invalid(quoted(text) + " is too large");
    whole = whole * 10 + digit;
  }
  if (pos == whole_start) return not_a_number();

  std::int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t fraction_start = pos;
    std::int64_t scale = kBillion / 10;
    for (; pos < text.size() && is_digit(text[pos]); ++pos) {
      const int digit = text[pos] - '0';
      if (scale == 0) {
        if (digit != 0) return invalid(quoted(text) + " is finer than a nanosecond (9 decimals at most)");
        continue;
      }
      fraction += digit * scale;
      scale /= 10;
    }
    if (pos == fraction_start) return not_a_number();
  }
  if (pos != text.size()) return not_a_number();
  const std::int64_t whole_part = whole * kBillion;
  if (whole_part > INT64_MAX - fraction) return invalid(quoted(text) + " is too large");
  return whole_part + fraction;
}

Result<Instant> parse_seconds(std::string_view text) {
  auto value = parse_billionths(text);
  if (!value) return value.error();
  if (*value > kMaxInstant.count()) {
    return invalid(quoted(text) + " is later than " + format_seconds(kMaxInstant.count()) +
                   " s (year 2116), the latest instant gcra represents");
  }
  return Instant{*value};
}

Result<Duration> parse_duration(std::string_view text) {
  std::size_t unit_start = text.size();
  while (unit_start > 0 && !is_digit(text[unit_start - 1]) && text[unit_start - 1] != '.') --unit_start;
  const std::string_view number = text.substr(0, unit_start);
  const std::string_view unit = text.substr(unit_start);
  std::int64_t unit_ns = kBillion;  // a bare number is seconds
  if (!unit.empty()) {
    unit_ns = 0;
    for (const DurationUnit& u : kDurationUnits) {
      if (u.name == unit) unit_ns = u.ns;
    }
    if (unit_ns == 0) {
      return invalid("duration " + quoted(text) + " has unknown unit " + quoted(unit) +
                     " (use ns, us, ms, s, m, h or d)");
    }
  }
  if (number.empty()) {
    return invalid("duration " + quoted(text) + " is not a number and a unit, such as 60s, 5m, 1.5h or 250ms");
  }
  auto value = parse_billionths(number);
  if (!value) return invalid("duration " + quoted(text) + ": " + value.error().message);
  // value is in billionths of a unit: ns = value * unit_ns / 1e9, exactly.
  const Int128 scaled = static_cast<Int128>(*value) * unit_ns;
  if (scaled % kBillion != 0) return invalid("duration " + quoted(text) + " is finer than a nanosecond");
  const Int128 ns = scaled / kBillion;
  if (ns > INT64_MAX) return invalid("duration " + quoted(text) + " is too long");
  if (ns == 0) return invalid("duration " + quoted(text) + " must be positive");
  return Duration{static_cast<std::int64_t>(ns)};
}

std::string format_seconds(std::int64_t ns) {
  std::string out;
  // Work on the magnitude as unsigned so that INT64_MIN is printable too.
  std::uint64_t magnitude = static_cast<std::uint64_t>(ns);
  if (ns < 0) {
    out += '-';
    magnitude = ~magnitude + 1;
  }
  out += std::to_string(magnitude / kBillion);
  std::uint64_t fraction = magnitude % kBillion;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 9 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    out += '.';
    out += digits;
  }
  return out;
}

}  // namespace gcra::tool
