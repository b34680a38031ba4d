#include "gcra/http/guard.hpp"

#include "gcra/http/identity.hpp"

namespace gcra::http {

Guard::Guard(Store& store, Policy policy, GuardOptions options)
    : limiter_(store, std::move(policy)),
      options_(std::move(options)),
      formatter_(limiter_.policy(), options_.headers) {}

Guard::Guard(const Limiter& limiter, GuardOptions options)
    : limiter_(limiter),
      options_(std::move(options)),
      formatter_(limiter_.policy(), options_.headers) {}

std::string Guard::store_key(std::string_view identity) {
  if (identity.size() <= kMaxIdentityBytes) return std::string(identity);
  return "sha256:" + sha256_hex(identity);
}

Verdict Guard::check(std::string_view identity, std::uint64_t cost) const {
  if (identity.size() > kMaxIdentityBytes) {
    return verdict(limiter_.store().apply(policy(), store_key(identity), cost,
                                          cost == 0 ? Mode::peek : Mode::check));
  }
  return verdict(limiter_.store().apply(policy(), identity, cost,
                                        cost == 0 ? Mode::peek : Mode::check));
}

Verdict Guard::verdict(const Result<Decision>& result) const {
  Verdict v;
  if (!result) {
    v.error = result.error();
    if (options_.on_store_error == StoreErrorAction::deny) {
      v.allowed = false;
      v.status = options_.unavailable_status;
      v.body = unavailable_body(options_.body_format, v.status);
    }
    return v;  // no fields: nothing was counted
  }
  const Decision& d = *result;
  v.decision = d;
  v.allowed = d.allowed;
  formatter_.append_fields(d, v.headers);
  if (d.allowed) return v;

  if (d.source == Source::fallback_deny) {
    // Refused because the store is down, not because of a quota: say so.
    v.status = options_.unavailable_status;
    v.body = unavailable_body(options_.body_format, v.status);
    return v;
  }
  v.status = options_.deny_status;
  v.body = options_.body ? options_.body(policy(), d)
                         : deny_body(policy(), d, options_.body_format, v.status,
                                     options_.headers.item_prefix);
  return v;
}

}  // namespace gcra::http
