#include "api_json.hpp"

#include <nlohmann/json.hpp>

#include "http_response.hpp"

namespace gcra::server {

namespace {

using json = nlohmann::json;

ApiError invalid_request(std::string message) {
  return ApiError{400, "invalid_request", std::move(message)};
}

// "[json.exception.parse_error.101] parse error at ..." -> "parse error at ...".
std::string without_exception_prefix(const char* what) {
  std::string text(what);
  if (!text.empty() && text.front() == '[') {
    const std::size_t end = text.find("] ");
    if (end != std::string::npos) text.erase(0, end + 2);
  }
  return text;
}

// Reads the body as it is parsed (nlohmann's SAX interface), straight into
// KeyRequests: no JSON tree is built. Stops at the first problem, which it
// records in `out.error`.
class KeyRequestReader {
 public:
  KeyRequestReader(ParsedKeyRequests& out, std::size_t max_batch, bool with_cost)
      : out_(out), max_batch_(max_batch), with_cost_(with_cost) {}

  bool null() { return value("null"); }
  bool boolean(bool) { return value("boolean"); }
  bool number_integer(json::number_integer_t n) {
    if (n >= 0) return number_unsigned(static_cast<json::number_unsigned_t>(n));
    if (field_ == Field::cost) return fail(where() + "cost must not be negative");
    return value("number");
  }
  bool number_unsigned(json::number_unsigned_t n) {
    if (field_ != Field::cost) return value("number");
    out_.items.back().cost = n;
    field_ = Field::none;
    return true;
  }
  bool number_float(json::number_float_t, const json::string_t& text) {
    if (field_ == Field::cost) return fail(where() + "cost must be a whole number, not number " + text);
    return value("number");
  }
  bool string(json::string_t& text) {
    if (field_ == Field::policy) {
      out_.items.back().policy = std::move(text);
      has_policy_ = true;
    } else if (field_ == Field::key) {
      out_.items.back().key = std::move(text);
      has_key_ = true;
    } else {
      return value("string");
    }
    field_ = Field::none;
    return true;
  }
  bool binary(json::binary_t&) { return value("binary"); }

  bool start_object(std::size_t) {
    if (depth_ == 0 || (depth_ == 1 && out_.batch)) {  // an item
      if (out_.items.size() == max_batch_) {
        return fail("the array has more than " + std::to_string(max_batch_) + " objects (max_batch)");
      }
      out_.items.emplace_back();
      has_policy_ = has_key_ = false;
      field_ = Field::none;
      ++depth_;
      return true;
    }
    return value("object");
  }
  bool key(json::string_t& name) {
    if (name == "policy") field_ = Field::policy;
    else if (name == "key") field_ = Field::key;
    else if (name == "cost" && with_cost_) field_ = Field::cost;
    else {
      return fail(where() + "unknown field '" + name + "' (the fields are " +
                  (with_cost_ ? "policy, key, cost" : "policy, key") + ")");
    }
    return true;
  }
  bool end_object() {
    if (!has_policy_) return fail(where() + "policy is missing");
    if (!has_key_) return fail(where() + "key is missing");
    if (out_.items.back().key.empty()) return fail(where() + "key must not be empty");
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ != 0) return value("array");
    out_.batch = true;
    ++depth_;
    return true;
  }
  bool end_array() {
    if (out_.items.empty()) return fail("the array is empty; give at least one object");
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    out_.error = ApiError{400, "invalid_json", "the body is not valid JSON: " + without_exception_prefix(e.what())};
    return false;
  }

 private:
  enum class Field { none, policy, key, cost };

  // A value of the wrong type where a field's value (or an item) belongs.
  bool value(std::string_view type) {
    switch (field_) {
      case Field::policy: return fail(where() + "policy must be a string, not " + std::string(type));
      case Field::key: return fail(where() + "key must be a string, not " + std::string(type));
      case Field::cost: return fail(where() + "cost must be a whole number, not " + std::string(type));
      case Field::none: break;
    }
    return fail(index_prefix(out_.items.size()) + "must be an object such as {\"policy\": \"api\", \"key\": \"user:42\"}, not " +
                std::string(type));
  }
  std::string where() const { return index_prefix(out_.items.size() - 1); }
  // "[3]." in an array body; nothing for a single object.
  std::string index_prefix(std::size_t index) const {
    std::string prefix;
    if (out_.batch) prefix.append("[").append(std::to_string(index)).append("].");
    return prefix;
  }
  bool fail(std::string message) {
    out_.error = invalid_request(std::move(message));
    return false;
  }

