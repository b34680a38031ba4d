// One-line log records on stderr: "2026-12-04T10:00:00.123Z level message".
#pragma once

#include <string_view>

namespace gcra::server {

enum class LogLevel { info, warning, error };

// Thread-safety: may be called from any thread; each record is written with
// one write(2), so records from different threads never interleave.
void log(LogLevel level, std::string_view message);

inline void log_info(std::string_view message) { log(LogLevel::info, message); }
inline void log_warning(std::string_view message) { log(LogLevel::warning, message); }
inline void log_error(std::string_view message) { log(LogLevel::error, message); }

}  // namespace gcra::server
