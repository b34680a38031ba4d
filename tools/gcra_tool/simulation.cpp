#include "gcra_tool/simulation.hpp"

#include <utility>

namespace gcra::tool {
namespace {

MemoryStoreOptions replay_options() {
  MemoryStoreOptions options;
  options.shards = 1;                   // one thread: no contention to spread
  options.max_key_bytes = SIZE_MAX;     // a replay takes whatever keys the traffic has
  return options;
}

void count(Outcome& outcome, const Decision& decision, Instant at) {
  if (decision.allowed) {
    ++outcome.admitted;
    return;
  }
  ++outcome.denied;
  if (decision.exceeds_burst()) ++outcome.never;
  if (!outcome.first_denied_at) outcome.first_denied_at = at;
}

}  // namespace

Simulator::Simulator(Policy policy, std::vector<std::string> keys)
    : store_(replay_options(), clock_), limiter_(store_, std::move(policy)) {
  result_.per_key.resize(keys.size());
  result_.keys = std::move(keys);
}

Result<void> Simulator::offer(Instant at, std::uint32_t key, std::uint64_t cost) {
  if (key >= result_.keys.size()) {
    return Error{ErrorCode::invalid_argument, "key index " + std::to_string(key) + " is out of range"};
  }
  if (result_.last_at && at < *result_.last_at) {
    return Error{ErrorCode::invalid_argument, "requests must be offered in time order"};
  }
  const Instant origin = result_.first_at.value_or(at);
  if (at - origin > kMaxInstant) {
    return Error{ErrorCode::invalid_argument, "the traffic spans more than 2^62 ns (146 years)"};
  }
  clock_.set(at - origin);
  auto decision = limiter_.check(result_.keys[key], cost);
  if (!decision) return decision.error();
  if (!result_.first_at) result_.first_at = at;
  result_.last_at = at;
  count(result_.per_key[key], *decision, at);
  count(result_.total, *decision, at);
  return {};
}

Result<SimulationResult> simulate(const Policy& policy, Traffic traffic) {
  traffic.sort_by_time();
  Simulator simulator(policy, std::move(traffic.keys));
  for (const TrafficRequest& request : traffic.requests) {
    if (auto offered = simulator.offer(request.at, request.key, request.cost); !offered) {
      return offered.error();
    }
  }
  return std::move(simulator).take();
}

Result<SimulationResult> simulate(const Policy& policy, const SyntheticTraffic& traffic) {
  if (auto valid = traffic.validate(); !valid) return valid.error();
  std::vector<std::string> keys;
  keys.reserve(traffic.keys);
  for (std::uint64_t k = 0; k < traffic.keys; ++k) keys.push_back(traffic.key_name(k));
  Simulator simulator(policy, std::move(keys));
  const std::uint64_t n = traffic.request_count();
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto key = static_cast<std::uint32_t>(i % traffic.keys);
    if (auto offered = simulator.offer(traffic.request_time(i), key, 1); !offered) return offered.error();
  }
  return std::move(simulator).take();
}

}  // namespace gcra::tool
