// gcra-server: the rate limiter as an HTTP service.
//
//   gcra-server --config FILE [--listen ADDR:PORT] [--store URL] [--threads N]
//   gcra-server --check-config FILE
//
// SIGHUP reloads the file (every key's state is kept: the store is the
// same); SIGTERM or SIGINT drains requests in flight and exits 0.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "api.hpp"
#include "api_settings.hpp"
#include "config.hpp"
#include "gcra/version.hpp"
#include "http_server.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "store_factory.hpp"

namespace gcra::server {
namespace {

struct Overrides {
  std::optional<std::string> listen;
  std::optional<std::string> store;
  std::optional<unsigned> threads;
};

// Loads the file and applies the command line over it; logs every problem.
std::optional<Config> load(const std::string& path, const Overrides& overrides) {
  LoadedConfig loaded = load_config_file(path);
  for (const ConfigProblem& problem : loaded.problems) log_error(format_problem(path, problem));
  if (!loaded.config) return std::nullopt;
  Config config = std::move(*loaded.config);
  if (overrides.listen) {
    auto address = parse_listen_address(*overrides.listen);
    if (!address) {
      log_error("--listen: " + address.error().message);
      return std::nullopt;
    }
    config.listen = *address;
  }
  if (overrides.store) {
    if (*overrides.store != "memory" && overrides.store->rfind("redis://", 0) != 0) {
      log_error("--store: '" + *overrides.store + "' is neither memory nor a redis:// URL");
      return std::nullopt;
    }
    config.store = *overrides.store;
  }
  if (overrides.threads) config.threads = *overrides.threads;
  return config;
}

int check_config(const std::string& path) {
  LoadedConfig loaded = load_config_file(path);
  for (const ConfigProblem& problem : loaded.problems) std::cerr << format_problem(path, problem) << "\n";
  if (!loaded.config) {
    std::cerr << path << ": " << loaded.problems.size() << " problem"
              << (loaded.problems.size() == 1 ? "" : "s") << "\n";
    return 1;
  }
  std::cout << path << ": OK, " << loaded.config->policies.size() << " polic"
            << (loaded.config->policies.size() == 1 ? "y" : "ies") << "\n";
  return 0;
}

// Settings a reload cannot change: they shape sockets, threads and the store.
void warn_about_restart_only_changes(const Config& running, const Config& loaded) {
  const auto warn = [](std::string_view key) {
    log_warning(std::string(key) + " changed in the file; it takes effect at the next restart");
  };
  if (running.listen.to_string() != loaded.listen.to_string()) warn("listen");
  if (running.store != loaded.store) warn("store");
  if (running.store_failure != loaded.store_failure) warn("store_failure");
  if (running.store_timeout != loaded.store_timeout) warn("store_timeout");
  if (running.deny_cache != loaded.deny_cache) warn("deny_cache");
  if (running.threads != loaded.threads) warn("threads");
  if (running.max_connections != loaded.max_connections) warn("max_connections");
  if (running.max_body_size != loaded.max_body_size) warn("max_body_size");
  if (running.max_header_size != loaded.max_header_size) warn("max_header_size");
  if (running.max_headers != loaded.max_headers) warn("max_headers");
  if (running.idle_timeout != loaded.idle_timeout) warn("idle_timeout");
  if (running.request_timeout != loaded.request_timeout) warn("request_timeout");
  if (running.drain_timeout != loaded.drain_timeout) warn("drain_timeout");
}

std::string policy_names(const Config& config) {
  std::string names;
  for (const PolicyConfig& p : config.policies) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

int serve(const std::string& path, const Overrides& overrides) {
  std::optional<Config> config = load(path, overrides);
  if (!config) {
    log_error("not starting: " + path + " has problems (gcra-server --check-config " + path + ")");
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);
  const std::size_t threads =
      config->threads != 0 ? config->threads : std::max(1u, std::thread::hardware_concurrency());

  // Order matters for shutdown, which runs in reverse: the API goes first,
  // then the store (whose last callbacks may still post to the I/O
  // contexts), then the server and its contexts, then the metrics.
  Metrics metrics(threads);
  HttpServerOptions options;
  options.listen = config->listen;
  options.threads = threads;
  options.max_connections = config->max_connections;
  options.max_body_size = config->max_body_size;
  options.max_header_size = config->max_header_size;
  options.max_headers = config->max_headers;
  options.idle_timeout = config->idle_timeout;
  options.request_timeout = config->request_timeout;
  HttpServer server(options, metrics);
  if (auto listening = server.listen(); !listening) {
    log_error(listening.error().message);
    return 1;
  }
  auto stack = make_store(*config);
  if (!stack) {
    log_error(stack.error().message);
    return 1;
  }
  Api api(stack->store(), metrics, threads, stack->remote());
  auto settings = std::make_shared<const ApiSettings>(*config, stack->store(), metrics);
  for (std::size_t i = 0; i < threads; ++i) api.install(i, settings);
  server.start(api);

  ListenAddress shown = config->listen;
  shown.port = server.port();
  log_info("gcra-server " GCRA_VERSION " listening on http://" + shown.to_string() + " with " +
           std::to_string(threads) + " I/O thread" + (threads == 1 ? "" : "s") + ", store " +
           stack->description() + ", policies: " + policy_names(*config));
  if (!config->admin_token) {
    log_info("admin API (/v1/reset) off: no token in $" + config->admin_token_env +
             " and no admin_token_file");
  }
  if (config->policies.size() > 0) {
    const PolicyConfig& first = config->policies.front();
    log_info("try: curl -s -X POST http://" + shown.to_string() +
             "/v1/check -d '{\"policy\":\"" + first.name + "\",\"key\":\"user:42\"}'");
  }

  boost::asio::io_context control(1);
  boost::asio::signal_set signals(control, SIGTERM, SIGINT, SIGHUP);
  Config running = *config;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& error, int signal) {
        if (error) return;
        if (signal == SIGHUP) {
          std::optional<Config> loaded = load(path, overrides);
          if (!loaded) {
            metrics.config_reloaded(false);
            log_error("reload rejected: the running configuration stays in force");
          } else {
            warn_about_restart_only_changes(running, *loaded);
            auto next = std::make_shared<const ApiSettings>(*loaded, stack->store(), metrics);
            server.post_to_workers([&api, next](std::size_t worker) { api.install(worker, next); });
            metrics.config_reloaded(true);
            log_info("reloaded " + path + "; policies: " + policy_names(*loaded));
            running = std::move(*loaded);
          }
          signals.async_wait(on_signal);
          return;
        }
        log_info(std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                 ": draining requests in flight");
        server.drain();
        control.stop();
      };
  signals.async_wait(on_signal);
  control.run();

  if (!server.wait_drained(running.drain_timeout)) {
    log_warning("drain_timeout (" + format_duration(running.drain_timeout) +
                ") passed with requests still in flight; closing them");
    server.stop();
  }
  server.join();
  log_info("stopped");
  return 0;
}

}  // namespace
}  // namespace gcra::server

