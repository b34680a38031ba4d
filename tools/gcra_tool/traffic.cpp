#include "gcra_tool/traffic.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "gcra_tool/decimal.hpp"
#include "gcra_tool/int128.hpp"

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

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct Field {
  std::string text;
  bool was_quoted = false;
};

// Splits one line into fields: comma-separated, each either bare (trimmed)
// or double-quoted (kept exactly, "" standing for one quote). The error says
// what is wrong, without the line's location.
Result<std::vector<Field>> split_fields(std::string_view line) {
  std::vector<Field> fields;
  std::size_t pos = 0;
  while (true) {
    while (pos < line.size() && is_blank(line[pos])) ++pos;
    Field field;
    if (pos < line.size() && line[pos] == '"') {
      field.was_quoted = true;
      const std::size_t opened_at = pos++;
      while (true) {
        if (pos >= line.size()) {
          return invalid("unterminated quoted field starting at column " + std::to_string(opened_at + 1));
        }
        if (line[pos] == '"') {
          if (pos + 1 < line.size() && line[pos + 1] == '"') {
            field.text += '"';
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        field.text += line[pos++];
      }
      while (pos < line.size() && is_blank(line[pos])) ++pos;
      if (pos < line.size() && line[pos] != ',') {
        return invalid("unexpected " + quoted(line.substr(pos, 1)) + " after the quoted field at column " +
                       std::to_string(opened_at + 1));
      }
    } else {
      const std::size_t end = std::min(line.find(',', pos), line.size());
      field.text = std::string(trim(line.substr(pos, end - pos)));
      pos = end;
    }
    fields.push_back(std::move(field));
    if (pos >= line.size()) return fields;
    ++pos;  // the comma
  }
}

bool is_header(const std::vector<Field>& fields) {
  return !fields.empty() && !fields[0].was_quoted && lower(fields[0].text) == "timestamp";
}

Result<void> check_header(const std::vector<Field>& fields) {
  const bool ok = (fields.size() == 2 || fields.size() == 3) && lower(fields[1].text) == "key" &&
                  (fields.size() == 2 || lower(fields[2].text) == "cost");
  if (ok) return {};
  std::string got;
  for (const Field& f : fields) got += (got.empty() ? "" : ",") + f.text;
  return invalid("the header must be timestamp,key or timestamp,key,cost; got " + quoted(got));
}

Result<std::uint64_t> parse_cost(std::string_view text) {
  std::uint64_t cost = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), cost);
  if (ec == std::errc::result_out_of_range) return invalid("cost " + quoted(text) + " is too large");
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || text[0] == '+') {
    return invalid("cost " + quoted(text) + " is not a non-negative integer");
  }
  return cost;
}

// Request i is sent at i * 1e18 / rate ns, before the end iff that is below
// the duration, i.e. i < duration * rate / 1e18: the count is that bound
// rounded up.
Int128 synthetic_count(Duration duration, std::int64_t rate_billionths) {
  const Int128 scale = static_cast<Int128>(kBillion) * kBillion;
  return (static_cast<Int128>(duration.count()) * rate_billionths + scale - 1) / scale;
}

}  // namespace

void Traffic::sort_by_time() {
  std::stable_sort(requests.begin(), requests.end(),
                   [](const TrafficRequest& a, const TrafficRequest& b) { return a.at < b.at; });
}

Result<Traffic> parse_traffic(std::string_view text, std::string_view source) {
  Traffic traffic;
  std::unordered_map<std::string, std::uint32_t> key_index;
  bool header_allowed = true;
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    ++line_number;
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    auto fail = [&](std::string what) {
      return invalid(std::string(source) + ":" + std::to_string(line_number) + ": " + what);
    };
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;

    auto fields = split_fields(line);
    if (!fields) return fail(fields.error().message);
    if (header_allowed && is_header(*fields)) {
      header_allowed = false;
      if (auto ok = check_header(*fields); !ok) return fail(ok.error().message);
      continue;
    }
    header_allowed = false;

    if (fields->size() < 2 || fields->size() > 3) {
      return fail("expected timestamp,key or timestamp,key,cost; got " + std::to_string(fields->size()) +
                  (fields->size() == 1 ? " field" : " fields"));
    }
    const Field& time_field = (*fields)[0];
    auto at = parse_seconds(time_field.text);
    if (!at) return fail("timestamp: " + at.error().message);
    const Field& key_field = (*fields)[1];
    if (key_field.text.empty()) return fail("the key is empty");
    std::uint64_t cost = 1;
    if (fields->size() == 3) {
      auto parsed = parse_cost((*fields)[2].text);
      if (!parsed) return fail(parsed.error().message);
      cost = *parsed;
    }

    auto [it, inserted] = key_index.try_emplace(key_field.text, static_cast<std::uint32_t>(traffic.keys.size()));
    if (inserted) {
      if (traffic.keys.size() == UINT32_MAX) return fail("more than 4294967295 distinct keys");
      traffic.keys.push_back(key_field.text);
    }
    traffic.requests.push_back(TrafficRequest{*at, it->second, cost});
  }
  return traffic;
}

Result<Traffic> read_traffic(const std::string& path) {
  const bool from_stdin = path == "-";
  const std::string name = from_stdin ? "<stdin>" : path;
  std::ifstream file;
  if (!from_stdin) {
    file.open(path, std::ios::binary);
    if (!file) return invalid(name + ": cannot open: " + std::strerror(errno));
  }
  std::istream& in = from_stdin ? std::cin : file;
  // istream::read turns a failing read (a directory, an I/O error) into
  // badbit rather than an exception.
  std::string text;
  char chunk[1 << 16];
  errno = 0;
  while (in.read(chunk, sizeof chunk), in.gcount() > 0) text.append(chunk, static_cast<std::size_t>(in.gcount()));
  // Standard input goes through stdio, which keeps its errors to itself.
  if (in.bad() || (from_stdin && std::ferror(stdin))) return invalid(name + ": cannot read: " + std::strerror(errno != 0 ? errno : EIO));
  return parse_traffic(text, name);
}

Result<void> SyntheticTraffic::validate() const {
  if (rate_billionths <= 0) return invalid("the request rate must be positive");
  if (duration <= Duration::zero()) return invalid("the duration must be positive");
  if (keys == 0) return invalid("the number of keys must be at least 1");
  if (keys > kMaxSyntheticKeys) {
    return invalid(std::to_string(keys) + " keys is more than the " + std::to_string(kMaxSyntheticKeys) +
                   " synthetic keys the tool generates");
  }
  if (duration > kMaxInstant) return invalid("the duration is longer than 2^62 ns (146 years)");
  if (synthetic_count(duration, rate_billionths) > static_cast<Int128>(kMaxSyntheticRequests)) {
    return invalid("that is more than the " + std::to_string(kMaxSyntheticRequests) +
                   " synthetic requests the tool generates; lower --rps or --duration");
  }
  return {};
}

std::uint64_t SyntheticTraffic::request_count() const {
  return static_cast<std::uint64_t>(synthetic_count(duration, rate_billionths));
}

Instant SyntheticTraffic::request_time(std::uint64_t i) const {
  const Int128 scale = static_cast<Int128>(kBillion) * kBillion;
  return Instant{static_cast<std::int64_t>(static_cast<Int128>(i) * scale / rate_billionths)};
}

std::string SyntheticTraffic::key_name(std::uint64_t k) const {
  const std::size_t width = std::to_string(keys - 1).size();
  std::string digits = std::to_string(k);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return "key:" + digits;
}

}  // namespace gcra::tool
