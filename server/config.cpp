#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <utility>

#include "gcra/http/identity.hpp"

namespace gcra::server {

std::string Identity::to_string() const {
  return kind == Kind::address ? std::string("address") : "header:" + header;
}

const PolicyConfig* Config::find_policy(std::string_view name) const {
  for (const PolicyConfig& p : policies) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

namespace {

// The error of one trusted_proxies entry, checked by the parser the server
// matches addresses with.
std::optional<std::string> check_trusted_proxy(const std::string& cidr) {
  auto parsed = http::TrustedProxies::parse({cidr});
  if (parsed) return std::nullopt;
  return parsed.error().message;
}

int line_of(const YAML::Node& node) { return node.Mark().is_null() ? 0 : node.Mark().line + 1; }

// Policy names appear in URLs (/v1/forward-auth/{policy}) and in metric
// labels, so they are kept to characters that need no escaping anywhere.
bool is_policy_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// RFC 9110 token characters: what a header field name may contain.
bool is_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Walks the YAML tree once, filling a Config and noting every problem.
class ConfigReader {
 public:
  explicit ConfigReader(std::vector<ConfigProblem>& problems) : problems_(problems) {}

  void read_root(const YAML::Node& root, Config& config) {
    if (!root || root.IsNull()) {
      problem(0, "the file is empty; it needs at least a `policies:` section");
      return;
    }
    if (!root.IsMap()) {
      problem(line_of(root), "the top level must be a mapping of keys such as listen:, policies:");
      return;
    }
    bool saw_policies = false;
    for_each_entry(root, "", [&](const std::string& key, const YAML::Node& value) {
      if (key == "listen") {
        if (auto text = scalar(key, value)) {
          auto address = parse_listen_address(*text);
          if (address) config.listen = *address; else problem(value, key, address.error().message);
        }
      } else if (key == "store") {
        if (auto text = scalar(key, value)) {
          if (*text == "memory" || text->rfind("redis://", 0) == 0) {
            config.store = *text;
          } else {
            problem(value, key, "'" + *text + "' is neither memory nor a redis:// URL");
          }
        }
      } else if (key == "store_failure") {
        if (auto text = scalar(key, value)) {
          if (*text == "allow") config.store_failure = StoreFailure::allow;
          else if (*text == "deny") config.store_failure = StoreFailure::deny;
          else if (*text == "local") config.store_failure = StoreFailure::local;
          else problem(value, key, "'" + *text + "' is not one of allow, deny, local");
        }
      } else if (key == "store_timeout") {
        duration(key, value, config.store_timeout, /*allow_zero=*/false);
      } else if (key == "deny_cache") {
        boolean(key, value, config.deny_cache);
      } else if (key == "admin_token") {
        problem(value, key,
                "the token itself never goes in the file: use admin_token_env (a variable's "
                "name) or admin_token_file (a path)");
      } else if (key == "admin_token_env") {
        if (auto text = scalar(key, value)) {
          if (text->empty()) problem(value, key, "must name an environment variable");
          config.admin_token_env = *text;
        }
      } else if (key == "admin_token_file") {
        if (auto text = scalar(key, value)) {
          if (text->empty()) problem(value, key, "must be a path");
          config.admin_token_file = *text;
        }
      } else if (key == "trusted_proxies") {
        read_trusted_proxies(key, value, config.trusted_proxies);
      } else if (key == "ipv6_prefix") {
        std::size_t prefix = config.ipv6_prefix;
        if (number(key, value, prefix, 1, 128)) config.ipv6_prefix = static_cast<unsigned>(prefix);
      } else if (key == "legacy_headers") {
        boolean(key, value, config.legacy_headers);
      } else if (key == "threads") {
        std::size_t threads = config.threads;
        if (number(key, value, threads, 0, 256)) config.threads = static_cast<unsigned>(threads);
      } else if (key == "max_connections") {
        number(key, value, config.max_connections, 1, 1'000'000);
      } else if (key == "max_body_size") {
        size(key, value, config.max_body_size, 64, 64 * 1024 * 1024);
      } else if (key == "max_header_size") {
        size(key, value, config.max_header_size, 1024, 1024 * 1024);
      } else if (key == "max_headers") {
        number(key, value, config.max_headers, 1, 10'000);
      } else if (key == "max_key_size") {
        size(key, value, config.max_key_size, 1, 64 * 1024);
      } else if (key == "max_batch") {
        number(key, value, config.max_batch, 1, 100'000);
      } else if (key == "idle_timeout") {
        duration(key, value, config.idle_timeout, false);
      } else if (key == "request_timeout") {
        duration(key, value, config.request_timeout, false);
      } else if (key == "drain_timeout") {
        duration(key, value, config.drain_timeout, true);
      } else if (key == "policies") {
        saw_policies = true;
        read_policies(value, config.policies);
      } else {
        problem(value, key, "unknown key (see docs/configuration.md for the keys)");
      }
    });
    if (!saw_policies) problem(line_of(root), "`policies:` is missing; define at least one policy");
  }

 private:
  void problem(int line, std::string message) { problems_.push_back({line, std::move(message)}); }
  void problem(const YAML::Node& node, std::string_view key, std::string message) {
    problem(line_of(node), std::string(key) + ": " + message);
  }

  // Calls `visit` for each key of a mapping, reporting duplicate and
  // non-scalar keys. `path` prefixes keys in those messages ("policies.api.").
  void for_each_entry(const YAML::Node& map, const std::string& path,
                      const std::function<void(const std::string&, const YAML::Node&)>& visit) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) {
        problem(line_of(entry.first), path + "keys must be plain names");
        continue;
      }
      const std::string key = entry.first.Scalar();
      if (!seen.insert(key).second) {
        problem(line_of(entry.first), path + key + ": duplicate key");
        continue;
      }
      visit(key, entry.second);
    }
  }

  std::optional<std::string> scalar(std::string_view key, const YAML::Node& value) {
    if (!value.IsScalar()) {
      problem(value, key, "must be a single value, not a list or mapping");
      return std::nullopt;
    }
    return value.Scalar();
  }

  void boolean(std::string_view key, const YAML::Node& value, bool& out) {
    auto text = scalar(key, value);
    if (!text) return;
    if (*text == "true" || *text == "yes" || *text == "on") out = true;
    else if (*text == "false" || *text == "no" || *text == "off") out = false;
    else problem(value, key, "'" + *text + "' is not true or false");
  }

  bool number(std::string_view key, const YAML::Node& value, std::size_t& out, std::size_t min,
              std::size_t max) {
    auto text = scalar(key, value);
    if (!text) return false;
    std::size_t parsed = 0;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), parsed);
    if (text->empty() || ec != std::errc{} || ptr != text->data() + text->size() || parsed < min ||
        parsed > max) {
      problem(value, key, "'" + *text + "' is not an integer from " + std::to_string(min) + " to " +
                              std::to_string(max));
      return false;
    }
    out = parsed;
    return true;
  }