int main(int argc, char** argv) {
  CLI::App app{"gcra-server: exact rate limiting (GCRA) as an HTTP service. "
               "See docs/configuration.md and docs/http-api.md."};
  std::string config_path;
  std::string check_path;
  gcra::server::Overrides overrides;
  std::string listen;
  std::string store;
  unsigned threads = 0;
  bool version = false;
  auto* config_option = app.add_option("--config,-c", config_path, "the YAML configuration file")
                            ->check(CLI::ExistingFile);
  auto* check_option = app.add_option("--check-config", check_path,
                                      "validate FILE, print every problem with its line, and exit")
                           ->check(CLI::ExistingFile);
  auto* listen_option = app.add_option("--listen", listen, "ADDR:PORT to listen on (overrides listen:)");
  auto* store_option = app.add_option("--store", store, "memory or redis://host:port/db (overrides store:)");
  auto* threads_option = app.add_option("--threads", threads, "I/O threads, 0 = one per core (overrides threads:)");
  app.add_flag("--version", version, "print the version and exit");
  check_option->excludes(config_option);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the error
    return code == 0 ? 0 : 2;     // usage errors exit 2, like --config missing
  }

  if (version) {
    std::cout << "gcra-server " GCRA_VERSION "\n";
    return 0;
  }
  if (!check_path.empty()) return gcra::server::check_config(check_path);
  if (config_path.empty()) {
    std::cerr << "gcra-server: --config FILE is required (try examples/gcra.yaml); see --help\n";
    return 2;
  }
  if (*listen_option) overrides.listen = listen;
  if (*store_option) overrides.store = store;
  if (*threads_option) overrides.threads = threads;
  try {
    return gcra::server::serve(config_path, overrides);
  } catch (const std::exception& e) {
    gcra::server::log_error(std::string("fatal: ") + e.what());
    return 1;
  }
}
