#include "gcra/httplib.hpp"

#include <algorithm>
#include <string_view>

namespace gcra::httplib {
namespace {

// Splits a Structured Field list of items written by gcra ("name";p=1,
// "other";p=2) at its top-level commas, keeping quoted strings whole.
std::vector<std::string> split_items(std::string_view list) {
  std::vector<std::string> items;
  std::string current;
  bool quoted = false;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (quoted && c == '\\' && i + 1 < list.size()) {
      current += c;
      current += list[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      items.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (!(current.empty() && (c == ' ' || c == '\t'))) current += c;
  }
  if (!current.empty()) items.push_back(std::move(current));
  return items;
}

// The item's bare item (its name), up to the first parameter.
std::string_view item_name(std::string_view item) {
  bool quoted = false;
  for (std::size_t i = 0; i < item.size(); ++i) {
    if (quoted && item[i] == '\\') {
      ++i;
    } else if (item[i] == '"') {
      quoted = !quoted;
    } else if (item[i] == ';' && !quoted) {
      return item.substr(0, i);
    }
  }
  return item;
}

// Adds a list field to `res`, merging with what another guard put there:
// items of the same name are replaced by the new ones, others are kept, so
// each quota policy is described once.
void merge_list_field(Response& res, const std::string& name, std::string value) {
  const auto [first, last] = res.headers.equal_range(name);
  if (first == last) {
    res.headers.emplace(name, std::move(value));
    return;
  }
  // The usual case (a route guard with its own item prefix): no name in
  // common with the one field already there, so the items are appended. A
  // quoted name followed by ';' cannot occur inside another item's name.
  const std::vector<std::string> added = split_items(value);
  const bool disjoint =
      std::next(first) == last &&
      std::none_of(added.begin(), added.end(), [&](const std::string& item) {
        std::string key(item_name(item));
        key += ';';
        return first->second.find(key) != std::string::npos;
      });
  if (disjoint) {
    first->second += ", ";
    first->second += value;
    return;
  }
  std::vector<std::string> items;
  for (auto it = first; it != last; ++it) {
    for (auto& item : split_items(it->second)) items.push_back(std::move(item));
  }
  for (const auto& item : added) {
    auto same = std::find_if(items.begin(), items.end(), [&](const std::string& old) {
      return item_name(old) == item_name(item);
    });
    if (same != items.end()) {
      *same = item;
    } else {
      items.push_back(item);
    }
  }
  std::string merged;
  for (const auto& item : items) {
    if (!merged.empty()) merged += ", ";
    merged += item;
  }
  res.headers.erase(name);
  res.headers.emplace(name, std::move(merged));
}

std::uint64_t header_number(const Response& res, const std::string& name) {
  const std::string value = res.get_header_value(name);
  std::uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') break;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

KeyFunction header_key(std::string header, std::string prefix) {
  return [header = std::move(header), prefix = std::move(prefix)](const Request& req) {
    std::string value = req.get_header_value(header);
    return value.empty() ? value : prefix + value;
  };
}

KeyFunction api_key_header(std::string header) {
  return [header = std::move(header)](const Request& req) {
    const std::string value = req.get_header_value(header);
    return value.empty() ? value : http::hash_api_key(value);
  };
}

KeyFunction client_address_key(http::TrustedProxies trusted, http::AddressOptions options) {
  return [trusted = std::move(trusted), options](const Request& req) {
    // Several X-Forwarded-For fields form one list, in order (RFC 9110 5.3).
    std::string forwarded;
    if (!trusted.empty()) {
      const std::size_t count = req.get_header_value_count("X-Forwarded-For");
      for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) forwarded += ',';
        forwarded += req.get_header_value("X-Forwarded-For", i);
      }
    }
    return "ip:" + http::client_address(req.remote_addr, forwarded, trusted, options);
  };
}

KeyFunction first_of(std::vector<KeyFunction> keys) {
  return [keys = std::move(keys)](const Request& req) {
    for (const auto& key : keys) {
      std::string identity = key(req);
      if (!identity.empty()) return identity;
    }
    return std::string{};
  };
}

void apply_verdict(const http::Verdict& verdict, Response& res) {
  apply_verdict(http::Verdict(verdict), res);
}

void apply_verdict(http::Verdict&& verdict, Response& res) {
  // Legacy fields hold one figure each: keep the tighter guard's trio.
  bool replace_legacy = false;
  for (const auto& field : verdict.headers) {
    if (field.name != "X-RateLimit-Remaining") continue;
    replace_legacy = !verdict.allowed || !res.has_header("X-RateLimit-Remaining") ||
                     std::stoull(field.value) < header_number(res, "X-RateLimit-Remaining");
  }
  for (auto& field : verdict.headers) {
    if (field.name == "RateLimit-Policy" || field.name == "RateLimit") {
      merge_list_field(res, field.name, std::move(field.value));
    } else if (field.name.rfind("X-RateLimit-", 0) == 0) {
      if (replace_legacy) {
        res.headers.erase(field.name);
        res.headers.emplace(std::move(field.name), std::move(field.value));
      }
    } else {
      res.headers.erase(field.name);  // Retry-After: the refusing guard's says when
      res.headers.emplace(std::move(field.name), std::move(field.value));
    }
  }
  if (!verdict.allowed) {
    res.status = verdict.status;
    res.set_content(verdict.body.body, verdict.body.content_type);
  }
}

RateLimit::RateLimit(const http::Guard& guard, LimitOptions options)
    : RateLimit(std::shared_ptr<const http::Guard>(&guard, [](const http::Guard*) {}),
                std::move(options)) {}

RateLimit::RateLimit(std::shared_ptr<const http::Guard> guard, LimitOptions options)
    : guard_(std::move(guard)), options_(std::move(options)) {}

bool RateLimit::admit(const Request& req, Response& res) const {
  const std::uint64_t cost = options_.cost ? options_.cost(req) : 1;
  std::string identity = options_.key ? options_.key(req) : std::string{};
  http::Verdict verdict;
  if (!identity.empty()) {
    verdict = guard_->check(identity, cost);
  } else if (options_.anonymous != nullptr && options_.anonymous_key) {
    verdict = options_.anonymous->check(options_.anonymous_key(req), cost);
  } else {
    return true;  // no identity and no anonymous policy: not limited
  }
  const bool allowed = verdict.allowed;
  apply_verdict(std::move(verdict), res);
  return allowed;
}

HandlerResponse RateLimit::operator()(const Request& req, Response& res) const {
  return admit(req, res) ? HandlerResponse::Unhandled : HandlerResponse::Handled;
}

PreRoutingHandler middleware(const http::Guard& guard, LimitOptions options,
                             PreRoutingHandler next) {
  RateLimit limit(guard, std::move(options));
  if (!next) return limit;
  return [limit = std::move(limit), next = std::move(next)](const Request& req, Response& res) {
    return limit.admit(req, res) ? next(req, res) : HandlerResponse::Handled;
  };
}

Handler throttle(const http::Guard& guard, Handler handler, LimitOptions options) {
  return [limit = RateLimit(guard, std::move(options)), handler = std::move(handler)](
             const Request& req, Response& res) {
    if (limit.admit(req, res)) handler(req, res);
  };
}

Handler throttle(const Limiter& limiter, Handler handler, LimitOptions options,
                 http::GuardOptions guard_options) {
  auto guard = std::make_shared<const http::Guard>(limiter, std::move(guard_options));
  return [limit = RateLimit(std::move(guard), std::move(options)), handler = std::move(handler)](
             const Request& req, Response& res) {
    if (limit.admit(req, res)) handler(req, res);
  };
}

}  // namespace gcra::httplib
