#include "gcra/rate.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace gcra {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ns;
};

constexpr std::int64_t kSecond = 1'000'000'000;

// Every spelling the parser accepts. The first spelling of each length is
// the one to_string() prints.
constexpr std::array<Unit, 34> kUnits{{
    {"week", 7 * 86400 * kSecond}, {"weeks", 7 * 86400 * kSecond}, {"w", 7 * 86400 * kSecond},
    {"day", 86400 * kSecond},      {"days", 86400 * kSecond},      {"d", 86400 * kSecond},
    {"hour", 3600 * kSecond},      {"hours", 3600 * kSecond},      {"hr", 3600 * kSecond},
    {"hrs", 3600 * kSecond},       {"h", 3600 * kSecond},          {"minute", 60 * kSecond},
    {"minutes", 60 * kSecond},     {"min", 60 * kSecond},          {"mins", 60 * kSecond},
    {"m", 60 * kSecond},           {"second", kSecond},            {"seconds", kSecond},
    {"sec", kSecond},              {"secs", kSecond},              {"s", kSecond},
    {"ms", 1'000'000},             {"msec", 1'000'000},            {"millisecond", 1'000'000},
    {"milliseconds", 1'000'000},   {"us", 1'000},                  {"microsecond", 1'000},
    {"microseconds", 1'000},       {"ns", 1},                      {"nanosecond", 1},
    {"nanoseconds", 1},            {"month", 30 * 86400 * kSecond}, {"months", 30 * 86400 * kSecond},
    {"mo", 30 * 86400 * kSecond},
}};

// Units printed by to_string(), largest first: a period is written in the
// largest one that divides it.
constexpr std::array<Unit, 8> kPrintUnits{{{"week", 7 * 86400 * kSecond},
                                           {"day", 86400 * kSecond},
                                           {"hour", 3600 * kSecond},
                                           {"minute", 60 * kSecond},
                                           {"second", kSecond},
                                           {"ms", 1'000'000},
                                           {"us", 1'000},
                                           {"ns", 1}}};

Error invalid(std::string_view text, std::string why) {
  std::string message = "invalid rate \"";
  message += text;
  message += "\": ";
  message += why;
  return Error{ErrorCode::invalid_argument, std::move(message)};
}

std::string quoted(std::string_view token) {
  std::string out = "\"";
  out += token;
  out += '"';
  return out;
}

// A hand-written scanner over one rate's text; every error names the token.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }
  bool peek_digit() {
    skip_space();
    return pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]));
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A run of letters, lower-cased; empty if none.
  std::string word() {
    skip_space();
    std::string out;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_++])));
    }
    return out;
  }
  // Everything up to the next space: what an error message quotes.
  std::string_view token() {
    skip_space();
    std::size_t end = pos_;
    while (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end]))) ++end;
    return text_.substr(pos_, end - pos_);
  }
  // An unsigned decimal integer. `what` names it in errors.
  Result<std::uint64_t> number(std::string_view what) {
    skip_space();
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) {
      return invalid(text_, std::string(what) + " must be a positive integer, got " + quoted(token()));
    }
    std::uint64_t value = 0;
    const char* first = text_.data() + pos_;
    const char* last = text_.data() + text_.size();
    auto [ptr, ec] = std::from_chars(first, last, value);
    std::size_t digits = static_cast<std::size_t>(ptr - first);
    if (ec == std::errc::result_out_of_range) {
      std::size_t end = pos_;
      while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      return invalid(text_, std::string(what) + " " + std::string(text_.substr(pos_, end - pos_)) +
                                " is too large");
    }
    if (ec != std::errc() || digits == 0) {
      return invalid(text_, "expected " + std::string(what) + ", got " +
                                (at_end() ? std::string("end of text") : quoted(token())));
    }
    pos_ += digits;
    return value;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<std::int64_t> unit_ns(std::string_view name) {
  for (const Unit& unit : kUnits) {
    if (unit.name == name) return unit.ns;
  }
  return std::nullopt;
}

}  // namespace

