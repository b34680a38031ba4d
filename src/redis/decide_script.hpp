// decide.lua, compiled in (see CMakeLists.txt), and the SHA-1 EVALSHA knows it by.
#pragma once

#include <string_view>

namespace gcra::redis {

extern const std::string_view kDecideScript;
extern const std::string_view kDecideScriptSha1;  // 40 lowercase hex digits

}  // namespace gcra::redis
