// Store: where keys' state lives. The seam between the pure core and I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/core.hpp"
#include "gcra/decision.hpp"
#include "gcra/policy.hpp"
#include "gcra/result.hpp"

namespace gcra {

// One decision to make, for the batch and asynchronous calls. The policy
// and the key's bytes must outlive the call.
struct Request {
  const Policy* policy = nullptr;  // never null
  std::string_view key;            // arbitrary bytes
  std::uint64_t cost = 1;          // 0 peeks at a cost-1 request
  Mode mode = Mode::check;         // check consumes; peek never does
};

// A store applies a policy to a key atomically and returns the decision. It
// owns "now" (its clock, or the server's) and the state of every key,
// namespaced by policy name. MemoryStore and RedisStore are interchangeable
// and pass the same conformance suite (tests/conformance/).
//
// Thread-safety: every implementation is safe to call from any number of
// threads at once. No method throws; failures are returned as Error values.
class Store {
 public:
  using Callback = std::function<void(Result<Decision>)>;

  virtual ~Store() = default;

  // Decides `cost` for `key` under `policy` (see gcra::decide for the rules).
  virtual Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                                 Mode mode) = 0;

  // Forgets `key` under `policy`: its next request finds it at full burst.
  virtual Result<void> reset(const Policy& policy, std::string_view key) = 0;

  // Many decisions at once, answered in order. Remote stores send them in
  // one pipelined write; the default decides them one by one.
  virtual std::vector<Result<Decision>> apply_batch(std::span<const Request> requests);

  // Decides without blocking the caller where the store can (RedisStore);
  // `done` runs exactly once, on a thread of the store's choosing (the
  // caller's, by default). The request's policy must outlive the call; the
  // key is copied.
  virtual void apply_async(const Request& request, Callback done);

  // Whether the store answers at all (for readiness checks and circuit
  // breakers). In-process stores always do.
  virtual Result<void> ping() { return {}; }
};

}  // namespace gcra
