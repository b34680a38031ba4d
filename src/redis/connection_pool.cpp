#include "connection_pool.hpp"

namespace gcra::redis {

ConnectionPool::ConnectionPool(const ConnectionConfig& config, std::size_t size) : config_(config), size_(size) {}

ConnectionPool::~ConnectionPool() = default;

void ConnectionPool::adopt(std::unique_ptr<Connection> connection) {
  std::lock_guard<std::mutex> guard(mutex_);
  ++open_;
  idle_.push_back(std::move(connection));
}

void ConnectionPool::discard_idle() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    closing.swap(idle_);
    open_ -= closing.size();
  }
  returned_.notify_all();
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (idle_.empty() && open_ == size_) {
    const Deadline deadline = config_.command_deadline();
    if (!returned_.wait_until(lock, deadline, [&] { return !idle_.empty() || open_ < size_; })) {
      return Error{ErrorCode::timeout, "all " + std::to_string(size_) + " connections to " + config_.name +
                                           " stayed busy for the command timeout; raise pool_size"};
    }
  }
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection), true);
  }
  ++open_;
  lock.unlock();
  auto connection = Connection::open(config_);
  if (!connection) {
    lock.lock();
    --open_;
    lock.unlock();
    returned_.notify_one();
    return connection.error();
  }
  return Lease(*this, std::move(*connection), false);
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) noexcept {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (connection->broken()) {
      --open_;
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  returned_.notify_one();
  // A broken connection is closed here, outside the lock.
}

}  // namespace gcra::redis
