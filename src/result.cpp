#include "gcra/result.hpp"

namespace gcra {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::protocol: return "protocol";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out(gcra::to_string(code));
  out += ": ";
  out += message;
  return out;
}

}  // namespace gcra
