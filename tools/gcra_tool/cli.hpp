// The `gcra` command line, as a function so that tests can drive it.
#pragma once

#include <ostream>

namespace gcra::tool {

// Exit codes of the gcra command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // something failed that the input did not cause
inline constexpr int kExitUsage = 2;    // bad flags, bad policy, malformed or unreadable traffic

// Runs `gcra <verb> [flags]` with argv as main() receives it. Results go to
// `out`, written at once when complete (never half a result); diagnostics
// go to `err`. Returns the exit code.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace gcra::tool
