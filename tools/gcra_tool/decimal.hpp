// Exact decimal text <-> integer nanoseconds, for the tool's timestamps,
// durations and request rates. No floating point anywhere: "1.000000001"
// is 1000000001 ns, always.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gcra/clock.hpp"
#include "gcra/result.hpp"

namespace gcra::tool {

// A non-negative decimal ("12", "12.5", "0.000000001") as an integer count of
// billionths: "1.5" is 1'500'000'000. At most nine fractional digits count;
// further digits must be zeros. Accepts no sign, exponent, spaces or "."
// without digits on both sides. The error message describes the text (it
// quotes it) and the caller adds where it came from.
Result<std::int64_t> parse_billionths(std::string_view text);

// A timestamp in seconds, as parse_billionths(), limited to kMaxInstant (year
// 2116 on the Unix epoch) so that the simulation's clock stays in range.
Result<Instant> parse_seconds(std::string_view text);

// A length of time: a decimal and a unit, "60s", "5m", "1.5h", "250ms", "2d";
// a bare number is seconds. Must be positive and a whole number of ns.
Result<Duration> parse_duration(std::string_view text);

// Nanoseconds as decimal seconds without trailing zeros: "12", "12.5",
// "1.000000001", "-0.25". What parse_seconds() reads back exactly.
std::string format_seconds(std::int64_t ns);

}  // namespace gcra::tool
