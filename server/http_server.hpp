// The HTTP/1.1 server: keep-alive connections on a fixed pool of I/O
// threads (one io_context each, no thread per connection), with limits on
// request size, header count, idle and slow clients and open connections,
// and a drain for SIGTERM.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "config_values.hpp"
#include "gcra/clock.hpp"
#include "gcra/result.hpp"
#include "http_response.hpp"
#include "metrics.hpp"

namespace gcra::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

class Session;

// What a handler sees of one request. `request` stays valid until the
// handler's Responder is used.
struct RequestContext {
  const HttpRequest& request;
  std::string_view peer_ip;  // the TCP peer's address, as text
  std::size_t worker;        // index of the I/O thread the connection lives on
  std::chrono::steady_clock::time_point received;  // when the request's last byte was read
};

// The way back to the client of one request: send() exactly once, from any
// thread (a send from another thread is posted to the connection's thread).
// Dropping a Responder unused answers 500, so a request never hangs.
// Thread-safety: move-only; one owner at a time.
class Responder {
 public:
  Responder() noexcept = default;  // answers nobody
  explicit Responder(std::shared_ptr<Session> session) noexcept : session_(std::move(session)) {}
  Responder(Responder&&) noexcept = default;
  Responder& operator=(Responder&&) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  void send(Response response);
  // Runs task(this responder) on the connection's I/O thread: at once if
  // called there, else posted. For work that belongs on that thread, such
  // as recording per-thread metrics, before sending.
  void dispatch(std::function<void(Responder)> task) &&;

 private:
  std::shared_ptr<Session> session_;
};

// Receives every well-formed request. Thread-safety: handle() is called from
// every I/O thread at once.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(const RequestContext& context, Responder responder) = 0;
};

struct HttpServerOptions {
  ListenAddress listen;                       // address and port to bind
  std::size_t threads = 0;                    // I/O threads; 0 = one per core
  std::size_t max_connections = 10000;        // more are answered 503 and closed
  std::size_t max_body_size = 64 * 1024;      // larger bodies: 413
  std::size_t max_header_size = 16 * 1024;    // a larger header block: 431
  std::size_t max_headers = 100;              // more header fields: 431
  Duration idle_timeout = std::chrono::seconds(60);     // quiet keep-alive connections close
  Duration request_timeout = std::chrono::seconds(10);  // to read a request once begun, or write an answer
};

// Thread-safety: start(), post_to_workers(), drain(), wait_drained(),
// stop() and join() may be called from any one controlling thread.
class HttpServer {
 public:
  // Creates the I/O contexts; nothing listens yet.
  HttpServer(HttpServerOptions options, Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; the error names the address.
  Result<void> listen();
  // The port bound (useful with port 0).
  std::uint16_t port() const noexcept { return port_; }
  std::size_t workers() const noexcept { return workers_.size(); }

  // Starts the I/O threads and accepting; `handler` must outlive them.
  void start(Handler& handler);
  // Runs task(i) on each worker i's own thread.
  void post_to_workers(const std::function<void(std::size_t)>& task);

  // Stops accepting, closes idle connections, and lets requests in flight
  // finish (their answers carry Connection: close). Returns at once.
  void drain();
  // Waits until every connection is gone; false on timeout.
  bool wait_drained(Duration timeout);
  // Stops every I/O thread now, abandoning connections.
  void stop();
  void join();

  struct Worker;
  struct Shared;

 private:
  void accept_next();

  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  // The socket the pending accept fills (on its target worker's context).
  std::unique_ptr<boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>>
      accepting_;
  std::size_t next_worker_ = 0;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::mutex finished_mutex_;
  std::condition_variable finished_cv_;
  std::size_t finished_ = 0;
};

}  // namespace gcra::server
