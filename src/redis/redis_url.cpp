#include "gcra/redis_url.hpp"

#include <charconv>
#include <limits>

namespace gcra {
namespace {

Error bad(std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; }

// The URL with its password replaced by "***", for error messages.
std::string redacted(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t start = scheme + 3;
  const std::size_t slash = url.find_first_of("/?", start);
  const std::string_view authority = url.substr(start, slash == std::string_view::npos ? url.npos : slash - start);
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const std::size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, start + colon + 1));
  out += "***";
  out += url.substr(start + at);
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; `what` names the part for the error message.
Result<std::string> percent_decode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_digit(text[i + 2]) : -1;
    if (lo < 0) return bad("the " + std::string(what) + " of the Redis URL has a bad %-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string percent_encode_user(std::string_view user) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : user) {
    if (c == '%' || c == ':' || c == '@' || c == '/') {
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 15];
    } else {
      out += c;
    }
  }
  return out;
}

Result<int> parse_int(std::string_view text, int min, int max, std::string_view what, const std::string& url) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return bad(std::string(what) + " \"" + std::string(text) + "\" in Redis URL \"" + url + "\" is not a number from " +
               std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

}  // namespace

Result<RedisUrl> RedisUrl::parse(std::string_view text) {
  const std::string shown = redacted(text);
  RedisUrl url;
  std::string_view rest;
  if (text.starts_with("redis://")) {
    rest = text.substr(8);
  } else if (text.starts_with("unix://")) {
    url.transport = Transport::unix_socket;
    rest = text.substr(7);
  } else if (text.starts_with("rediss://")) {
    return bad("Redis URL \"" + shown + "\" asks for TLS (rediss://), which gcra does not support");
  } else {
    return bad("Redis URL \"" + shown + "\" must start with redis:// or unix://");
  }

  // authority = [userinfo@]host[:port]; for unix:// it is [userinfo@] only.
  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  const std::string_view after = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return bad("Redis URL \"" + shown + "\" names user \"" + std::string(userinfo) +
                 "\" without a password; write user:password@, or :password@ for a password alone");
    }
    auto user = percent_decode(userinfo.substr(0, colon), "user");
    if (!user) return user.error();
    auto password = percent_decode(userinfo.substr(colon + 1), "password");
    if (!password) return password.error();
    if (password->empty()) return bad("Redis URL \"" + shown + "\" has an empty password");
    url.user = std::move(*user);
    url.password = std::move(*password);
  }

  if (url.transport == Transport::unix_socket) {
    if (!authority.empty()) {
      return bad("Redis URL \"" + shown + "\" names host \"" + std::string(authority) +
                 "\"; unix:// URLs take a socket path only, as in unix:///run/redis.sock");
    }
    const std::size_t query = after.find('?');
    auto path = percent_decode(after.substr(0, query), "socket path");
    if (!path) return path.error();
    if (path->size() <= 1) return bad("Redis URL \"" + shown + "\" has no socket path");
    url.path = std::move(*path);
    if (query != std::string_view::npos) {
      const std::string_view param = after.substr(query + 1);
      if (!param.starts_with("db=")) {
        return bad("Redis URL \"" + shown + "\" has query \"" + std::string(param) + "\"; only ?db=N is understood");
      }
      auto db = parse_int(param.substr(3), 0, std::numeric_limits<int>::max(), "database", shown);
      if (!db) return db.error();
      url.db = *db;
    }
    return url;
  }

  // host: a name, an IPv4 address or [IPv6]; then an optional :port.
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("Redis URL \"" + shown + "\" has an unclosed '[' in its host");
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view tail = authority.substr(close + 1);
    if (!tail.empty() && !tail.starts_with(':')) {
      return bad("Redis URL \"" + shown + "\" has \"" + std::string(tail) + "\" after its host");
    }
    if (!tail.empty()) port_text = tail.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
      return bad("Redis URL \"" + shown + "\": write an IPv6 host in brackets, as in redis://[::1]:6379");
    }
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("Redis URL \"" + shown + "\" has no host");
  if (authority.ends_with(':') || !port_text.empty()) {
    auto port = parse_int(port_text, 1, 65535, "port", shown);
    if (!port) return port.error();
    url.port = *port;
  }
  if (after.find('?') != std::string_view::npos) {
    return bad("Redis URL \"" + shown + "\" has a query; redis:// URLs name the database as a path, as in /2");
  }
  if (after.size() > 1) {
    auto db = parse_int(after.substr(1), 0, std::numeric_limits<int>::max(), "database", shown);
    if (!db) return db.error();
    url.db = *db;
  }
  return url;
}

std::string RedisUrl::to_string() const {
  std::string out = transport == Transport::tcp ? "redis://" : "unix://";
  if (!password.empty()) out += percent_encode_user(user) + ":***@";
  if (transport == Transport::unix_socket) {
    out += path;
    if (db != 0) out += "?db=" + std::to_string(db);
    return out;
  }
  out += host.find(':') == std::string::npos ? host : "[" + host + "]";
  out += ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

}  // namespace gcra
