// Guard: the framework-neutral core of gcra's HTTP integration. Given who is
// asking and what the request costs, it answers "pass" or "refuse", with the
// header fields to send either way and the body of a refusal. Adapting a web
// framework is then a few lines: see gcra/httplib.hpp and docs/http.md.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/decision.hpp"
#include "gcra/http/body.hpp"
#include "gcra/http/headers.hpp"
#include "gcra/limiter.hpp"
#include "gcra/policy.hpp"
#include "gcra/result.hpp"
#include "gcra/store.hpp"

namespace gcra::http {

// What a Guard does when its store returns an Error instead of a decision.
// (Wrap a remote store in gcra::FailoverStore to have its failure policy
// answer instead; this is the last line, for errors that still get through.)
enum class StoreErrorAction {
  allow,  // fail open: pass the request, with no rate-limit fields
  deny,   // fail closed: refuse with GuardOptions::unavailable_status
};

// Writes the body of a denial instead of the stock formats.
using BodyCallback = std::function<DenyBody(const Policy&, const Decision&)>;

struct GuardOptions {
  HeaderOptions headers{};                             // which fields to send, and item names
  BodyFormat body_format = BodyFormat::problem_json;   // the body of a denial
  BodyCallback body{};                                 // if set, writes the body of a denial
  int deny_status = 429;                               // 403 behind nginx auth_request
  int unavailable_status = 503;                        // refusing because the store failed
                                                       // (fallback_deny, or on_store_error deny)
  StoreErrorAction on_store_error = StoreErrorAction::allow;  // a store Error reaching the guard
};

// The answer for one request. A plain value.
struct Verdict {
  bool allowed = true;                // pass the request on to its handler
  int status = 0;                     // refused: the status to answer with; 0 when allowed
  std::vector<HeaderField> headers;   // add to the response, allowed or refused
  DenyBody body;                      // refused: the body and its Content-Type
  std::optional<Decision> decision;   // the store's decision; absent if it returned an error
  std::optional<Error> error;         // the store's error, if any (already acted upon)
};

// Identities longer than this are replaced by "sha256:<hex>" of themselves
// before they become store keys, so that no header can make a key the store
// refuses (and, failing open, get through unlimited).
inline constexpr std::size_t kMaxIdentityBytes = 256;

// One policy on one store, answering in HTTP terms.
//
// Thread-safety: immutable after construction; check() may be called from
// any number of threads at once (every gcra store is thread-safe). The store
// must outlive the guard.
class Guard {
 public:
  Guard(Store& store, Policy policy, GuardOptions options = {});
  explicit Guard(const Limiter& limiter, GuardOptions options = {});

  // Decides a request of `cost` (0 peeks) by `identity`, the store key (the
  // adapters build it: "user:42", hash_api_key(...), "ip:192.0.2.1").
  Verdict check(std::string_view identity, std::uint64_t cost = 1) const;

  // The verdict for a decision (or error) obtained elsewhere, e.g. from
  // Store::apply_async under this guard's policy.
  Verdict verdict(const Result<Decision>& result) const;

  // The store key check() uses for `identity` (hashed if too long).
  static std::string store_key(std::string_view identity);

  const Policy& policy() const noexcept { return limiter_.policy(); }
  Store& store() const noexcept { return limiter_.store(); }
  const GuardOptions& options() const noexcept { return options_; }
  const HeaderFormatter& formatter() const noexcept { return formatter_; }

 private:
  Limiter limiter_;
  GuardOptions options_;
  HeaderFormatter formatter_;
};

}  // namespace gcra::http
