// Store: where keys' state lives. The seam between the pure core and I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "gcra/core.hpp"
#include "gcra/decision.hpp"
#include "gcra/policy.hpp"
#include "gcra/result.hpp"

namespace gcra {

// A store applies a policy to a key atomically and returns the decision. It
// owns "now" (its clock, or the server's) and the state of every key,
// namespaced by policy name. MemoryStore and RedisStore are interchangeable
// and pass the same conformance suite (tests/conformance/).
//
// Thread-safety: every implementation is safe to call from any number of
// threads at once. No method throws; failures are returned as Error values.
class Store {
 public:
  virtual ~Store() = default;

  // Decides `cost` for `key` under `policy` (see gcra::decide for the rules;
  // cost 0 peeks at a cost-1 request). Keys are arbitrary bytes.
  virtual Result<Decision> apply(const Policy& policy, std::string_view key, std::uint64_t cost,
                                 Mode mode) = 0;

  // Forgets `key` under `policy`: its next request finds it at full burst.
  virtual Result<void> reset(const Policy& policy, std::string_view key) = 0;
};

}  // namespace gcra
