// How a simulation's result is printed: a table for people, JSON for tools.
#pragma once

#include <string>
#include <string_view>

#include "gcra/policy.hpp"
#include "gcra_tool/simulation.hpp"

namespace gcra::tool {

// Exactly
//   {"total": {"admitted": N, "denied": M}, "keys": {"<key>": {"admitted": N,
//    "denied": M, "first_denied_at": S or null}, ...}}
// on one line, followed by a newline. Keys are JSON-escaped (bytes that are
// not UTF-8 become U+FFFD) and listed in byte order; first_denied_at is the
// traffic's time in seconds, written exactly ("12.5", "1.000000001").
std::string format_json(const SimulationResult& result);

// A table: the policy in canonical form, what the traffic was (`traffic` is
// a description such as the file name), then one row per key (most denied
// first, then by key) and a total row. Control bytes in keys are shown as
// \xNN so that a key cannot break the layout.
std::string format_table(const SimulationResult& result, const Policy& policy, std::string_view traffic);

}  // namespace gcra::tool
