#include "gcra_tool/report.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include <nlohmann/json.hpp>

#include "gcra_tool/decimal.hpp"

namespace gcra::tool {
namespace {

std::string json_string(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_time(const std::optional<Instant>& at) {
  return at ? format_seconds(at->count()) : "null";
}

// A key as shown in the table: control bytes escaped.
std::string display_key(std::string_view key) {
  std::string out;
  for (char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

// Columns on a terminal: UTF-8 continuation bytes take none.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::string pad_right(std::string text, std::size_t width) {
  const std::size_t w = display_width(text);
  if (w < width) text.append(width - w, ' ');
  return text;
}

std::string pad_left(std::string text, std::size_t width) {
  const std::size_t w = display_width(text);
  if (w < width) text.insert(0, width - w, ' ');
  return text;
}

struct Row {
  std::string key;
  std::string admitted;
  std::string denied;
  std::string first_denied_at;
};

Row make_row(std::string key, const Outcome& outcome) {
  return Row{std::move(key), std::to_string(outcome.admitted), std::to_string(outcome.denied),
             outcome.first_denied_at ? format_seconds(outcome.first_denied_at->count()) : "-"};
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::string format_json(const SimulationResult& result) {
  std::vector<std::size_t> order(result.keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return result.keys[a] < result.keys[b]; });

  std::string out = "{\"total\": {\"admitted\": " + std::to_string(result.total.admitted) +
                    ", \"denied\": " + std::to_string(result.total.denied) + "}, \"keys\": {";
  bool first = true;
  for (std::size_t i : order) {
    const Outcome& o = result.per_key[i];
    if (!first) out += ", ";
    first = false;
    out += json_string(result.keys[i]);
    out += ": {\"admitted\": " + std::to_string(o.admitted) + ", \"denied\": " + std::to_string(o.denied) +
           ", \"first_denied_at\": " + json_time(o.first_denied_at) + "}";
  }
  out += "}}\n";
  return out;
}

std::string format_table(const SimulationResult& result, const Policy& policy, std::string_view traffic) {
  std::string out = "policy   " + policy.rates_string() + "\n";
  out += "traffic  " + std::string(traffic) + ": ";
  if (!result.first_at) {
    out += "no requests\n";
  } else {
    out += plural(result.total.requests(), "request", "requests") + ", " +
           plural(result.keys.size(), "key", "keys") + ", from " + format_seconds(result.first_at->count()) +
           " to " + format_seconds(result.last_at->count()) + " (" +
           format_seconds((*result.last_at - *result.first_at).count()) + " s)\n";
  }

  std::vector<std::size_t> order(result.keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Outcome& x = result.per_key[a];
    const Outcome& y = result.per_key[b];
    if (x.denied != y.denied) return x.denied > y.denied;
    return result.keys[a] < result.keys[b];
  });

  std::vector<Row> rows;
  rows.reserve(order.size() + 2);
  rows.push_back(Row{"key", "admitted", "denied", "first denied at"});
  for (std::size_t i : order) rows.push_back(make_row(display_key(result.keys[i]), result.per_key[i]));
  rows.push_back(make_row("total", result.total));

  std::size_t key_width = 0, admitted_width = 0, denied_width = 0;
  for (const Row& row : rows) {
    key_width = std::max(key_width, display_width(row.key));
    admitted_width = std::max(admitted_width, display_width(row.admitted));
    denied_width = std::max(denied_width, display_width(row.denied));
  }
  out += "\n";
  for (const Row& row : rows) {
    out += pad_right(row.key, key_width) + "  " + pad_left(row.admitted, admitted_width) + "  " +
           pad_left(row.denied, denied_width) + "  " + row.first_denied_at + "\n";
  }
  if (result.total.never > 0) {
    out += "\n" + plural(result.total.never, "denied request", "denied requests") +
           " had a cost above a burst of the policy: no wait would ever admit " +
           (result.total.never == 1 ? "it" : "them") + ".\n";
  }
  return out;
}

}  // namespace gcra::tool
