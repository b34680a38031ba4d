// A bounded, thread-safe pool of connections for the synchronous calls.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "connection.hpp"

namespace gcra::redis {

// Up to `size` connections, opened on demand. A caller leases one for a
// call; when all are leased, it waits up to the command timeout for one to
// come back. A connection that failed is discarded when its lease ends, so
// the next call opens a fresh one: reconnecting is automatic and never
// loops (each call tries at most once, within the connect timeout).
//
// Thread-safety: fully thread-safe.
class ConnectionPool {
 public:
  class Lease;

  ConnectionPool(const ConnectionConfig& config, std::size_t size);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, a new one, or, when all are leased, the first one
  // given back within the command timeout.
  Result<Lease> acquire();
  // Adds an open connection (the store's first, opened to check the URL).
  void adopt(std::unique_ptr<Connection> connection);
  // Closes every idle connection: after one of them turned out to have been
  // closed by the server, the others most likely were too.
  void discard_idle();

  const ConnectionConfig& config() const noexcept { return config_; }

 private:
  void give_back(std::unique_ptr<Connection> connection) noexcept;

  const ConnectionConfig& config_;
  const std::size_t size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  std::size_t open_ = 0;                           // leased + idle; guarded by mutex_
};

// Exclusive use of one pooled connection until destroyed. Not thread-safe.
class ConnectionPool::Lease {
 public:
  Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection, bool reused) noexcept
      : pool_(&pool), connection_(std::move(connection)), reused_(reused) {}
  ~Lease() {
    if (connection_) pool_->give_back(std::move(connection_));
  }
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&&) = delete;

  Connection* operator->() const noexcept { return connection_.get(); }
  Connection& operator*() const noexcept { return *connection_; }
  // Whether the connection served earlier calls: if it fails at once, the
  // server may have closed it while it sat idle (a restart), and the call
  // can be retried on a fresh connection.
  bool reused() const noexcept { return reused_; }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> connection_;
  bool reused_;
};

}  // namespace gcra::redis
