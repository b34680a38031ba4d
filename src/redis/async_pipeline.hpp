// One pipelined connection driven by its own I/O thread, for apply_async.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connection.hpp"

namespace gcra::redis {

// Callers queue commands; one I/O thread writes every queued command as
// soon as it can, without waiting for earlier replies, and matches replies
// to commands in order. Many requests are in flight on one connection, and
// a server needs no thread per request.
//
// Each command gets its reply or an Error exactly once, on the I/O thread.
// A command not answered within the command timeout fails with timeout, and
// so does every command sent after it: the connection is closed (its
// replies could no longer be matched) and reopened for the next command.
// NOSCRIPT is handled here: the script is loaded again and the command
// resent, once.
//
// Thread-safety: submit() may be called from any thread, including from a
// handler. Handlers run on the I/O thread and must not block or throw.
class AsyncPipeline {
 public:
  using ReplyHandler = std::function<void(Result<ReplyPtr>)>;

  explicit AsyncPipeline(const ConnectionConfig& config);
  // Lets queued and in-flight commands finish (each within its timeout),
  // then stops the thread.
  ~AsyncPipeline();
  AsyncPipeline(const AsyncPipeline&) = delete;
  AsyncPipeline& operator=(const AsyncPipeline&) = delete;

  // Queues `command` (RESP). After the destructor has begun, fails at once.
  void submit(std::string command, ReplyHandler done);

 private:
  struct Job;
  class Loop;

  const ConnectionConfig& config_;
  FileDescriptor wake_;  // an eventfd: written when the queue becomes non-empty
  std::mutex mutex_;
  std::vector<Job> queue_;  // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  std::thread thread_;
};

}  // namespace gcra::redis
