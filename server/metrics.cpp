#include "metrics.hpp"

#include <cstdio>

#include "gcra/version.hpp"

namespace gcra::server {

std::string_view endpoint_name(Endpoint endpoint) noexcept {
  switch (endpoint) {
    case Endpoint::check: return "check";
    case Endpoint::peek: return "peek";
    case Endpoint::reset: return "reset";
    case Endpoint::forward_auth: return "forward_auth";
    case Endpoint::metrics: return "metrics";
    case Endpoint::healthz: return "healthz";
    case Endpoint::readyz: return "readyz";
    case Endpoint::other: return "other";
  }
  return "other";
}

std::uint64_t PolicyCounters::total(Outcome outcome) const noexcept {
  std::uint64_t sum = 0;
  for (const Slot& slot : slots_) sum += slot.by_outcome[static_cast<std::size_t>(outcome)].get();
  return sum;
}

Metrics::Metrics(std::size_t workers)
    : workers_(workers), slots_(std::make_unique<WorkerSlot[]>(workers)) {}

std::shared_ptr<PolicyCounters> Metrics::policy(const std::string& name) {
  std::lock_guard lock(policies_mutex_);
  auto& counters = policies_[name];
  if (!counters) counters = std::make_shared<PolicyCounters>(workers_);
  return counters;
}

void Metrics::record_request(std::size_t worker, Endpoint endpoint, unsigned status,
                             Duration latency) noexcept {
  EndpointSlot& slot = slots_[worker].endpoints[static_cast<std::size_t>(endpoint)];
  std::size_t bucket = 0;
  while (bucket < kLatencyBounds.size() && latency.count() > kLatencyBounds[bucket]) ++bucket;
  slot.buckets[bucket].add();
  slot.latency_sum_ns.add(static_cast<std::uint64_t>(latency.count() > 0 ? latency.count() : 0));
  std::size_t index = 0;
  while (index + 1 < kStatuses.size() && kStatuses[index] != status) ++index;
  slot.by_status[index].add();
}

void Metrics::record_source(std::size_t worker, Source source) noexcept {
  WorkerSlot& slot = slots_[worker];
  switch (source) {
    case Source::store: break;
    case Source::fallback_local: slot.fallback_local.add(); break;
    case Source::fallback_allow: slot.fallback_allow.add(); break;
    case Source::fallback_deny: slot.fallback_deny.add(); break;
    case Source::deny_cache: slot.deny_cache_hits.add(); break;
  }
}

void Metrics::record_store_error(std::size_t worker) noexcept { slots_[worker].store_errors.add(); }

namespace {

void append_sample(std::string& out, std::string_view name, std::string_view labels,
                   std::uint64_t value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(std::to_string(value)).append("\n");
}

void append_help(std::string& out, std::string_view name, std::string_view type,
                 std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

std::string seconds_text(std::int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(ns) / 1e9);
  return text;
}

}  // namespace

std::string Metrics::render() const {
  std::string out;
  out.reserve(8192);

  append_help(out, "gcra_build_info", "gauge", "The running gcra-server's version.");
  append_sample(out, "gcra_build_info", "version=\"" GCRA_VERSION "\"", 1);

  append_help(out, "gcra_decisions_total", "counter",
              "Decisions of /v1/check and forward-auth by policy and outcome "
              "(shadow_denied: refused by the limits, admitted by shadow mode).");
  std::map<std::string, std::shared_ptr<PolicyCounters>> policies;
  {
    std::lock_guard lock(policies_mutex_);
    policies = policies_;
  }
  static constexpr std::array<std::pair<Outcome, std::string_view>, 3> outcomes{{
      {Outcome::allowed, "allowed"}, {Outcome::denied, "denied"}, {Outcome::shadow_denied, "shadow_denied"}}};
  for (const auto& [name, counters] : policies) {
    for (const auto& [outcome, label] : outcomes) {
      append_sample(out, "gcra_decisions_total",
                    "policy=\"" + name + "\",outcome=\"" + std::string(label) + "\"",
                    counters->total(outcome));
    }
  }
  append_help(out, "gcra_shadow_denials_total", "counter",
              "Requests a shadow-mode policy would have denied, by policy.");
  for (const auto& [name, counters] : policies) {
    append_sample(out, "gcra_shadow_denials_total", "policy=\"" + name + "\"",
                  counters->total(Outcome::shadow_denied));
  }

  std::uint64_t store_errors = 0, local = 0, allow = 0, deny = 0, deny_cache = 0;
  for (std::size_t w = 0; w < workers_; ++w) {
    store_errors += slots_[w].store_errors.get();
    local += slots_[w].fallback_local.get();
    allow += slots_[w].fallback_allow.get();
    deny += slots_[w].fallback_deny.get();
    deny_cache += slots_[w].deny_cache_hits.get();
  }
  append_help(out, "gcra_store_errors_total", "counter",
              "Store failures answered with an error (no failure policy took over).");
  append_sample(out, "gcra_store_errors_total", "", store_errors);
  append_help(out, "gcra_store_fallbacks_total", "counter",
              "Decisions made by the store_failure policy while the store failed, by mode.");
  append_sample(out, "gcra_store_fallbacks_total", "mode=\"local\"", local);
  append_sample(out, "gcra_store_fallbacks_total", "mode=\"allow\"", allow);
  append_sample(out, "gcra_store_fallbacks_total", "mode=\"deny\"", deny);
  append_help(out, "gcra_deny_cache_hits_total", "counter",
              "Denials answered from the local deny cache without a store round trip.");
  append_sample(out, "gcra_deny_cache_hits_total", "", deny_cache);

  append_help(out, "gcra_http_requests_total", "counter", "HTTP requests by endpoint and status.");
  for (std::size_t e = 0; e < kEndpointCount; ++e) {
    const std::string_view endpoint = endpoint_name(static_cast<Endpoint>(e));
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      std::uint64_t count = 0;
      for (std::size_t w = 0; w < workers_; ++w) count += slots_[w].endpoints[e].by_status[s].get();
      if (count == 0) continue;
      const std::string code = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
      append_sample(out, "gcra_http_requests_total",
                    "endpoint=\"" + std::string(endpoint) + "\",code=\"" + code + "\"", count);
    }
  }