Result<Rate> Rate::make(std::uint64_t limit, Duration period, std::optional<std::uint64_t> burst) {
  auto fail = [](std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; };
  if (limit == 0) return fail("limit must be at least 1, got 0");
  if (period <= Duration::zero()) {
    return fail("period must be positive, got " + std::to_string(period.count()) + "ns");
  }
  if (burst && *burst == 0) return fail("burst must be at least 1, got 0");
  if (limit > static_cast<std::uint64_t>(period.count())) {
    return fail("rate " + std::to_string(limit) + " per " + std::to_string(period.count()) +
                "ns is faster than one request per nanosecond");
  }
  Rate rate;
  rate.limit_ = limit;
  rate.period_ = period;
  rate.burst_ = burst.value_or(limit);
  rate.interval_ = Duration{period.count() / static_cast<std::int64_t>(limit)};
  const auto max_burst = static_cast<std::uint64_t>(kMaxTolerance.count() / rate.interval_.count());
  if (rate.burst_ > max_burst) {
    return fail("burst " + std::to_string(rate.burst_) + " at one request per " +
                std::to_string(rate.interval_.count()) + "ns spans more than 2^60 ns (36 years); " +
                "the largest burst for this rate is " + std::to_string(max_burst));
  }
  rate.tolerance_ = Duration{static_cast<std::int64_t>(rate.burst_) * rate.interval_.count()};
  return rate;
}

Rate::Rate(std::uint64_t limit, Duration period, std::optional<std::uint64_t> burst) {
  auto made = make(limit, period, burst);
  if (!made) throw std::invalid_argument(made.error().message);
  *this = *made;
}

Result<Rate> Rate::parse(std::string_view text) {
  Scanner in(text);
  auto limit = in.number("limit");
  if (!limit) return limit.error();
  if (*limit == 0) return invalid(text, "limit must be at least 1, got 0");

  // nginx writes "10r/s".
  std::string word = in.word();
  if (word == "r") word = in.word();
  if (word == "per") {
    // "100 per minute"
  } else if (word.empty() && in.consume('/')) {
    // "100/minute"
  } else {
    return invalid(text, "expected \"/\" or \"per\" after the limit, got " +
                             (word.empty() ? quoted(in.token()) : quoted(word)));
  }

  std::uint64_t count = 1;
  if (in.peek_digit()) {
    auto parsed = in.number("period");
    if (!parsed) return parsed.error();
    count = *parsed;
  }
  std::string unit = in.word();
  if (unit.empty()) {
    return invalid(text, "expected a time unit (s, minute, hour, ...), got " +
                             (in.at_end() ? std::string("end of text") : quoted(in.token())));
  }
  if (unit == "y" || unit == "yr" || unit == "year" || unit == "years") {
    return invalid(text, "ambiguous unit " + quoted(unit) +
                             " (Python's limits means 360 days): write 365d or 360d");
  }
  auto ns = unit_ns(unit);
  if (!ns) return invalid(text, "unknown unit " + quoted(unit));
  if (count == 0) return invalid(text, "period must be positive, got 0" + unit);
  if (count > static_cast<std::uint64_t>(INT64_MAX / *ns)) {
    return invalid(text, "period " + std::to_string(count) + unit + " is too large");
  }

  std::optional<std::uint64_t> burst;
  if (!in.at_end()) {
    std::string keyword = in.word();
    if (keyword != "burst") {
      return invalid(text, "unexpected " + quoted(keyword.empty() ? std::string(in.token()) : keyword) +
                               " after the period");
    }
    in.consume('=');
    auto parsed = in.number("burst");
    if (!parsed) return parsed.error();
    burst = *parsed;
    if (!in.at_end()) return invalid(text, "unexpected " + quoted(in.token()) + " after the burst");
  }

  auto rate = make(*limit, Duration{static_cast<std::int64_t>(count) * *ns}, burst);
  if (!rate) return invalid(text, rate.error().message);
  return rate;
}

std::string Rate::to_string() const {
  std::string out = std::to_string(limit_) + "/";
  for (const Unit& unit : kPrintUnits) {
    if (period_.count() % unit.ns != 0) continue;
    std::int64_t count = period_.count() / unit.ns;
    if (count == 1 && unit.name.size() > 2) {
      out += unit.name;
    } else {
      out += std::to_string(count);
      // Long names read badly after a number: "5minute". Use the short form.
      out += unit.name == "week"     ? "w"
             : unit.name == "day"    ? "d"
             : unit.name == "hour"   ? "h"
             : unit.name == "minute" ? "m"
             : unit.name == "second" ? "s"
                                     : std::string(unit.name);
    }
    break;
  }
  if (burst_ != limit_) out += " burst " + std::to_string(burst_);
  return out;
}

}  // namespace gcra
