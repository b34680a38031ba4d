// A 128-bit integer for exact intermediate products (GCC and Clang).
#pragma once

namespace gcra::tool {

// __extension__ keeps -Wpedantic quiet about the non-standard type.
__extension__ typedef __int128 Int128;

}  // namespace gcra::tool