  append_help(out, "gcra_http_request_duration_seconds", "histogram",
              "Time from a request's last byte read to its answer being ready, by endpoint.");
  for (std::size_t e = 0; e < kEndpointCount; ++e) {
    const std::string endpoint = std::string(endpoint_name(static_cast<Endpoint>(e)));
    std::uint64_t cumulative = 0;
    std::uint64_t sum_ns = 0;
    for (std::size_t w = 0; w < workers_; ++w) sum_ns += slots_[w].endpoints[e].latency_sum_ns.get();
    for (std::size_t b = 0; b <= kLatencyBounds.size(); ++b) {
      for (std::size_t w = 0; w < workers_; ++w) cumulative += slots_[w].endpoints[e].buckets[b].get();
      const std::string le = b < kLatencyBounds.size() ? seconds_text(kLatencyBounds[b]) : "+Inf";
      append_sample(out, "gcra_http_request_duration_seconds_bucket",
                    "endpoint=\"" + endpoint + "\",le=\"" + le + "\"", cumulative);
    }
    out.append("gcra_http_request_duration_seconds_sum{endpoint=\"" + endpoint + "\"} " +
               seconds_text(static_cast<std::int64_t>(sum_ns)) + "\n");
    append_sample(out, "gcra_http_request_duration_seconds_count", "endpoint=\"" + endpoint + "\"",
                  cumulative);
  }

  append_help(out, "gcra_connections_open", "gauge", "Client connections open now.");
  const std::int64_t open = open_connections_.load(std::memory_order_relaxed);
  append_sample(out, "gcra_connections_open", "", static_cast<std::uint64_t>(open > 0 ? open : 0));
  append_help(out, "gcra_connections_rejected_total", "counter",
              "Connections closed at once because max_connections were open.");
  append_sample(out, "gcra_connections_rejected_total", "",
                rejected_connections_.load(std::memory_order_relaxed));
  append_help(out, "gcra_config_reloads_total", "counter", "SIGHUP reloads by result.");
  append_sample(out, "gcra_config_reloads_total", "result=\"ok\"",
                reloads_ok_.load(std::memory_order_relaxed));
  append_sample(out, "gcra_config_reloads_total", "result=\"rejected\"",
                reloads_failed_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace gcra::server
