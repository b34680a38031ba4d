// What the API needs of the configuration, compiled once per (re)load: the
// policies with their guards and counters, trusted proxies, the admin token.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "gcra/http/guard.hpp"
#include "gcra/http/identity.hpp"
#include "gcra/store.hpp"
#include "metrics.hpp"

namespace gcra::server {

// One policy as the API applies it: either a configured policy or its
// anonymous (per-address) companion, named "<name>:anonymous".
// Thread-safety: immutable after construction, share freely.
struct PolicyRuntime {
  PolicyRuntime(Store& store, Policy policy, const PolicyConfig& config, bool legacy_headers,
                StoreFailure store_failure, std::shared_ptr<PolicyCounters> counters);

  const PolicyConfig& config;                 // the policies: entry (owned by ApiSettings)
  http::Guard guard;                          // its policy, headers and denial bodies
  std::vector<std::string> rate_texts;        // each rate's canonical text, e.g. "100/minute"
  std::shared_ptr<PolicyCounters> counters;   // its decisions

  const Policy& policy() const noexcept { return guard.policy(); }
  const std::string& name() const noexcept { return guard.policy().name(); }
};

// Thread-safety: immutable after construction, share freely.
class ApiSettings {
 public:
  ApiSettings(const Config& config, Store& store, Metrics& metrics);
  ApiSettings(const ApiSettings&) = delete;  // policies refer into config_
  ApiSettings& operator=(const ApiSettings&) = delete;

  // A policy by name; "<name>:anonymous" finds a policy's anonymous companion.
  const PolicyRuntime* find(std::string_view name) const;
  // The anonymous companion of `policy`, if it has one.
  const PolicyRuntime* anonymous_of(const PolicyRuntime& policy) const;

  const Config& config() const noexcept { return config_; }
  const http::TrustedProxies& trusted_proxies() const noexcept { return trusted_; }
  const http::AddressOptions& address_options() const noexcept { return address_options_; }

 private:
  Config config_;
  http::TrustedProxies trusted_;
  http::AddressOptions address_options_;
  std::map<std::string, std::unique_ptr<PolicyRuntime>, std::less<>> policies_;
};

}  // namespace gcra::server
