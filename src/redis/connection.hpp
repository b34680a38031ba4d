// One connection to Redis, with deadlines on every wait.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "gcra/clock.hpp"
#include "gcra/redis_url.hpp"
#include "gcra/result.hpp"
#include "hiredis_handles.hpp"
#include "redis_error.hpp"

namespace gcra::redis {

using Deadline = std::chrono::steady_clock::time_point;

// How to reach the server. Shared read-only by every connection of a store.
struct ConnectionConfig {
  RedisUrl url;
  Duration connect_timeout{0};  // to connect, AUTH, SELECT and load the script
  Duration command_timeout{0};  // to answer once a command is sent
  std::string name;             // url.to_string(), for error messages

  Deadline command_deadline() const { return std::chrono::steady_clock::now() + command_timeout; }
};

// A socket that hiredis connected, made non-blocking, plus hiredis's reply
// parser. gcra writes commands itself (send with MSG_NOSIGNAL, so that a
// server closing the connection can never raise SIGPIPE) and waits with
// poll() until a deadline, so no call blocks longer than its timeout.
//
// After any failure the connection is broken(): replies may be out of step
// with commands, so its owner discards it and the next call reconnects.
//
// Thread-safety: none; one owner at a time (ConnectionPool hands it out,
// or an AsyncPipeline's thread owns it).
class Connection {
 public:
  // Connects and, in one round trip, authenticates (AUTH), selects the
  // database (SELECT) and loads decide.lua (SCRIPT LOAD), all within
  // config.connect_timeout. `config` must outlive the connection.
  static Result<std::unique_ptr<Connection>> open(const ConnectionConfig& config);

  // Writes all of `bytes`, waiting for the socket until `deadline`.
  Result<void> send(std::string_view bytes, Deadline deadline);
  // Writes what the socket takes now; returns how many bytes.
  Result<std::size_t> send_some(std::string_view bytes);
  // The next reply, waiting until `deadline` for it to arrive.
  Result<ReplyPtr> receive(Deadline deadline);
  // Reads whatever the socket holds, without waiting.
  Result<void> read_available();
  // The next reply already read, or null if none is complete yet.
  Result<ReplyPtr> next_buffered();

  // send() then receive(), within the command timeout.
  Result<ReplyPtr> round_trip(std::string_view command);
  // Loads decide.lua again (after NOSCRIPT: a restart or SCRIPT FLUSH).
  Result<void> load_script();

  int fd() const noexcept { return fd_.get(); }
  bool broken() const noexcept { return broken_; }
  const ConnectionConfig& config() const noexcept { return config_; }

  // Marks the connection broken and maps the failure; `during` names the
  // operation ("reading a reply").
  Error fail(std::string_view during, const Failure& failure);

 private:
  Connection(const ConnectionConfig& config, FileDescriptor fd, ReaderPtr reader);

  // Waits for `events` on the socket until `deadline`.
  Result<void> wait(short events, Deadline deadline, std::string_view during);

  const ConnectionConfig& config_;
  FileDescriptor fd_;
  ReaderPtr reader_;
  bool broken_ = false;
};

// SCRIPT LOAD decide.lua, as RESP.
const std::string& script_load_command();
// Checks a SCRIPT LOAD reply: decide.lua's SHA-1, or an error.
Result<void> check_script_loaded(const redisReply& reply, const std::string& server);

}  // namespace gcra::redis
