#include "gcra/http/body.hpp"

#include <nlohmann/json.hpp>

#include "gcra/http/headers.hpp"

namespace gcra::http {
namespace {

constexpr const char* kProblemJson = "application/problem+json";
constexpr const char* kJson = "application/json";

std::string dump(const nlohmann::ordered_json& j) {
  // Replace, never throw, on bytes that are not UTF-8 (a caller's prefix).
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 403: return "Forbidden";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Request Refused";
  }
}

}  // namespace

DenyBody deny_body(const Policy& policy, const Decision& decision, BodyFormat format) {
  return deny_body(policy, decision, format, 429);
}

DenyBody deny_body(const Policy& policy, const Decision& decision, BodyFormat format, int status,
                   const std::string& item_prefix) {
  if (format == BodyFormat::chalice) {
    // The exact text Chalice sends, spacing included, so that clients
    // written against Chalice parse it unchanged.
    return {kJson,
            R"({"Code": "TooManyRequestsError", "Message": "TooManyRequestsError: You have exceeded the maximum number of requests"})"};
  }
  const std::vector<std::string> names = policy_item_names(policy, item_prefix);
  nlohmann::ordered_json violated = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < decision.rate_count && i < names.size(); ++i) {
    if (decision.rates[i].retry_after > Duration{0}) violated.push_back(names[i]);
  }
  nlohmann::ordered_json problem = {
      {"type", kQuotaExceededType},
      {"title", "Request cannot be satisfied as assigned quota has been exceeded"},
      {"status", status},
  };
  if (decision.exceeds_burst()) {
    problem["detail"] =
        "The request costs more than the quota admits at once; it will never be admitted, "
        "however long the client waits.";
  } else {
    const long long seconds = std::max(1LL, ceil_seconds(decision.retry_after));
    problem["detail"] = "Quota exceeded; retry in " + std::to_string(seconds) +
                        (seconds == 1 ? " second." : " seconds.");
    problem["retry-after"] = seconds;
  }
  problem["violated-policies"] = std::move(violated);
  return {kProblemJson, dump(problem)};
}

DenyBody unavailable_body(BodyFormat format, int status) {
  if (format == BodyFormat::chalice) {
    return {kJson,
            R"({"Code": "ServiceUnavailableError", "Message": "ServiceUnavailableError: The rate limiter cannot decide right now"})"};
  }
  nlohmann::ordered_json problem = {
      {"type", "about:blank"},
      {"title", reason_phrase(status)},
      {"status", status},
      {"detail", "The rate limiter cannot decide right now and is configured to refuse requests "
                 "until it can."},
  };
  return {kProblemJson, dump(problem)};
}

}  // namespace gcra::http
