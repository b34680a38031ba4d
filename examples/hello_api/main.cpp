// hello_api: the classic rate-limited API, in C++.
//
// Every request of an authenticated user (identified by the X-User-Id header
// that an upstream authorizer sets) passes a global policy of 100 requests a
// minute; /hello has its own, tighter policy on top. Runs on the in-memory
// store, or on Redis when given a URL. See README.md beside this file.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "gcra/failover_store.hpp"
#include "gcra/httplib.hpp"
#include "gcra/memory_store.hpp"
#ifdef GCRA_HELLO_API_WITH_REDIS
#include "gcra/redis_store.hpp"
#endif

namespace {

httplib::Server* running_server = nullptr;

void stop_on_signal(int) {
  if (running_server != nullptr) running_server->stop();
}

gcra::Policy policy_or_exit(const std::string& text, const std::string& name) {
  auto policy = gcra::Policy::parse(text, name);
  if (!policy) {
    std::fprintf(stderr, "hello_api: %s\n", policy.error().message.c_str());
    std::exit(2);
  }
  return *policy;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hello_api: a rate-limited hello world (gcra example)"};
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string redis_url;
  std::string global_limit = "100/minute";
  std::string hello_limit = "10/minute";
  std::string user_header = "X-User-Id";
  bool no_limit = false;
  int threads = 8;
  app.add_option("--host", host, "Address to listen on")->capture_default_str();
  app.add_option("--port", port, "Port to listen on (0: any free port)")->capture_default_str();
  app.add_option("--redis", redis_url, "Keep the counts in Redis at this URL (redis://host:port)");
  app.add_option("--global", global_limit, "Policy for every request of a user")
      ->capture_default_str();
  app.add_option("--hello", hello_limit, "Policy of /hello, on top of the global one")
      ->capture_default_str();
  app.add_option("--user-header", user_header, "Header naming the authenticated user")
      ->capture_default_str();
  app.add_flag("--no-limit", no_limit, "Serve without any rate limiting (for benchmarks)");
  app.add_option("--threads", threads, "Worker threads (one per open connection)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  CLI11_PARSE(app, argc, argv);

  // The store: in memory by default; Redis, behind a failover to a local
  // store so that a Redis outage never takes the API down, when asked.
  gcra::MemoryStore memory;
  gcra::Store* store = &memory;
#ifdef GCRA_HELLO_API_WITH_REDIS
  std::unique_ptr<gcra::RedisStore> redis;
  std::unique_ptr<gcra::FailoverStore> failover;
  if (!redis_url.empty()) {
    auto connected = gcra::RedisStore::connect({.url = redis_url});
    if (!connected) {
      std::fprintf(stderr, "hello_api: %s\n", connected.error().message.c_str());
      return 1;
    }
    redis = std::move(*connected);
    gcra::FailoverOptions failover_options;
    failover_options.policy = gcra::FailurePolicy::local;
    failover = std::make_unique<gcra::FailoverStore>(*redis, failover_options);
    store = failover.get();
  }
#else
  if (!redis_url.empty()) {
    std::fprintf(stderr, "hello_api: built without Redis support (gcra::redis)\n");
    return 1;
  }
#endif

  const gcra::http::Guard global(*store, policy_or_exit(global_limit, "hello_api:global"));
  const gcra::Limiter hello_limiter(*store, policy_or_exit(hello_limit, "hello_api:hello"));
  const gcra::httplib::LimitOptions who{.key = gcra::httplib::header_key(user_header)};

  const gcra::httplib::Handler hello = [](const httplib::Request& req, httplib::Response& res) {
    const std::string user = req.get_header_value("X-User-Id");
    res.set_content("hello, " + (user.empty() ? std::string("stranger") : user) + "\n",
                    "text/plain");
  };
  const gcra::httplib::Handler index = [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello_api: try GET /hello\n", "text/plain");
  };

  httplib::Server server;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  if (no_limit) {
    server.Get("/hello", hello);
  } else {
    // Middleware for every route: the global policy per user.
    server.set_pre_routing_handler(gcra::httplib::middleware(global, who));
    // Decorator for /hello: its own policy, its quota items named "hello-...".
    server.Get("/hello", gcra::httplib::throttle(hello_limiter, hello, who,
                                                 {.headers = {.item_prefix = "hello-"}}));
  }
  server.Get("/", index);

  running_server = &server;
  std::signal(SIGINT, stop_on_signal);
  std::signal(SIGTERM, stop_on_signal);
  // Port 0: the kernel picks a free one, printed below (for scripts).
  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    std::fprintf(stderr, "hello_api: cannot listen on %s:%d\n", host.c_str(), port);
    return 1;
  }
  std::printf("hello_api on http://%s:%d (store: %s, limits: %s)\n", host.c_str(), bound,
              redis_url.empty() ? "memory" : "redis", no_limit ? "off" : "on");
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
