#include "http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <array>
#include <iterator>
#include <unordered_set>

#include "log.hpp"

namespace gcra::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Each connection lives on one io_context: naming its executor type (rather
// than the type-erased any_io_executor of tcp::socket and beast::tcp_stream)
// spares a polymorphic executor copy on every operation.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;

// State shared by the listener and every session.
struct HttpServer::Shared {
  Shared(HttpServerOptions o, Metrics& m) : options(std::move(o)), metrics(m) {}
  HttpServerOptions options;
  Metrics& metrics;
  Handler* handler = nullptr;
  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};  // the I/O threads are gone: post nothing more
  std::atomic<std::size_t> open{0};
};

// One I/O thread's world. The session set is touched only on that thread.
// Members are destroyed bottom-up: the context (and the sessions its
// pending handlers own) goes before the set those sessions leave.
struct HttpServer::Worker {
  std::size_t index = 0;
  std::unordered_set<Session*> sessions;
  bool draining = false;
  asio::io_context context{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
};

// One client connection. Lives on one worker's thread; kept alive by the
// shared_ptrs in its pending handlers and in its Responder.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, HttpServer::Worker& worker, HttpServer::Shared& shared)
      : stream_(std::move(socket)), worker_(worker), shared_(shared) {
    beast::error_code ignored;
    const auto endpoint = stream_.socket().remote_endpoint(ignored);
    if (!ignored) peer_ip_ = endpoint.address().to_string();
    worker_.sessions.insert(this);
  }

  ~Session() {
    worker_.sessions.erase(this);
    shared_.open.fetch_sub(1, std::memory_order_relaxed);
    shared_.metrics.connection_closed();
    if (worker_.draining && worker_.sessions.empty()) worker_.guard.reset();
  }

  void start() {
    if (worker_.draining) return;  // the last reference goes; the socket closes
    begin_request();
  }

