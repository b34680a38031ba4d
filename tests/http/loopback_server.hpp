// A cpp-httplib server on 127.0.0.1 and a kernel-chosen port, serving from
// a thread of the test process for the lifetime of the object.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

namespace gcra::testing {

class LoopbackServer {
 public:
  // `setup` installs routes and handlers before the server starts.
  explicit LoopbackServer(const std::function<void(::httplib::Server&)>& setup) {
    setup(server_);
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("could not bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Generous bound: the machine may be loaded; this only waits for a thread to start.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!server_.is_running()) {
      if (std::chrono::steady_clock::now() > deadline) {
        server_.stop();
        thread_.join();
        throw std::runtime_error("server did not start");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  ::httplib::Client client() const {
    ::httplib::Client c("127.0.0.1", port_);
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);
    return c;
  }

 private:
  ::httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gcra::testing
