// The calling convention of decide.lua: the EVALSHA command for one
// request, and the Decision from its reply.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gcra/clock.hpp"
#include "gcra/core.hpp"
#include "gcra/decision.hpp"
#include "gcra/policy.hpp"
#include "gcra/result.hpp"

namespace gcra::redis {

// The Redis key of `key`'s state under `policy`: prefix + "{" + key + "}:" +
// policy name. The braces make the key its own Redis Cluster hash tag, so
// every policy's state of one identity lives in one slot.
std::string state_key(std::string_view prefix, const Policy& policy, std::string_view key);

// Appends `EVALSHA <decide.lua> 1 <state key> ...` for one request to
// `out`. `now` is the caller's clock (tests only); nullopt lets the script
// read Redis TIME. Preconditions: the policy is valid; 0 <= now <= kMaxInstant.
void encode_decide(std::string& out, std::string_view state_key, const Policy& policy, std::uint64_t cost,
                   Mode mode, std::optional<Instant> now);

// The Decision for a reply of decide.lua: the script returns whether it
// admitted the request, the clock it decided by and the state it read;
// gcra::decide() computes the full Decision from those, so every field is
// exactly what any other store would answer. `caller_clock`: the command
// carried "now" (the script then returns it in ns, else Redis TIME's us).
// `server` names the server in error messages.
Result<Decision> decode_decide(const redisReply& reply, const Policy& policy, std::uint64_t cost, Mode mode,
                               bool caller_clock, const std::string& server);

// True for the reply to EVALSHA of a script the server does not hold.
bool is_noscript(const redisReply& reply) noexcept;

}  // namespace gcra::redis
