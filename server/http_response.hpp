// A response as the API builds it, and its HTTP/1.1 wire form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gcra/http/headers.hpp"

namespace gcra::server {

// Thread-safety: a plain value.
struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";  // omitted when empty
  std::vector<http::HeaderField> headers;          // extra fields, in order
  std::string body;
};

// Writes `response` as HTTP/1.1 into `out` (replacing its contents): status
// line, Date, Content-Type, Content-Length, Connection when it is not the
// protocol's default, the extra fields, and the body unless `head_request`.
void serialize_response(const Response& response, bool keep_alive, bool http10, bool head_request,
                        std::string& out);

// {"error": code, "message": message}: every 4xx/5xx the server makes.
Response error_response(unsigned status, std::string_view code, std::string_view message);

// Appends `text` to `out` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

}  // namespace gcra::server