  // SIGTERM: an idle connection closes now; a busy one after its answer.
  void drain() {
    draining_ = true;
    if (state_ == State::idle) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
    }
  }

  bool server_stopped() const { return shared_.stopped.load(std::memory_order_acquire); }
  bool on_own_thread() const { return worker_.context.get_executor().running_in_this_thread(); }
  asio::io_context::executor_type executor() const { return worker_.context.get_executor(); }

  // Sends the answer to the request being handled. On the worker's thread.
  void respond(Response response) {
    if (state_ != State::handling) return;  // a second answer to one request is dropped
    const HttpRequest& request = parser_->get();
    const bool keep_alive = keep_alive_ && !draining_ && !shared_.draining.load(std::memory_order_relaxed);
    serialize_response(response, keep_alive, request.version() == 10,
                       request.method() == bhttp::verb::head, out_);
    write(keep_alive);
  }

 private:
  enum class State { idle, reading, handling, writing, closing };

  void begin_request() {
    parser_.emplace();
    parser_->body_limit(shared_.options.max_body_size);
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.max_header_size));
    parser_->eager(true);
    continue_sent_ = false;
    if (buffer_.size() > 0) return parse_buffered();  // a pipelined request is already here
    if (draining_) return close();
    // Wait for the first bytes with the idle deadline; the rest of the
    // request then has the (shorter) request deadline.
    state_ = State::idle;
    stream_.expires_after(shared_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->on_first_bytes(ec, n);
                            });
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec) return close();  // closed, reset, idle timeout or drain: nothing to answer
    buffer_.commit(n);
    parse_buffered();
  }

  // Parses what the buffer holds; usually the whole request, with no more I/O.
  void parse_buffered() {
    state_ = State::reading;
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return on_parse_error(ec);
      if (used == 0) break;
    }
    if (parser_->is_done()) return dispatch();
    if (parser_->is_header_done() && !continue_sent_ && expects_continue()) {
      // curl and others wait for this before sending a body over 1 KiB.
      continue_sent_ = true;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(shared_.options.request_timeout);
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec) return self->close();
                          self->read_rest();
                        });
      return;
    }
    read_rest();
  }

  bool expects_continue() const {
    const auto& request = parser_->get();
    const auto it = request.find(bhttp::field::expect);
    return it != request.end() && beast::iequals(it->value(), "100-continue");
  }

  void read_rest() {
    state_ = State::reading;
    stream_.expires_after(shared_.options.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->on_parse_error(ec);
                        self->dispatch();
                      });
  }

  void on_parse_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return fail(413, "body_too_large",
                  "the request body exceeds " + std::to_string(shared_.options.max_body_size) +
                      " bytes (max_body_size)");
    }
    if (ec == bhttp::error::header_limit) {
      return fail(431, "headers_too_large",
                  "the request's header block exceeds " +
                      std::to_string(shared_.options.max_header_size) + " bytes (max_header_size)");
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return fail(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    close();  // the client went away, or was too slow (the socket is already closed)
  }

  void dispatch() {
    const HttpRequest& request = parser_->get();
    const auto headers = static_cast<std::size_t>(std::distance(request.begin(), request.end()));
    if (headers > shared_.options.max_headers) {
      return fail(431, "too_many_headers",
                  "the request has " + std::to_string(headers) + " header fields; at most " +
                      std::to_string(shared_.options.max_headers) + " are accepted (max_headers)");
    }
    state_ = State::handling;
    keep_alive_ = request.keep_alive();
    const RequestContext context{request, peer_ip_, worker_.index, std::chrono::steady_clock::now()};
    shared_.handler->handle(context, Responder(shared_from_this()));
  }

  // Answers an unreadable request and closes: its framing can't be trusted.
  void fail(unsigned status, std::string_view code, const std::string& message) {
    shared_.metrics.record_request(worker_.index, Endpoint::other, status, Duration{0});
    serialize_response(error_response(status, code, message), false, false, false, out_);
    write(false);
  }

  void write(bool keep_alive) {
    state_ = State::writing;
    stream_.expires_after(shared_.options.request_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        if (!keep_alive) return self->linger_close();
                        self->begin_request();
                      });
  }

  // Half-closes and reads what the client still sends, so that closing with
  // unread bytes does not reset the connection before it reads our answer.
  void linger_close() {
    state_ = State::closing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    linger_read();
  }

  void linger_read() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16384),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->linger_read();
                            });
  }

  void close() {
    state_ = State::closing;
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string out_;
  std::string peer_ip_;
  HttpServer::Worker& worker_;
  HttpServer::Shared& shared_;
  State state_ = State::idle;
  bool keep_alive_ = true;
  bool continue_sent_ = false;
  bool draining_ = false;
};

// --- Responder ---

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    if (session_) {
      Responder dropped(std::move(session_));  // answers 500
    }
    session_ = std::move(other.session_);
  }
  return *this;
}

Responder::~Responder() {
  if (session_) {
    send(error_response(500, "internal_error", "the request was dropped without an answer"));
  }
}

void Responder::send(Response response) {
  std::shared_ptr<Session> session = std::move(session_);
  if (!session || session->server_stopped()) return;
  if (session->on_own_thread()) return session->respond(std::move(response));
  asio::post(session->executor(), [session, response = std::move(response)]() mutable {
    session->respond(std::move(response));
  });
}

void Responder::dispatch(std::function<void(Responder)> task) && {
  if (!session_ || session_->server_stopped()) {
    session_.reset();  // nobody is left to answer
    return;
  }
  if (session_->on_own_thread()) return task(std::move(*this));
  auto executor = session_->executor();
  asio::post(executor, [responder = std::move(*this), task = std::move(task)]() mutable {
    task(std::move(responder));
  });
}

// --- HttpServer ---

HttpServer::HttpServer(HttpServerOptions options, Metrics& metrics)
    : shared_(std::make_unique<Shared>(options, metrics)) {
  std::size_t threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->index = i;
    worker->guard.emplace(worker->context.get_executor());
    workers_.push_back(std::move(worker));
  }
}

HttpServer::~HttpServer() {
  stop();
  join();
  acceptor_.reset();
  accepting_.reset();  // its context is about to go
  // Workers (and with them pending handlers and sessions) go in reverse order.
  while (!workers_.empty()) workers_.pop_back();
}

