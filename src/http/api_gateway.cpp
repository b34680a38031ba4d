#include "gcra/http/api_gateway.hpp"

#include <nlohmann/json.hpp>

#include "gcra/http/identity.hpp"

namespace gcra::http::api_gateway {
namespace {

using nlohmann::json;

const json* member(const json* j, std::string_view name) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto it = j->find(name);
  return it == j->end() ? nullptr : &*it;
}

std::string text_of(const json* j) {
  if (j == nullptr) return {};
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number_integer() || j->is_number_unsigned()) return j->dump();
  return {};  // objects, arrays, booleans, floats and null name nobody
}

std::string principal_of(const json* authorizer, const EventOptions& options) {
  for (const json* candidate : {
           member(authorizer, "principalId"),
           member(authorizer, options.context_key),
           member(member(authorizer, "lambda"), options.context_key),
           member(member(member(authorizer, "jwt"), "claims"), options.claim),
           member(member(authorizer, "claims"), options.claim),
       }) {
    std::string text = text_of(candidate);
    if (!text.empty()) return text;
  }
  return {};
}

Error not_an_event(std::string why) {
  return Error{ErrorCode::invalid_argument, "not an API Gateway proxy event: " + std::move(why)};
}

}  // namespace

Result<Event> parse_event(std::string_view event_json, const EventOptions& options) {
  const json root = json::parse(event_json.begin(), event_json.end(), nullptr, false);
  if (root.is_discarded()) return not_an_event("the text is not JSON");
  if (!root.is_object()) return not_an_event("the JSON is not an object");
  const json* context = member(&root, "requestContext");
  if (context == nullptr || !context->is_object()) return not_an_event("no requestContext object");

  Event event;
  if (text_of(member(&root, "version")) == "2.0") {
    event.format = PayloadFormat::v2;
    const json* http = member(context, "http");
    if (http == nullptr) return not_an_event("payload 2.0 without requestContext.http");
    event.method = text_of(member(http, "method"));
    event.path = text_of(member(http, "path"));
    event.source_ip = text_of(member(http, "sourceIp"));
  } else {
    event.format = PayloadFormat::v1;
    event.method = text_of(member(&root, "httpMethod"));
    if (event.method.empty()) return not_an_event("neither \"version\": \"2.0\" nor httpMethod");
    event.path = text_of(member(&root, "path"));
    event.source_ip = text_of(member(member(context, "identity"), "sourceIp"));
  }
  event.principal = principal_of(member(context, "authorizer"), options);
  return event;
}

std::string proxy_response(const Verdict& verdict) {
  json headers = json::object();
  for (const HeaderField& field : verdict.headers) headers[field.name] = field.value;
  if (!verdict.body.content_type.empty()) headers["Content-Type"] = verdict.body.content_type;
  const json response = {
      {"statusCode", verdict.status},
      {"headers", std::move(headers)},
      {"body", verdict.body.body},
      {"isBase64Encoded", false},
  };
  return response.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Outcome> check_event(const Guard& guard, std::string_view event_json,
                            const CheckOptions& options) {
  auto event = parse_event(event_json, options.event);
  if (!event) return event.error();
  Outcome outcome;
  outcome.event = std::move(*event);
  if (!outcome.event.principal.empty()) {
    outcome.verdict = guard.check(options.key_prefix + outcome.event.principal, options.cost);
  } else if (options.anonymous != nullptr) {
    const std::string address = canonical_address(outcome.event.source_ip);
    // Without a readable address every anonymous caller shares one key:
    // limited together rather than not at all.
    outcome.verdict = options.anonymous->check("ip:" + (address.empty() ? "unknown" : address),
                                               options.cost);
  } else {
    return outcome;  // the classic behaviour: only identified callers are limited
  }
  outcome.allowed = outcome.verdict.allowed;
  if (outcome.allowed) {
    outcome.headers = outcome.verdict.headers;
  } else {
    outcome.response = proxy_response(outcome.verdict);
  }
  return outcome;
}

}  // namespace gcra::http::api_gateway
