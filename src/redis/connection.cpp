#include "connection.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "decide_script.hpp"
#include "resp.hpp"

namespace gcra::redis {
namespace {

timeval to_timeval(Duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
}

Failure timed_out(std::string_view detail) { return Failure{REDIS_ERR_IO, ETIMEDOUT, detail}; }

Failure io_failure(int err) { return Failure{REDIS_ERR_IO, err, std::strerror(err)}; }

}  // namespace

const std::string& script_load_command() {
  static const std::string command = [] {
    std::string out;
    RespWriter w(out);
    w.begin(3);
    w.arg("SCRIPT");
    w.arg("LOAD");
    w.arg(kDecideScript);
    return out;
  }();
  return command;
}

Result<void> check_script_loaded(const redisReply& reply, const std::string& server) {
  if (reply.type == REDIS_REPLY_STRING && std::string_view(reply.str, reply.len) == kDecideScriptSha1) return {};
  return unexpected_reply("SCRIPT LOAD on " + server, reply, "decide.lua's SHA-1 " + std::string(kDecideScriptSha1));
}

Connection::Connection(const ConnectionConfig& config, FileDescriptor fd, ReaderPtr reader)
    : config_(config), fd_(std::move(fd)), reader_(std::move(reader)) {}

Result<std::unique_ptr<Connection>> Connection::open(const ConnectionConfig& config) {
  const Deadline deadline = std::chrono::steady_clock::now() + config.connect_timeout;
  const RedisUrl& url = config.url;
  const timeval tv = to_timeval(config.connect_timeout);
  ContextPtr context(url.transport == RedisUrl::Transport::tcp
                         ? redisConnectWithTimeout(url.host.c_str(), url.port, tv)
                         : redisConnectUnixWithTimeout(url.path.c_str(), tv));
  const int saved_errno = errno;
  const std::string during = "connecting to " + config.name;
  if (!context) return to_error(during, Failure{REDIS_ERR_OOM, 0, "cannot allocate a hiredis context"});
  if (context->err) return to_error(during, Failure{context->err, saved_errno, context->errstr});

  FileDescriptor fd(redisFreeKeepFd(context.release()));
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) return to_error(during, io_failure(errno));
  ReaderPtr reader(redisReaderCreate());
  if (!reader) return to_error(during, Failure{REDIS_ERR_OOM, 0, "cannot allocate a hiredis reader"});
  std::unique_ptr<Connection> conn(new Connection(config, std::move(fd), std::move(reader)));

  // The whole handshake in one round trip.
  std::string handshake;
  RespWriter w(handshake);
  std::string steps[2];  // what each reply before SCRIPT LOAD answers
  std::size_t count = 0;
  if (!url.password.empty()) {
    w.begin(url.user.empty() ? 2 : 3);
    w.arg("AUTH");
    if (!url.user.empty()) w.arg(url.user);
    w.arg(url.password);
    steps[count++] = url.user.empty() ? "AUTH with a password" : "AUTH as user \"" + url.user + "\"";
  }
  if (url.db != 0) {
    w.begin(2);
    w.arg("SELECT");
    w.arg(std::int64_t{url.db});
    steps[count++] = "SELECT " + std::to_string(url.db);
  }
  handshake += script_load_command();
  if (auto sent = conn->send(handshake, deadline); !sent) return sent.error();
  for (std::size_t i = 0; i <= count; ++i) {
    auto reply = conn->receive(deadline);
    if (!reply) return reply.error();
    if (i == count) {
      if (auto loaded = check_script_loaded(**reply, config.name); !loaded) return loaded.error();
    } else if ((*reply)->type == REDIS_REPLY_ERROR) {
      return unexpected_reply(steps[i] + " on " + config.name, **reply, "OK");
    }
  }
  return conn;
}

Error Connection::fail(std::string_view during, const Failure& failure) {
  broken_ = true;
  std::string what(during);
  what += " on ";
  what += config_.name;
  return to_error(what, failure);
}

Result<void> Connection::wait(short events, Deadline deadline, std::string_view during) {
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= Duration::zero()) return fail(during, timed_out("no answer within the timeout"));
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    pollfd p{fd_.get(), events, 0};
    const int n = ::ppoll(&p, 1, &ts, nullptr);
    if (n > 0) return {};  // ready, or an error/hang-up the next read or write reports
    if (n < 0 && errno != EINTR) return fail(during, io_failure(errno));
  }
}

Result<std::size_t> Connection::send_some(std::string_view bytes) {
  const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (n >= 0) return static_cast<std::size_t>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::size_t{0};
  return fail("sending a command", io_failure(errno));
}

Result<void> Connection::send(std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    auto n = send_some(bytes);
    if (!n) return n.error();
    bytes.remove_prefix(*n);
    if (!bytes.empty()) {
      if (auto ready = wait(POLLOUT, deadline, "sending a command"); !ready) return ready.error();
    }
  }
  return {};
}

Result<void> Connection::read_available() {
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
      if (redisReaderFeed(reader_.get(), buffer, static_cast<std::size_t>(n)) != REDIS_OK) {
        return fail("reading a reply", Failure{reader_->err, 0, reader_->errstr});
      }
      if (static_cast<std::size_t>(n) < sizeof buffer) return {};
      continue;
    }
    if (n == 0) return fail("reading a reply", Failure{REDIS_ERR_EOF, 0, "the server closed the connection"});
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
    if (errno != EINTR) return fail("reading a reply", io_failure(errno));
  }
}

Result<ReplyPtr> Connection::next_buffered() {
  void* reply = nullptr;
  if (redisReaderGetReply(reader_.get(), &reply) != REDIS_OK) {
    return fail("parsing a reply", Failure{reader_->err, 0, reader_->errstr});
  }
  return ReplyPtr(static_cast<redisReply*>(reply));
}

Result<ReplyPtr> Connection::receive(Deadline deadline) {
  for (;;) {
    auto reply = next_buffered();
    if (!reply || *reply) return reply;
    if (auto ready = wait(POLLIN, deadline, "waiting for a reply"); !ready) return ready.error();
    if (auto read = read_available(); !read) return read.error();
  }
}

Result<ReplyPtr> Connection::round_trip(std::string_view command) {
  const Deadline deadline = config_.command_deadline();
  if (auto sent = send(command, deadline); !sent) return sent.error();
  return receive(deadline);
}

Result<void> Connection::load_script() {
  auto reply = round_trip(script_load_command());
  if (!reply) return reply.error();
  return check_script_loaded(**reply, config_.name);
}

}  // namespace gcra::redis
