#include "api.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>

#include <atomic>
#include <optional>

#include "gcra/http/identity.hpp"

namespace gcra::server {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

// The decisions of one /v1/check, /v1/peek or forward-auth request in
// flight on a remote store. Callbacks fill `results` from the store's
// threads; the last one hands the request back to its I/O thread.
struct Api::PendingDecisions {
  Responder responder;
  std::shared_ptr<const ApiSettings> settings;  // keeps the policies alive
  std::vector<const PolicyRuntime*> policies;
  std::vector<std::optional<Result<Decision>>> results;
  std::atomic<std::size_t> remaining{0};
  Origin origin;
  Mode mode = Mode::check;
  bool batch = false;
  bool forward_auth = false;
};

namespace {

std::string_view path_of(std::string_view target) {
  const std::size_t query = target.find('?');
  return query == std::string_view::npos ? target : target.substr(0, query);
}

Response json_response(unsigned status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response method_not_allowed(std::string_view allow) {
  Response response = error_response(405, "method_not_allowed",
                                     "this endpoint accepts " + std::string(allow));
  response.headers.push_back({"Allow", std::string(allow)});
  return response;
}

Response from_error(const ApiError& error) { return error_response(error.status, error.code, error.message); }

std::string configured_names(const Config& config) {
  std::string names;
  for (const PolicyConfig& p : config.policies) {
    if (!names.empty()) names += ", ";
    names += p.name;
  }
  return names;
}

// Looks up each item's policy and checks its key; the first problem wins.
std::optional<ApiError> resolve(const ApiSettings& settings, const ParsedKeyRequests& parsed,
                                std::vector<const PolicyRuntime*>& policies) {
  policies.clear();
  for (std::size_t i = 0; i < parsed.items.size(); ++i) {
    const KeyRequest& item = parsed.items[i];
    const std::string where = parsed.batch ? "[" + std::to_string(i) + "]." : std::string();
    const PolicyRuntime* policy = settings.find(item.policy);
    if (policy == nullptr) {
      std::string shown = item.policy.substr(0, 100);
      return ApiError{400, "unknown_policy",
                      where + "policy '" + shown + "' is not configured (configured: " +
                          configured_names(settings.config()) + ")"};
    }
    if (item.key.size() > settings.config().max_key_size) {
      return ApiError{400, "key_too_long",
                      where + "key is " + std::to_string(item.key.size()) + " bytes; at most " +
                          std::to_string(settings.config().max_key_size) + " (max_key_size)"};
    }
    policies.push_back(policy);
  }
  return std::nullopt;
}

// All X-Forwarded-For fields, joined as one list.
std::string forwarded_for(const HttpRequest& request) {
  std::string joined;
  const auto range = request.equal_range("X-Forwarded-For");
  for (auto it = range.first; it != range.second; ++it) {
    if (!joined.empty()) joined += ", ";
    joined.append(it->value().data(), it->value().size());
  }
  return joined;
}

Outcome outcome_of(const ReportedDecision& reported) {
  if (reported.shadow_denied) return Outcome::shadow_denied;
  return reported.decision.allowed ? Outcome::allowed : Outcome::denied;
}

}  // namespace

bool tokens_match(std::string_view presented, std::string_view expected) noexcept {
  const auto a = http::sha256(presented);
  const auto b = http::sha256(expected);
  unsigned difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned>(a[i] ^ b[i]);
  return difference == 0;
}

Api::Api(Store& store, Metrics& metrics, std::size_t workers, bool store_is_remote)
    : store_(store), metrics_(metrics), remote_(store_is_remote), slots_(workers) {}

Api::~Api() { blocking_.join(); }

void Api::install(std::size_t worker, std::shared_ptr<const ApiSettings> settings) {
  slots_[worker].settings = std::move(settings);
}

void Api::finish(const Origin& origin, Responder& responder, Response response) {
  metrics_.record_request(origin.worker, origin.endpoint, response.status,
                          std::chrono::steady_clock::now() - origin.received);
  responder.send(std::move(response));
}

void Api::handle(const RequestContext& context, Responder responder) {
  const HttpRequest& request = context.request;
  const std::string_view path = path_of({request.target().data(), request.target().size()});
  const bhttp::verb method = request.method();
  Origin origin{context.worker, Endpoint::other, context.received};
  const bool is_get = method == bhttp::verb::get || method == bhttp::verb::head;

  static constexpr std::string_view kForwardAuth = "/v1/forward-auth/";
  if (path.substr(0, kForwardAuth.size()) == kForwardAuth) {
    origin.endpoint = Endpoint::forward_auth;
    return forward_auth(context, std::move(responder), path.substr(kForwardAuth.size()), origin);
  }
  if (path == "/v1/check" || path == "/v1/peek") {
    const bool check = path == "/v1/check";
    origin.endpoint = check ? Endpoint::check : Endpoint::peek;
    if (method != bhttp::verb::post) return finish(origin, responder, method_not_allowed("POST"));
    return decide(context, std::move(responder), check ? Mode::check : Mode::peek, origin);
  }
  if (path == "/v1/reset") {
    origin.endpoint = Endpoint::reset;
    if (method != bhttp::verb::post) return finish(origin, responder, method_not_allowed("POST"));
    return reset(context, std::move(responder), origin);
  }
  if (path == "/metrics") {
    origin.endpoint = Endpoint::metrics;
    if (!is_get) return finish(origin, responder, method_not_allowed("GET, HEAD"));
    Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics_.render();
    return finish(origin, responder, std::move(response));
  }
  if (path == "/healthz") {
    origin.endpoint = Endpoint::healthz;
    if (!is_get) return finish(origin, responder, method_not_allowed("GET, HEAD"));
    return finish(origin, responder, json_response(200, "{\"status\":\"ok\"}"));
  }
  if (path == "/readyz") {
    origin.endpoint = Endpoint::readyz;
    if (!is_get) return finish(origin, responder, method_not_allowed("GET, HEAD"));
    return ready(std::move(responder), origin);
  }
  finish(origin, responder,
         error_response(404, "not_found",
                        "no such endpoint; see docs/http-api.md (/v1/check, /v1/peek, /v1/reset, "
                        "/v1/forward-auth/{policy}, /metrics, /healthz, /readyz)"));
}

// --- /v1/check and /v1/peek ---

void Api::decide(const RequestContext& context, Responder responder, Mode mode, Origin origin) {
  const ApiSettings& current = settings(context.worker);
  ParsedKeyRequests parsed =
      parse_key_requests(context.request.body(), current.config().max_batch, /*with_cost=*/true);
  if (parsed.error) return finish(origin, responder, from_error(*parsed.error));
  std::vector<const PolicyRuntime*> policies;
  if (auto error = resolve(current, parsed, policies)) return finish(origin, responder, from_error(*error));

  if (!remote_) {
    std::vector<Result<Decision>> results;
    results.reserve(parsed.items.size());
    for (std::size_t i = 0; i < parsed.items.size(); ++i) {
      results.push_back(store_.apply(policies[i]->policy(), parsed.items[i].key, parsed.items[i].cost, mode));
    }
    return finish(origin, responder,
                  decisions_response(policies, results, parsed.batch, mode, context.worker));
  }

  auto pending = std::make_shared<PendingDecisions>();
  pending->responder = std::move(responder);
  pending->settings = slots_[context.worker].settings;
  pending->policies = std::move(policies);
  pending->results.resize(parsed.items.size());
  pending->remaining.store(parsed.items.size(), std::memory_order_relaxed);
  pending->origin = origin;
  pending->mode = mode;
  pending->batch = parsed.batch;
  for (std::size_t i = 0; i < parsed.items.size(); ++i) {
    const Request request{&pending->policies[i]->policy(), parsed.items[i].key, parsed.items[i].cost, mode};
    store_.apply_async(request, [this, pending, i](Result<Decision> result) {
      pending->results[i].emplace(std::move(result));
      if (pending->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) complete(pending);
    });
  }
}

// Runs on whichever thread gave the last answer; moves to the I/O thread.
void Api::complete(const std::shared_ptr<PendingDecisions>& pending) {
  Responder responder = std::move(pending->responder);
  std::move(responder).dispatch([this, pending](Responder own) {
    PendingDecisions& p = *pending;
    std::vector<Result<Decision>> results;
    results.reserve(p.results.size());
    for (auto& r : p.results) results.push_back(std::move(*r));
    Response response = p.forward_auth
                            ? forward_auth_response(*p.policies[0], results[0], p.origin.worker)
                            : decisions_response(p.policies, results, p.batch, p.mode, p.origin.worker);
    finish(p.origin, own, std::move(response));
  });
}

Response Api::decisions_response(const std::vector<const PolicyRuntime*>& policies,
                                 std::vector<Result<Decision>>& results, bool batch, Mode mode,
                                 std::size_t worker) {
  Response response;
  response.body.reserve(batch ? 256 * results.size() : 320);
  if (batch) response.body.push_back('[');
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (batch && i > 0) response.body.push_back(',');
    Result<Decision>& result = results[i];
    if (!result) {
      const bool caller = result.error().code == ErrorCode::invalid_argument;
      if (!caller) metrics_.record_store_error(worker);
      if (!batch) {
        return error_response(caller ? 400 : 503, caller ? "invalid_request" : "store_unavailable",
                              result.error().message);
      }
      append_error_json(response.body, caller ? "invalid_request" : "store_unavailable",
                        result.error().message);
      continue;
    }
    ReportedDecision reported = report_decision(*policies[i], *result);
    metrics_.record_source(worker, result->source);
    if (mode == Mode::check) policies[i]->counters->record(worker, outcome_of(reported));
    append_decision_json(response.body, reported);
    if (!batch) response.headers = std::move(reported.headers);
  }
  if (batch) response.body.push_back(']');
  return response;
}

// --- /v1/forward-auth/{policy} ---

void Api::forward_auth(const RequestContext& context, Responder responder, std::string_view policy_path,
                       Origin origin) {
  const ApiSettings& current = settings(context.worker);
  // Envoy's ext_authz appends the original path: /v1/forward-auth/api/orders/7.
  const std::string_view name = policy_path.substr(0, policy_path.find('/'));
  const PolicyRuntime* policy = current.find(name);
  if (policy == nullptr || policy->name() != policy->config.name) {
    return finish(origin, responder,
                  error_response(404, "unknown_policy",
                                 "policy '" + std::string(name.substr(0, 100)) +
                                     "' is not configured (configured: " +
                                     configured_names(current.config()) + ")"));
  }
  const HttpRequest& request = context.request;
  std::string identity;
  const Identity& source = policy->config.identity;
  if (source.kind == Identity::Kind::header) {
    const auto it = request.find(source.header);
    if (it != request.end() && !it->value().empty()) {
      identity.assign(it->value().data(), it->value().size());
    } else if (const PolicyRuntime* anonymous = current.anonymous_of(*policy)) {
      policy = anonymous;
    } else {
      return finish(origin, responder,
                    error_response(401, "missing_identity",
                                   "the " + source.header + " header that policy '" + policy->name() +
                                       "' limits by is missing, and the policy has no anonymous: limits"));
    }
  }
  if (identity.empty()) {
    identity = http::client_address(context.peer_ip, forwarded_for(request), current.trusted_proxies(),
                                    current.address_options());
  }
  const std::string key = http::Guard::store_key(identity);

  if (!remote_) {
    const Result<Decision> result = store_.apply(policy->policy(), key, 1, Mode::check);
    return finish(origin, responder, forward_auth_response(*policy, result, context.worker));
  }
  auto pending = std::make_shared<PendingDecisions>();
  pending->responder = std::move(responder);
  pending->settings = slots_[context.worker].settings;
  pending->policies = {policy};
  pending->results.resize(1);
  pending->remaining.store(1, std::memory_order_relaxed);
  pending->origin = origin;
  pending->forward_auth = true;
  store_.apply_async(Request{&policy->policy(), key, 1, Mode::check}, [this, pending](Result<Decision> result) {
    pending->results[0].emplace(std::move(result));
    complete(pending);
  });
}

Response Api::forward_auth_response(const PolicyRuntime& policy, const Result<Decision>& result,
                                    std::size_t worker) {
  http::Verdict verdict = policy.guard.verdict(result);
  Response response;
  response.content_type.clear();
  if (verdict.error) metrics_.record_store_error(worker);
  if (!verdict.decision) {
    response.status = verdict.allowed ? 200 : static_cast<unsigned>(verdict.status);
    if (!verdict.allowed) {
      response.content_type = verdict.body.content_type;
      response.body = std::move(verdict.body.body);
    }
    return response;
  }
  metrics_.record_source(worker, verdict.decision->source);
  ReportedDecision reported = report_decision(policy, *verdict.decision);
  policy.counters->record(worker, outcome_of(reported));
  if (verdict.allowed || reported.shadow_denied) {
    response.status = 200;
    response.headers = std::move(reported.headers);
    return response;
  }
  response.status = static_cast<unsigned>(verdict.status);
  response.headers = std::move(verdict.headers);
  response.content_type = verdict.body.content_type;
  response.body = std::move(verdict.body.body);
  return response;
}

// --- /v1/reset ---

void Api::reset(const RequestContext& context, Responder responder, Origin origin) {
  const ApiSettings& current = settings(context.worker);
  const std::optional<std::string>& token = current.config().admin_token;
  if (!token) {
    return finish(origin, responder,
                  error_response(403, "admin_disabled",
                                 "no admin token is configured (set the variable named by "
                                 "admin_token_env, or admin_token_file)"));
  }
  const auto authorization = context.request.find(bhttp::field::authorization);
  std::string_view presented;
  if (authorization != context.request.end()) {
    const std::string_view value(authorization->value().data(), authorization->value().size());
    if (value.size() > 7 && boost::beast::iequals(value.substr(0, 7), "Bearer ")) presented = value.substr(7);
  }
  if (presented.empty() || !tokens_match(presented, *token)) {
    Response response = error_response(401, "unauthorized",
                                       presented.empty() ? "send the admin token as Authorization: Bearer <token>"
                                                         : "the bearer token is not the admin token");
    response.headers.push_back({"WWW-Authenticate", "Bearer realm=\"gcra-admin\""});
    return finish(origin, responder, std::move(response));
  }
  ParsedKeyRequests parsed =
      parse_key_requests(context.request.body(), current.config().max_batch, /*with_cost=*/false);
  if (parsed.error) return finish(origin, responder, from_error(*parsed.error));
  std::vector<const PolicyRuntime*> policies;
  if (auto error = resolve(current, parsed, policies)) return finish(origin, responder, from_error(*error));

  auto run = [this, policies, parsed = std::move(parsed)]() {
    Response response;
    if (parsed.batch) response.body.push_back('[');
    for (std::size_t i = 0; i < parsed.items.size(); ++i) {
      if (i > 0) response.body.push_back(',');
      const Result<void> done = store_.reset(policies[i]->policy(), parsed.items[i].key);
      if (!done) {
        if (!parsed.batch) {
          response = error_response(503, "store_unavailable", done.error().message);
          break;
        }
        append_error_json(response.body, "store_unavailable", done.error().message);
        continue;
      }
      response.body.append("{\"reset\":true,\"policy\":");
      append_json_string(response.body, policies[i]->name());
      response.body.append("}");
    }
    if (parsed.batch) response.body.push_back(']');
    return response;
  };
  if (!remote_) {
    Response response = run();
    return finish(origin, responder, std::move(response));
  }
  // A remote store's reset blocks: run it off the I/O thread.
  auto shared = std::make_shared<Responder>(std::move(responder));
  auto keep = slots_[context.worker].settings;
  asio::post(blocking_, [this, shared, keep, run = std::move(run), origin]() mutable {
    Response response = run();
    std::move(*shared).dispatch([this, origin, response = std::move(response)](Responder own) mutable {
      finish(origin, own, std::move(response));
    });
  });
}

// --- /readyz ---

void Api::ready(Responder responder, Origin origin) {
  auto answer = [](const Result<void>& ping) {
    if (ping) return json_response(200, "{\"status\":\"ready\"}");
    Response response = error_response(503, "store_unavailable", ping.error().message);
    return response;
  };
  if (!remote_) return finish(origin, responder, answer(store_.ping()));
  auto shared = std::make_shared<Responder>(std::move(responder));
  asio::post(blocking_, [this, shared, origin, answer] {
    Response response = answer(store_.ping());
    std::move(*shared).dispatch([this, origin, response = std::move(response)](Responder own) mutable {
      finish(origin, own, std::move(response));
    });
  });
}

}  // namespace gcra::server
