// The one place where a hiredis failure becomes a gcra::Error.
#pragma once

#include <hiredis/hiredis.h>

#include <string_view>

#include "gcra/result.hpp"

namespace gcra::redis {

// What went wrong, in hiredis's terms: either a failed connection or read
// (`redis_err` is one of REDIS_ERR_IO, REDIS_ERR_EOF, REDIS_ERR_PROTOCOL,
// REDIS_ERR_OOM, REDIS_ERR_OTHER, with the errno behind an I/O error) or an
// error reply from the server (`error_reply`, text in `detail`).
struct Failure {
  int redis_err = 0;
  int sys_errno = 0;
  std::string_view detail;  // hiredis's errstr, or the error reply's text
  bool error_reply = false;
};

// Maps a failure to an Error whose code says what a caller can do about it:
// timeout (no answer in time), unavailable (no connection, closed, Redis
// busy or loading), invalid_argument (credentials or database refused),
// protocol (an answer gcra does not understand) or internal. `during` names
// the operation and the server, e.g. "EVALSHA on redis://127.0.0.1:6379".
Error to_error(std::string_view during, const Failure& failure);

// For a reply that is not what `during` expected: an error reply goes
// through to_error(); any other answer is a protocol error that says what
// was `expected`.
Error unexpected_reply(std::string_view during, const redisReply& reply, std::string_view expected);

}  // namespace gcra::redis
