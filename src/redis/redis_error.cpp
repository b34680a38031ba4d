#include "redis_error.hpp"

#include <hiredis/hiredis.h>

#include <array>
#include <cerrno>
#include <span>
#include <string>

namespace gcra::redis {
namespace {

// Error replies that mean "not now" rather than "never": the server is
// loading its dataset, running a long script, a read-only replica, out of
// memory, or a cluster in transition.
constexpr std::array<std::string_view, 8> kTransientReplies = {
    "LOADING", "BUSY", "MASTERDOWN", "READONLY", "OOM", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS"};

// Error replies that reject what the caller configured.
// ("ERR AUTH ... called without any password configured": the URL has a
// password that the server does not expect.)
constexpr std::array<std::string_view, 6> kRefusedReplies = {"NOAUTH",   "WRONGPASS",            "NOPERM",
                                                           "ERR AUTH", "ERR invalid DB index", "ERR DB index"};

bool starts_with_any(std::string_view text, std::span<const std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (text.starts_with(p)) return true;
  }
  return false;
}

}  // namespace

Error to_error(std::string_view during, const Failure& failure) {
  std::string message(during);
  if (failure.error_reply) {
    message += ": Redis replied \"";
    message += failure.detail;
    message += '"';
    if (starts_with_any(failure.detail, kTransientReplies)) return Error{ErrorCode::unavailable, std::move(message)};
    if (starts_with_any(failure.detail, kRefusedReplies)) {
      return Error{ErrorCode::invalid_argument, std::move(message)};
    }
    return Error{ErrorCode::protocol, std::move(message)};
  }
  message += ": ";
  message += failure.detail.empty() ? std::string_view("connection failed") : failure.detail;
  switch (failure.redis_err) {
    case REDIS_ERR_IO:
      if (failure.sys_errno == ETIMEDOUT || failure.sys_errno == EAGAIN || failure.sys_errno == EWOULDBLOCK ||
          failure.sys_errno == EINPROGRESS) {
        return Error{ErrorCode::timeout, std::move(message)};
      }
      return Error{ErrorCode::unavailable, std::move(message)};
    case REDIS_ERR_EOF:
    case REDIS_ERR_OTHER:  // hiredis reports unresolvable host names so
      return Error{ErrorCode::unavailable, std::move(message)};
    case REDIS_ERR_PROTOCOL:
      return Error{ErrorCode::protocol, std::move(message)};
    default:  // REDIS_ERR_OOM or unknown
      return Error{ErrorCode::internal, std::move(message)};
  }
}

Error unexpected_reply(std::string_view during, const redisReply& reply, std::string_view expected) {
  if (reply.type == REDIS_REPLY_ERROR) return to_error(during, Failure{0, 0, std::string_view(reply.str, reply.len), true});
  const std::string detail = "expected " + std::string(expected);
  return to_error(during, Failure{REDIS_ERR_PROTOCOL, 0, detail});
}

}  // namespace gcra::redis
