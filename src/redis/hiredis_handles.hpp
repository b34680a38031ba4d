// RAII owners for hiredis's C handles.
#pragma once

#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <unistd.h>

#include <memory>
#include <utility>

namespace gcra::redis {

struct ContextDeleter {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
// A connection as hiredis opened it; RedisStore only uses it to connect and
// then takes its socket (see Connection::open).
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
// One parsed reply, with its nested elements.
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

struct ReaderDeleter {
  void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
};
// hiredis's incremental RESP parser.
using ReaderPtr = std::unique_ptr<redisReader, ReaderDeleter>;

// An owned file descriptor, closed on destruction. Not thread-safe.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace gcra::redis
