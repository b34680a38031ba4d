// RedisUrl: where a Redis server is and how to log in, parsed from a URL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gcra/result.hpp"

namespace gcra {

// A parsed Redis URL. A plain value; thread-safety: none needed.
//
//   redis://[[user]:password@]host[:port][/db]     TCP; port 6379, db 0 by default
//   unix://[[user]:password@]/path/to/socket[?db=N] a Unix domain socket
//
// host is a name, an IPv4 address or a bracketed IPv6 address ([::1]).
// user and password may be percent-encoded (%40 for '@'). A password alone
// (":password@") authenticates as the default user (AUTH password); a user
// with a password uses Redis 6 ACLs (AUTH user password).
struct RedisUrl {
  enum class Transport : std::uint8_t { tcp, unix_socket };

  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  // tcp only
  int port = 6379;                 // tcp only
  std::string path;                // unix_socket only
  std::string user;                // empty: the default user
  std::string password;            // empty: no AUTH
  int db = 0;                      // SELECTed after connecting when not 0

  // Errors (invalid_argument) quote the offending part; never the password.
  static Result<RedisUrl> parse(std::string_view text);

  // The URL back, with the password shown as "***": safe for logs.
  std::string to_string() const;
};

}  // namespace gcra