Result<void> HttpServer::listen() {
  const ListenAddress& where = shared_->options.listen;
  beast::error_code ec;
  const auto address = asio::ip::make_address(where.host, ec);
  if (ec) return Error{ErrorCode::invalid_argument, "cannot listen on " + where.to_string() + ": " + ec.message()};
  const tcp::endpoint endpoint(address, where.port);
  acceptor_.emplace(workers_.front()->context);
  const auto failed = [&](std::string_view step) {
    return Error{ErrorCode::unavailable,
                 "cannot listen on " + where.to_string() + ": " + std::string(step) + ": " + ec.message()};
  };
  if (acceptor_->open(endpoint.protocol(), ec); ec) return failed("open");
  if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec); ec) return failed("reuse_address");
  if (acceptor_->bind(endpoint, ec); ec) return failed("bind");
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) return failed("listen");
  port_ = acceptor_->local_endpoint().port();
  return {};
}

void HttpServer::start(Handler& handler) {
  shared_->handler = &handler;
  asio::post(workers_.front()->context, [this] { accept_next(); });
  for (auto& worker : workers_) {
    threads_.emplace_back([this, w = worker.get()] {
      for (;;) {
        try {
          w->context.run();
          break;
        } catch (const std::exception& e) {
          log_error(std::string("I/O thread caught: ") + e.what());
        }
      }
      std::lock_guard lock(finished_mutex_);
      ++finished_;
      finished_cv_.notify_all();
    });
  }
}

void HttpServer::accept_next() {
  if (!acceptor_ || !acceptor_->is_open()) return;
  Worker& target = *workers_[next_worker_++ % workers_.size()];
  accepting_ = std::make_unique<Socket>(target.context.get_executor());
  acceptor_->async_accept(*accepting_, [this, &target](beast::error_code ec) {
    if (ec == asio::error::operation_aborted) return;  // drain closed the acceptor
    Socket socket = std::move(*accepting_);
    if (ec) {
      // Out of descriptors or similar: back off rather than spin.
      log_warning("accept failed: " + ec.message());
      auto timer = std::make_shared<asio::steady_timer>(workers_.front()->context, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](beast::error_code) { accept_next(); });
      return;
    }
    if (shared_->open.load(std::memory_order_relaxed) >= shared_->options.max_connections) {
      static constexpr std::string_view kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
          "Content-Length: 71\r\nConnection: close\r\n\r\n"
          "{\"error\":\"too_many_connections\",\"message\":\"max_connections are open\"}";
      shared_->metrics.connection_rejected();  // before the client can see the close
      beast::error_code ignored;
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ignored);
      socket.close(ignored);
    } else {
      shared_->open.fetch_add(1, std::memory_order_relaxed);
      shared_->metrics.connection_opened();
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      asio::post(target.context, [this, &target, socket = std::move(socket)]() mutable {
        std::make_shared<Session>(std::move(socket), target, *shared_)->start();
      });
    }
    accept_next();
  });
}

void HttpServer::post_to_workers(const std::function<void(std::size_t)>& task) {
  for (auto& worker : workers_) {
    asio::post(worker->context, [task, i = worker->index] { task(i); });
  }
}

void HttpServer::drain() {
  shared_->draining.store(true, std::memory_order_relaxed);
  asio::post(workers_.front()->context, [this] {
    beast::error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
  });
  for (auto& worker : workers_) {
    asio::post(worker->context, [w = worker.get()] {
      w->draining = true;
      // Copy: a closing session may leave the set while we walk it.
      const std::vector<Session*> sessions(w->sessions.begin(), w->sessions.end());
      for (Session* s : sessions) s->drain();
      if (w->sessions.empty()) w->guard.reset();
    });
  }
}

bool HttpServer::wait_drained(Duration timeout) {
  std::unique_lock lock(finished_mutex_);
  return finished_cv_.wait_for(lock, timeout, [this] { return finished_ == threads_.size(); });
}

void HttpServer::stop() {
  shared_->stopped.store(true, std::memory_order_release);
  for (auto& worker : workers_) worker->context.stop();
}

void HttpServer::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace gcra::server
