#include "async_pipeline.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "decide_call.hpp"

namespace gcra::redis {

struct AsyncPipeline::Job {
  std::string command;
  ReplyHandler done;  // null: the pipeline's own SCRIPT LOAD
  Deadline deadline{};
  bool resent = false;  // already resent after NOSCRIPT
};

// The I/O thread's state. Everything here belongs to that thread alone.
class AsyncPipeline::Loop {
 public:
  explicit Loop(AsyncPipeline& owner) : owner_(owner) {}

  void run() {
    std::vector<Job> incoming;
    for (;;) {
      {
        std::lock_guard<std::mutex> guard(owner_.mutex_);
        incoming.swap(owner_.queue_);
        if (owner_.stopping_ && incoming.empty() && pending_.empty()) return;
      }
      if (!incoming.empty()) enqueue(incoming);
      if (connection_ && !out_.empty()) {
        auto sent = connection_->send_some(out_);
        if (!sent) {
          drop(sent.error());
          continue;
        }
        out_.erase(0, *sent);
      }
      if (wait() != 0 && connection_) read_replies();
      if (!pending_.empty() && std::chrono::steady_clock::now() >= pending_.front().deadline) {
        drop(connection_->fail("waiting for a reply",
                               Failure{REDIS_ERR_IO, ETIMEDOUT, "no answer within the command timeout"}));
      }
    }
  }

 private:
  // Moves new jobs to the output, connecting first if needed.
  void enqueue(std::vector<Job>& incoming) {
    if (!connection_) {
      auto opened = Connection::open(owner_.config_);
      if (!opened) {
        for (Job& job : incoming) job.done(opened.error());
        incoming.clear();
        return;
      }
      connection_ = std::move(*opened);
    }
    const Deadline deadline = owner_.config_.command_deadline();
    for (Job& job : incoming) {
      job.deadline = deadline;
      send_later(std::move(job));
    }
    incoming.clear();
  }

  void send_later(Job job) {
    out_ += job.command;
    pending_.push_back(std::move(job));
  }

  // Sleeps until the socket is ready, a job arrives or the oldest deadline;
  // returns the socket's poll events.
  short wait() {
    pollfd fds[2] = {{owner_.wake_.get(), POLLIN, 0}, {-1, 0, 0}};
    if (connection_) fds[1] = {connection_->fd(), static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0};
    timespec ts{};
    timespec* timeout = nullptr;
    bool queued = false;  // by a handler on this thread, which wrote no wake-up
    {
      std::lock_guard<std::mutex> guard(owner_.mutex_);
      queued = !owner_.queue_.empty();
    }
    if (queued) {
      timeout = &ts;  // look at the socket, then come straight back
    } else if (!pending_.empty()) {
      const auto left = std::max(pending_.front().deadline - std::chrono::steady_clock::now(),
                                 std::chrono::steady_clock::duration::zero());
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      ts = timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
      timeout = &ts;
    }
    if (::ppoll(fds, 2, timeout, nullptr) <= 0) return 0;
    if (fds[0].revents & POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] const ssize_t n = ::read(owner_.wake_.get(), &count, sizeof count);
    }
    return fds[1].revents;
  }

  void read_replies() {
    if (auto read = connection_->read_available(); !read) return drop(read.error());
    for (;;) {
      auto reply = connection_->next_buffered();
      if (!reply) return drop(reply.error());
      if (!*reply) return;
      if (pending_.empty()) {
        return drop(connection_->fail("reading a reply", Failure{REDIS_ERR_PROTOCOL, 0, "a reply to no command"}));
      }
      Job job = std::move(pending_.front());
      pending_.pop_front();
      deliver(std::move(job), std::move(*reply));
    }
  }

  void deliver(Job job, ReplyPtr reply) {
    if (!job.done) {  // our SCRIPT LOAD: if it failed, the resent commands report it
      loading_ = false;
      return;
    }
    if (is_noscript(*reply) && !job.resent) {
      // The server lost the script (restart, failover, SCRIPT FLUSH): load
      // it once, ahead of every command resent after it.
      const Deadline deadline = owner_.config_.command_deadline();
      if (!loading_) {
        send_later(Job{script_load_command(), nullptr, deadline, true});
        loading_ = true;
      }
      job.resent = true;
      job.deadline = deadline;
      send_later(std::move(job));
      return;
    }
    job.done(std::move(reply));
  }

  // Fails every command in flight with `error` and closes the connection.
  void drop(const Error& error) {
    std::deque<Job> failed;
    failed.swap(pending_);
    out_.clear();
    loading_ = false;
    connection_.reset();
    for (Job& job : failed) {
      if (job.done) job.done(error);
    }
  }

  AsyncPipeline& owner_;
  std::unique_ptr<Connection> connection_;
  std::deque<Job> pending_;  // sent or in out_, in the order their replies come
  std::string out_;          // bytes not yet written
  bool loading_ = false;     // a SCRIPT LOAD is in flight
};

AsyncPipeline::AsyncPipeline(const ConnectionConfig& config)
    : config_(config), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!wake_) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { Loop(*this).run(); });
}

AsyncPipeline::~AsyncPipeline() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_.get(), &one, sizeof one);
  thread_.join();
}

void AsyncPipeline::submit(std::string command, ReplyHandler done) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!stopping_) {
      wake = queue_.empty();
      queue_.push_back(Job{std::move(command), std::move(done)});
      done = nullptr;
    }
  }
  if (done) return done(Error{ErrorCode::unavailable, "the RedisStore for " + config_.name + " is shutting down"});
  // A handler's submit needs no wake-up: the loop looks at the queue right
  // after running its handlers.
  if (wake && std::this_thread::get_id() != thread_.get_id()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_.get(), &one, sizeof one);
  }
}

}  // namespace gcra::redis
