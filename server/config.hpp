// gcra-server's configuration: the YAML file (docs/configuration.md) and the
// command-line flags that override it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config_values.hpp"
#include "gcra/clock.hpp"
#include "gcra/policy.hpp"

namespace gcra::server {

using namespace std::chrono_literals;

// What the server does with a decision when the store cannot be reached.
enum class StoreFailure {
  allow,  // admit every request until the store is back
  deny,   // deny every request until the store is back
  local,  // decide from an in-process store until the store is back
};

// Where forward-auth finds the identity a policy limits.
struct Identity {
  enum class Kind { address, header };
  Kind kind = Kind::address;  // the client's address (after trusted proxies)
  std::string header;         // for Kind::header: the header's name, as written

  std::string to_string() const;  // "address", "header:X-User-Id"
};

// One entry of `policies:`. Thread-safety: a plain value.
struct PolicyConfig {
  std::string name;                 // the YAML key; names the key state in the store
  Policy limits;                    // named `name`
  Identity identity;                // forward-auth's key
  std::optional<Policy> anonymous;  // per-address limits when the identity header is
                                    // missing; named "<name>:anonymous"
  bool shadow = false;              // count would-be denials, never deny
  unsigned deny_status = 429;       // forward-auth's status for a denial (403 for nginx)
};

// The whole file, validated. Thread-safety: a plain value.
struct Config {
  ListenAddress listen;                       // where to accept connections
  std::string store = "memory";               // "memory" or "redis://host:port/db"
  StoreFailure store_failure = StoreFailure::local;  // when a remote store fails
  Duration store_timeout = 50ms;              // a remote store's answer deadline
  bool deny_cache = true;                     // remote stores: remember denials locally
  std::string admin_token_env = "GCRA_ADMIN_TOKEN";  // env var holding the admin token
  std::string admin_token_file;               // or a file holding it (wins if set)
  std::optional<std::string> admin_token;     // resolved at load; none = admin API off
  std::vector<std::string> trusted_proxies = {"127.0.0.1/32", "::1/128"};  // CIDRs
  unsigned ipv6_prefix = 64;                  // IPv6 clients are limited per /64
  bool legacy_headers = false;                // also send X-RateLimit-* headers
  unsigned threads = 0;                       // I/O threads; 0 = one per core
  std::size_t max_connections = 10000;        // more are closed at once
  std::size_t max_body_size = 64 * 1024;      // larger bodies: 413
  std::size_t max_header_size = 16 * 1024;    // larger header blocks: 431
  std::size_t max_headers = 100;              // more header fields: 431
  std::size_t max_key_size = 1024;            // longer keys: 400
  std::size_t max_batch = 1000;               // more objects in one array: 400
  Duration idle_timeout = 60s;                // a keep-alive connection's quiet time
  Duration request_timeout = 10s;             // to receive one request or send one answer
  Duration drain_timeout = 10s;               // SIGTERM: longest wait for in-flight work
  std::vector<PolicyConfig> policies;         // in file order

  const PolicyConfig* find_policy(std::string_view name) const;
};

// Something wrong with the file, and where.
struct ConfigProblem {
  int line = 0;  // 1-based; 0 when the problem has no line (e.g. unreadable file)
  std::string message;
};

struct LoadedConfig {
  std::optional<Config> config;          // set only when `problems` is empty
  std::vector<ConfigProblem> problems;   // every problem found, in file order
};

// Parses and validates YAML text; reports every problem, not just the first.
LoadedConfig parse_config(std::string_view yaml);
// Reads and parses a file.
LoadedConfig load_config_file(const std::string& path);
// "gcra.yaml:12: policies.api.limits: ..." (or "gcra.yaml: ..." without a line).
std::string format_problem(std::string_view path, const ConfigProblem& problem);

// Reads the admin token from the file or the environment variable the
// config names. An unreadable or empty file is an error; an unset variable
// is not (the admin API is then off).
Result<std::optional<std::string>> resolve_admin_token(const Config& config);

}  // namespace gcra::server