  ParsedKeyRequests& out_;
  std::size_t max_batch_;
  bool with_cost_;
  int depth_ = 0;
  Field field_ = Field::none;
  bool has_policy_ = false;
  bool has_key_ = false;
};

}  // namespace

ParsedKeyRequests parse_key_requests(std::string_view body, std::size_t max_batch, bool with_cost) {
  ParsedKeyRequests parsed;
  if (body.empty()) {
    parsed.error = invalid_request("the body is empty; send a JSON object such as "
                                   "{\"policy\": \"api\", \"key\": \"user:42\"}");
    return parsed;
  }
  KeyRequestReader reader(parsed, max_batch, with_cost);
  const bool ok = json::sax_parse(body.begin(), body.end(), &reader);
  if (!ok || parsed.error) {
    if (!parsed.error) parsed.error = invalid_request("the body could not be read");
    parsed.items.clear();
  }
  return parsed;
}

std::int64_t ceil_millis(Duration d) noexcept {
  if (d.count() <= 0) return 0;
  return (d.count() + 999'999) / 1'000'000;
}

std::string_view source_name(Source source) noexcept {
  switch (source) {
    case Source::store: return "store";
    case Source::fallback_local: return "fallback_local";
    case Source::fallback_allow: return "fallback_allow";
    case Source::fallback_deny: return "fallback_deny";
    case Source::deny_cache: return "deny_cache";
  }
  return "store";
}

ReportedDecision report_decision(const PolicyRuntime& policy, const Decision& decision) {
  ReportedDecision reported{&policy, decision, false, {}};
  reported.shadow_denied = policy.config.shadow && !decision.allowed;
  policy.guard.formatter().append_fields(decision, reported.headers);
  if (reported.shadow_denied) {
    std::erase_if(reported.headers, [](const http::HeaderField& f) { return f.name == "Retry-After"; });
  }
  return reported;
}

void append_decision_json(std::string& out, const ReportedDecision& reported) {
  const Decision& d = reported.decision;
  const PolicyRuntime& policy = *reported.policy;
  out.append("{\"allowed\":").append(d.allowed || reported.shadow_denied ? "true" : "false");
  out.append(",\"policy\":");
  append_json_string(out, policy.name());
  out.append(",\"limit\":").append(std::to_string(d.limit));
  out.append(",\"remaining\":").append(std::to_string(d.remaining));
  out.append(",\"retry_after_ms\":");
  if (d.exceeds_burst()) {
    out.append("null,\"exceeds_burst\":true");
  } else {
    out.append(std::to_string(ceil_millis(d.retry_after)));
  }
  out.append(",\"reset_after_ms\":").append(std::to_string(ceil_millis(d.reset_after)));
  out.append(",\"rate\":");
  append_json_string(out, d.rate_index < policy.rate_texts.size() ? policy.rate_texts[d.rate_index] : "");
  out.append(",\"source\":\"").append(source_name(d.source)).append("\"");
  if (policy.config.shadow) {
    out.append(",\"shadow\":true,\"shadow_denied\":").append(reported.shadow_denied ? "true" : "false");
  }
  out.append(",\"headers\":{");
  bool first = true;
  for (const http::HeaderField& field : reported.headers) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, field.name);
    out.push_back(':');
    append_json_string(out, field.value);
  }
  out.append("}}");
}

void append_error_json(std::string& out, std::string_view code, std::string_view message) {
  out.append("{\"error\":");
  append_json_string(out, code);
  out.append(",\"message\":");
  append_json_string(out, message);
  out.append("}");
}

}  // namespace gcra::server
