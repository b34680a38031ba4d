#include "http_response.hpp"

#include <boost/beast/http/status.hpp>

#include <cstdio>
#include <ctime>

namespace gcra::server {

namespace {

// The Date field, formatted once per second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[64];
  thread_local std::size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached_second = now;
  }
  return {text, length};
}

}  // namespace

void serialize_response(const Response& response, bool keep_alive, bool http10, bool head_request,
                        std::string& out) {
  namespace bhttp = boost::beast::http;
  out.clear();
  out.append("HTTP/1.1 ").append(std::to_string(response.status)).push_back(' ');
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
  out.append(reason.data(), reason.size()).append("\r\nServer: gcra-server\r\nDate: ");
  out.append(http_date()).append("\r\n");
  if (!response.content_type.empty()) {
    out.append("Content-Type: ").append(response.content_type).append("\r\n");
  }
  out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (http10) {
    out.append("Connection: keep-alive\r\n");
  }
  for (const http::HeaderField& field : response.headers) {
    out.append(field.name).append(": ").append(field.value).append("\r\n");
  }
  out.append("\r\n");
  if (!head_request) out.append(response.body);
}

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  Response response;
  response.status = status;
  response.body.reserve(32 + code.size() + message.size());
  response.body.append("{\"error\":");
  append_json_string(response.body, code);
  response.body.append(",\"message\":");
  append_json_string(response.body, message);
  response.body.append("}");
  return response;
}

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t plain = 0;  // start of the run of characters that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;  // UTF-8 passes through
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
        out.append(escaped);
      }
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out.push_back('"');
}

}  // namespace gcra::server
