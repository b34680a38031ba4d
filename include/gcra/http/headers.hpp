// The response header fields that tell a client where it stands: RateLimit-
// Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-10), Retry-After,
// and optionally the legacy X-RateLimit-* trio. Framework-neutral.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gcra/decision.hpp"
#include "gcra/policy.hpp"

namespace gcra::http {

// One response header field, as a framework adds it.
struct HeaderField {
  std::string name;
  std::string value;

  friend bool operator==(const HeaderField&, const HeaderField&) = default;
};

struct HeaderOptions {
  bool on_allowed = true;    // RateLimit fields on admitted responses too (denials always get them)
  bool legacy = false;       // also X-RateLimit-Limit/-Remaining/-Reset for old clients
  std::string item_prefix{}; // prepended to every quota policy item name, e.g. "hello-" to
                             // tell a route's policy from the global one in the same response
};

// The quota policy item names of `policy`, one per rate in order: the rate's
// period as Rate::to_string() writes it ("second", "minute", "hour", "day",
// "week", or "5s", "15m", "500ms" for other periods), made unique within the
// policy by a "-2", "-3" suffix, after `prefix`.
std::vector<std::string> policy_item_names(const Policy& policy, const std::string& prefix = {});

// The RateLimit-Policy field value of `policy` alone, e.g.
// `"minute";q=100;w=60, "hour";q=1000;w=3600`. It never changes for a policy.
std::string rate_limit_policy_value(const Policy& policy, const std::string& prefix = {});

// The fields describing `decision`, made under `policy`, in this order:
//   RateLimit-Policy  every rate: "name";q=<limit>;w=<period in s>
//   RateLimit         the deciding rate: "name";r=<remaining>;t=<s>
//   Retry-After       denied only: whole seconds, rounded up (absent when the
//                     cost can never pass, Decision::exceeds_burst())
//   X-RateLimit-*     if options.legacy
// Seconds are rounded up, so a client that waits them is never early.
//
// What t means, since GCRA refills continuously rather than per window: when
// denied, the wait until this same request fits the deciding rate (so
// Retry-After == t); when admitted with r = 0, the wait until one more
// request fits; when admitted with r > 0, the wait until the rate is back at
// full burst. When the period is not a whole number of seconds, q and w are
// scaled to the smallest whole-second window (10/500ms -> q=20;w=1).
//
// Decisions that are not a real count say nothing they do not know:
// Source::fallback_allow gets no fields at all; Source::fallback_deny gets
// only Retry-After, and only when the decision carries a finite, positive
// retry_after. Admitted decisions get no fields when !options.on_allowed.
std::vector<HeaderField> rate_limit_headers(const Policy& policy, const Decision& decision,
                                            const HeaderOptions& options = {});

// Whole seconds in `d`, rounded up; 0 for d <= 0. kNever saturates.
long long ceil_seconds(Duration d) noexcept;

// rate_limit_headers() for one policy, with the parts that never change
// (item names, the RateLimit-Policy value) computed once. Guard keeps one.
// Thread-safety: immutable after construction, share freely.
class HeaderFormatter {
 public:
  explicit HeaderFormatter(const Policy& policy, HeaderOptions options = {});

  std::vector<HeaderField> fields(const Decision& decision) const;
  // Appends fields(decision) to `out` (saves an allocation per request).
  void append_fields(const Decision& decision, std::vector<HeaderField>& out) const;

  const std::vector<std::string>& item_names() const noexcept { return names_; }
  const std::string& policy_value() const noexcept { return policy_value_; }
  const HeaderOptions& options() const noexcept { return options_; }

 private:
  std::vector<Duration> intervals_;
  std::vector<Duration> tolerances_;
  std::vector<std::uint64_t> limits_;
  std::vector<std::string> names_;
  std::vector<std::string> quoted_names_;  // names_ as Structured Field strings
  std::string policy_value_;
  HeaderOptions options_;
};

}  // namespace gcra::http
