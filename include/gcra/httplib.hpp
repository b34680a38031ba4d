// gcra for cpp-httplib servers: a middleware for every route and a decorator
// for chosen routes. Library target gcra::httplib (links Debian's
// libcpp-httplib-dev and gcra::http).
//
//   gcra::MemoryStore store;
//   gcra::http::Guard global(store, gcra::Policy::parse("100/minute").value());
//   gcra::Limiter hello(store, gcra::Policy::parse("10/minute", "hello").value());
//   httplib::Server svr;
//   svr.set_pre_routing_handler(gcra::httplib::middleware(global));
//   svr.Get("/hello", gcra::httplib::throttle(hello, [](const auto&, auto& res) {
//     res.set_content("hello\n", "text/plain");
//   }));
//
// cpp-httplib keeps one pre-routing handler: to keep yours, pass it as the
// `next` of middleware(), or call RateLimit::admit() from it.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gcra/http/guard.hpp"
#include "gcra/http/identity.hpp"
#include "gcra/limiter.hpp"

namespace gcra::httplib {

using Request = ::httplib::Request;
using Response = ::httplib::Response;
using Handler = ::httplib::Server::Handler;
using HandlerResponse = ::httplib::Server::HandlerResponse;
using PreRoutingHandler = ::httplib::Server::HandlerWithResponse;

// The identity of a request, used as its store key; "" when it has none.
using KeyFunction = std::function<std::string(const Request&)>;
// What a request costs (0 peeks without consuming).
using CostFunction = std::function<std::uint64_t(const Request&)>;

// The value of `header` (e.g. "X-User-Id", set by an upstream authenticator
// after it verified the caller) after `prefix`; "" if absent or empty. Only
// use a header that clients cannot set themselves past your authenticator.
KeyFunction header_key(std::string header, std::string prefix = "user:");

// The API key in `header`, hashed (gcra::http::hash_api_key): the secret
// itself never becomes a store key. "" if absent or empty.
KeyFunction api_key_header(std::string header = "X-Api-Key");

// "ip:" + the client's address (gcra::http::client_address): the peer, or
// from X-Forwarded-For when the peer is a trusted proxy; IPv6 grouped by
// options.ipv6_prefix. Never "" (a peer without an address is used as is).
KeyFunction client_address_key(http::TrustedProxies trusted = {},
                               http::AddressOptions options = {});

// The first non-empty identity of `keys`, tried in order.
KeyFunction first_of(std::vector<KeyFunction> keys);

struct LimitOptions {
  KeyFunction key = header_key("X-User-Id");         // who is limited; "" = nobody in particular
  CostFunction cost{};                                // what a request costs; unset = 1
  const http::Guard* anonymous = nullptr;             // requests without an identity are limited
                                                      // under this guard by anonymous_key;
                                                      // null = they pass unlimited (classic)
  KeyFunction anonymous_key = client_address_key();   // the identity of anonymous requests
};

// A guard applied to cpp-httplib requests: the engine of both middleware()
// and throttle(). Thread-safety: immutable; call from any server thread. The
// guard (and the anonymous guard) must outlive it unless held by shared_ptr.
class RateLimit {
 public:
  RateLimit(const http::Guard& guard, LimitOptions options = {});
  RateLimit(std::shared_ptr<const http::Guard> guard, LimitOptions options = {});

  // Decides `req`. Passed: adds the rate-limit fields to `res` and returns
  // true. Refused: writes the whole refusal into `res` (status, fields, body)
  // and returns false. Fields already in `res` from another guard (the
  // global middleware's, for a decorated route) are merged, not duplicated:
  // quota items of the same name are replaced, others kept.
  bool admit(const Request& req, Response& res) const;

  // As a pre-routing handler: Handled (refused, response written) or
  // Unhandled (go on routing).
  HandlerResponse operator()(const Request& req, Response& res) const;

  const http::Guard& guard() const noexcept { return *guard_; }

 private:
  std::shared_ptr<const http::Guard> guard_;
  LimitOptions options_;
};

// The middleware for every route:
//   svr.set_pre_routing_handler(gcra::httplib::middleware(guard));
// With `next`, your own pre-routing handler runs after a request passes.
PreRoutingHandler middleware(const http::Guard& guard, LimitOptions options = {},
                             PreRoutingHandler next = {});

// The decorator for one route:
//   svr.Get("/hello", gcra::httplib::throttle(limiter, handler));
// Routes decorated with the same guard, or with limiters of the same policy
// name on the same store, share one quota per identity; other policies count
// apart. The Limiter form builds a guard with `guard_options`.
Handler throttle(const http::Guard& guard, Handler handler, LimitOptions options = {});
Handler throttle(const Limiter& limiter, Handler handler, LimitOptions options = {},
                 http::GuardOptions guard_options = {});

// Writes a guard's verdict into `res`, merging with fields already there.
// For adapters that decide by other means (e.g. Guard::verdict of an
// asynchronous decision).
void apply_verdict(const http::Verdict& verdict, Response& res);
void apply_verdict(http::Verdict&& verdict, Response& res);

}  // namespace gcra::httplib
