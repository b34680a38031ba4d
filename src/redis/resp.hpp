// Commands in RESP, Redis's wire format, appended to a caller's buffer.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace gcra::redis {

// Appends one command (an array of bulk strings) to `out`: begin(n), then
// exactly n arg() calls. Writing RESP directly lets a command be built in a
// reused buffer and sent as is, or queued, without hiredis's per-argument
// allocations. Not thread-safe; a short-lived helper.
class RespWriter {
 public:
  explicit RespWriter(std::string& out) noexcept : out_(out) {}

  void begin(std::size_t args) {
    out_ += '*';
    number(static_cast<std::int64_t>(args));
  }
  void arg(std::string_view bytes) {
    out_ += '$';
    number(static_cast<std::int64_t>(bytes.size()));
    out_ += bytes;
    out_ += "\r\n";
  }
  void arg(std::int64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    arg(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }

 private:
  void number(std::int64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, end);
    out_ += "\r\n";
  }

  std::string& out_;
};

}  // namespace gcra::redis
