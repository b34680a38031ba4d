// The JSON of the API: request bodies in, decisions out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_settings.hpp"
#include "gcra/decision.hpp"

namespace gcra::server {

// A request the API refuses, and why. Becomes {"error": code, "message": message}.
struct ApiError {
  unsigned status = 400;
  std::string code;     // machine-readable: invalid_json, invalid_request, unknown_policy, ...
  std::string message;  // names the offending field and value
};

// One object of /v1/check, /v1/peek or /v1/reset.
struct KeyRequest {
  std::string policy;
  std::string key;
  std::uint64_t cost = 1;  // /v1/reset has none
};

struct ParsedKeyRequests {
  std::vector<KeyRequest> items;
  bool batch = false;             // the body was an array
  std::optional<ApiError> error;  // set: nothing else is
};

// Parses {"policy": "api", "key": "user:42", "cost": 1} or a non-empty array
// of such objects (at most max_batch). `with_cost`: whether "cost" is
// accepted (not for /v1/reset). Unknown fields are refused, so that a typo
// ("cots") is an error rather than a silent default.
ParsedKeyRequests parse_key_requests(std::string_view body, std::size_t max_batch, bool with_cost);

// How a decision is reported: as the store made it, or admitted in shadow mode.
struct ReportedDecision {
  const PolicyRuntime* policy = nullptr;
  Decision decision;
  bool shadow_denied = false;              // the limits refused; shadow mode admitted
  std::vector<http::HeaderField> headers;  // RateLimit fields (no Retry-After when shadow_denied)
};

// The report of `decision` under `policy`, applying shadow mode.
ReportedDecision report_decision(const PolicyRuntime& policy, const Decision& decision);

// Appends the JSON object of one decision: allowed, policy, limit,
// remaining, retry_after_ms, reset_after_ms, rate, source, headers, and
// shadow fields for shadow-mode policies.
void append_decision_json(std::string& out, const ReportedDecision& reported);
// Appends {"error": code, "message": message}.
void append_error_json(std::string& out, std::string_view code, std::string_view message);

// Whole milliseconds in `d`, rounded up: a caller that waits that long is
// never early.
std::int64_t ceil_millis(Duration d) noexcept;

std::string_view source_name(Source source) noexcept;

}  // namespace gcra::server
