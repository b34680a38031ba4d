#include "api_settings.hpp"

#include <stdexcept>

namespace gcra::server {

namespace {

http::GuardOptions guard_options(const PolicyConfig& config, bool legacy_headers,
                                 StoreFailure store_failure) {
  http::GuardOptions options;
  options.headers.legacy = legacy_headers;
  options.deny_status = static_cast<int>(config.deny_status);
  // nginx's auth_request passes on only 2xx, 401 and 403: behind it, a
  // refusal because the store is down must be a 403 too (its body says why).
  options.unavailable_status = config.deny_status == 403 ? 403 : 503;
  // A store error that reaches the API (no failure policy took it) follows
  // the same rule the failure policy states for the store.
  options.on_store_error = store_failure == StoreFailure::deny ? http::StoreErrorAction::deny
                                                               : http::StoreErrorAction::allow;
  return options;
}

}  // namespace

PolicyRuntime::PolicyRuntime(Store& store, Policy policy, const PolicyConfig& policy_config,
                             bool legacy_headers, StoreFailure store_failure,
                             std::shared_ptr<PolicyCounters> policy_counters)
    : config(policy_config),
      guard(store, std::move(policy), guard_options(policy_config, legacy_headers, store_failure)),
      counters(std::move(policy_counters)) {
  for (const Rate& rate : guard.policy().rates()) rate_texts.push_back(rate.to_string());
}

ApiSettings::ApiSettings(const Config& config, Store& store, Metrics& metrics) : config_(config) {
  auto trusted = http::TrustedProxies::parse(config_.trusted_proxies);
  if (!trusted) throw std::invalid_argument(trusted.error().message);  // validated at load
  trusted_ = std::move(*trusted);
  address_options_.ipv6_prefix = config_.ipv6_prefix;
  for (const PolicyConfig& p : config_.policies) {
    policies_.emplace(p.name, std::make_unique<PolicyRuntime>(store, p.limits, p, config_.legacy_headers,
                                                              config_.store_failure,
                                                              metrics.policy(p.name)));
    if (p.anonymous) {
      const std::string& name = p.anonymous->name();
      policies_.emplace(name, std::make_unique<PolicyRuntime>(store, *p.anonymous, p,
                                                              config_.legacy_headers,
                                                              config_.store_failure, metrics.policy(name)));
    }
  }
}

const PolicyRuntime* ApiSettings::find(std::string_view name) const {
  const auto it = policies_.find(name);
  return it == policies_.end() ? nullptr : it->second.get();
}

const PolicyRuntime* ApiSettings::anonymous_of(const PolicyRuntime& policy) const {
  if (!policy.config.anonymous || policy.name() != policy.config.name) return nullptr;
  return find(policy.config.anonymous->name());
}

}  // namespace gcra::server
