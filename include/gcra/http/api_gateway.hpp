// AWS API Gateway Lambda proxy integration: who the authorizer says the
// caller is, and the proxy response of a refusal. For a C++ Lambda handler
// (aws-lambda-cpp or any runtime that hands over the event as JSON text).
//
//   auto outcome = gcra::http::api_gateway::check_event(guard, event_json);
//   if (outcome && !outcome->allowed) return outcome->response;   // 429
//   ... handle the request, adding outcome->headers to its response ...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/http/guard.hpp"
#include "gcra/result.hpp"

namespace gcra::http::api_gateway {

enum class PayloadFormat {
  v1,  // REST API (and HTTP API with payload format 1.0): "httpMethod", "requestContext.identity"
  v2,  // HTTP API payload format 2.0: "version": "2.0", "requestContext.http"
};

struct EventOptions {
  std::string context_key = "principalId";  // the Lambda authorizer's context entry naming the
                                            // caller: authorizer.<key> (1.0), .lambda.<key> (2.0)
  std::string claim = "sub";                // the JWT / Cognito claim naming the caller
};

// What gcra reads from a proxy event.
struct Event {
  PayloadFormat format = PayloadFormat::v1;
  std::string principal;  // empty when no authorizer named the caller
  std::string source_ip;  // the caller's address as API Gateway saw it
  std::string method;     // "GET"
  std::string path;       // "/hello"
};

// Reads `event_json`. The principal is the first of, in requestContext.authorizer:
//   principalId             a REST API Lambda authorizer's principal
//   <context_key>           a REST API Lambda authorizer's context entry
//   lambda.<context_key>    an HTTP API Lambda authorizer's context entry
//   jwt.claims.<claim>      an HTTP API JWT authorizer
//   claims.<claim>          a REST API Cognito user pool authorizer
// that is a non-empty string or a number. Fails (invalid_argument) only when
// the text is not JSON or not an API Gateway proxy event.
Result<Event> parse_event(std::string_view event_json, const EventOptions& options = {});

// The Lambda proxy response of a refusal:
// {"statusCode": 429, "headers": {...}, "body": "...", "isBase64Encoded": false}
// with the verdict's fields and Content-Type. The same shape serves both
// payload formats.
std::string proxy_response(const Verdict& verdict);

struct CheckOptions {
  EventOptions event{};                 // where the principal is found
  std::string key_prefix = "user:";     // store key = prefix + principal
  std::uint64_t cost = 1;               // what the request costs
  const Guard* anonymous = nullptr;     // callers without a principal: limited by source address
                                        // under this guard ("ip:<address>"); null = not limited
};

struct Outcome {
  bool allowed = true;                // go on and handle the request
  std::string response;               // refused: return this from the handler as it is
  std::vector<HeaderField> headers;   // allowed: add these to your own response
  Verdict verdict;                    // the details (empty if not limited at all)
  Event event;                        // what was read from the event
};

// parse_event(), then the guard (or `anonymous`), then proxy_response().
Result<Outcome> check_event(const Guard& guard, std::string_view event_json,
                            const CheckOptions& options = {});

}  // namespace gcra::http::api_gateway
