// The body of a denied response. Framework-neutral.
#pragma once

#include <string>

#include "gcra/decision.hpp"
#include "gcra/policy.hpp"

namespace gcra::http {

enum class BodyFormat {
  problem_json,  // RFC 9457 application/problem+json, the draft's quota-exceeded type
  chalice,       // AWS Chalice's {"Code": "TooManyRequestsError", "Message": ...}
};

// A ready-to-send body and its Content-Type.
struct DenyBody {
  std::string content_type;
  std::string body;

  friend bool operator==(const DenyBody&, const DenyBody&) = default;
};

// The problem type that draft-ietf-httpapi-ratelimit-headers defines.
inline constexpr const char* kQuotaExceededType =
    "https://iana.org/assignments/http-problem-types#quota-exceeded";

// The body for `decision` (denied), made under `policy`.
//
// problem_json: {"type": kQuotaExceededType, "title": ..., "status": 429,
//   "detail": ..., "violated-policies": [names]} where the names are the
//   quota policy items of every rate that refused (see policy_item_names(),
//   with `item_prefix`), and "retry-after" (whole seconds, rounded up) when
//   waiting helps. When the cost can never pass (exceeds_burst()), the detail
//   says so and there is no "retry-after".
// chalice: exactly {"Code": "TooManyRequestsError", "Message":
//   "TooManyRequestsError: You have exceeded the maximum number of requests"}.
DenyBody deny_body(const Policy& policy, const Decision& decision, BodyFormat format);
// As above, with the response's status in "status" (e.g. 403 behind nginx
// auth_request) and item names after `item_prefix`.
DenyBody deny_body(const Policy& policy, const Decision& decision, BodyFormat format, int status,
                   const std::string& item_prefix = {});

// The body of a response refused because the limiter itself could not
// decide (store down and the failure policy denies): problem+json of type
// "about:blank" with the status's title, or Chalice's shape with
// "ServiceUnavailableError". It claims no quota was exceeded.
DenyBody unavailable_body(BodyFormat format, int status);

}  // namespace gcra::http