  void size(std::string_view key, const YAML::Node& value, std::size_t& out, std::size_t min,
            std::size_t max) {
    auto text = scalar(key, value);
    if (!text) return;
    auto parsed = parse_size(*text);
    if (!parsed) return problem(value, key, parsed.error().message);
    if (*parsed < min || *parsed > max) {
      return problem(value, key, "'" + *text + "' must be from " + std::to_string(min) + " to " +
                                     std::to_string(max) + " bytes");
    }
    out = *parsed;
  }

  void duration(std::string_view key, const YAML::Node& value, Duration& out, bool allow_zero) {
    auto text = scalar(key, value);
    if (!text) return;
    auto parsed = parse_duration(*text);
    if (!parsed) return problem(value, key, parsed.error().message);
    if (!allow_zero && parsed->count() == 0) return problem(value, key, "must be longer than 0");
    out = *parsed;
  }

  void read_trusted_proxies(std::string_view key, const YAML::Node& value,
                            std::vector<std::string>& out) {
    if (value.IsNull()) {
      out.clear();
      return;
    }
    if (!value.IsSequence()) return problem(value, key, "must be a list of CIDRs, as in [127.0.0.1/32]");
    out.clear();
    for (const auto& item : value) {
      if (!item.IsScalar()) {
        problem(item, key, "each entry must be a CIDR such as 10.0.0.0/8");
        continue;
      }
      if (auto error = check_trusted_proxy(item.Scalar())) {
        problem(item, key, *error);
        continue;
      }
      out.push_back(item.Scalar());
    }
  }

  void read_policies(const YAML::Node& value, std::vector<PolicyConfig>& out) {
    if (!value.IsMap() || value.size() == 0) {
      return problem(value, "policies", "must map policy names to their settings, as in `api: {limits: \"100/minute\"}`");
    }
    for_each_entry(value, "policies.", [&](const std::string& name, const YAML::Node& settings) {
      const std::string path = "policies." + name;
      if (!is_policy_name(name)) {
        return problem(settings, path,
                       "a policy name is 1 to 100 of the characters a-z A-Z 0-9 _ - .");
      }
      if (!settings.IsMap()) return problem(settings, path, "must be a mapping with at least limits:");
      read_policy(name, path, settings, out);
    });
  }

  void read_policy(const std::string& name, const std::string& path, const YAML::Node& settings,
                   std::vector<PolicyConfig>& out) {
    std::optional<Policy> limits;
    std::optional<Policy> anonymous;
    Identity identity;
    bool shadow = false;
    std::size_t deny_status = 429;
    for_each_entry(settings, path + ".", [&](const std::string& field, const YAML::Node& value) {
      const std::string key = path + "." + field;
      if (field == "limits" || field == "anonymous") {
        auto text = scalar(key, value);
        if (!text) return;
        const std::string policy_name = field == "limits" ? name : name + ":anonymous";
        auto parsed = Policy::parse(*text, policy_name);
        if (!parsed) return problem(value, key, parsed.error().message);
        (field == "limits" ? limits : anonymous) = std::move(*parsed);
      } else if (field == "identity") {
        auto text = scalar(key, value);
        if (!text) return;
        if (*text == "address") {
          identity = Identity{};
        } else if (text->rfind("header:", 0) == 0 && is_header_name(text->substr(7))) {
          identity = Identity{Identity::Kind::header, text->substr(7)};
        } else {
          problem(value, key, "'" + *text + "' is neither `address` nor `header:<Header-Name>`");
        }
      } else if (field == "shadow") {
        boolean(key, value, shadow);
      } else if (field == "deny_status") {
        number(key, value, deny_status, 400, 499);
      } else {
        problem(value, key, "unknown key (a policy has limits, identity, anonymous, shadow, deny_status)");
      }
    });
    if (!limits) {
      if (!settings["limits"]) problem(settings, path, "limits: is missing, as in limits: \"100/minute\"");
      return;
    }
    if (anonymous && identity.kind == Identity::Kind::address) {
      problem(settings["anonymous"], path + ".anonymous",
              "only applies when identity is a header (the address is never missing)");
    }
    out.push_back(PolicyConfig{name, std::move(*limits), std::move(identity), std::move(anonymous),
                               shadow, static_cast<unsigned>(deny_status)});
  }

  std::vector<ConfigProblem>& problems_;
};

}  // namespace

LoadedConfig parse_config(std::string_view yaml) {
  LoadedConfig loaded;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    loaded.problems.push_back({e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg});
    return loaded;
  }
  Config config;
  ConfigReader reader(loaded.problems);
  reader.read_root(root, config);
  if (loaded.problems.empty()) {
    auto token = resolve_admin_token(config);
    if (!token) loaded.problems.push_back({0, token.error().message});
    else config.admin_token = std::move(*token);
  }
  if (loaded.problems.empty()) loaded.config = std::move(config);
  return loaded;
}

LoadedConfig load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedConfig loaded;
    loaded.problems.push_back({0, "cannot read the file"});
    return loaded;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str());
}

std::string format_problem(std::string_view path, const ConfigProblem& problem) {
  std::string out(path);
  if (problem.line > 0) out.append(":").append(std::to_string(problem.line));
  return out.append(": ").append(problem.message);
}

Result<std::optional<std::string>> resolve_admin_token(const Config& config) {
  if (!config.admin_token_file.empty()) {
    std::ifstream in(config.admin_token_file, std::ios::binary);
    if (!in) {
      return Error{ErrorCode::invalid_argument,
                   "admin_token_file: cannot read '" + config.admin_token_file + "'"};
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
      token.pop_back();
    }
    if (token.empty()) {
      return Error{ErrorCode::invalid_argument,
                   "admin_token_file: '" + config.admin_token_file + "' is empty"};
    }
    return std::optional<std::string>(std::move(token));
  }
  const char* value = std::getenv(config.admin_token_env.c_str());
  if (value == nullptr || *value == '\0') return std::optional<std::string>();
  return std::optional<std::string>(value);
}

}  // namespace gcra::server
