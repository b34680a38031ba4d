// End to end behind a real nginx: auth_request asks gcra-server's
// forward-auth before proxying to a static upstream; the 403 that nginx's
// auth_request can pass on becomes a 429 for the client (docs/nginx.md).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "server/http_client.hpp"
#include "server/server_process.hpp"

namespace gcra::testing {
namespace {

using namespace std::chrono_literals;

// The configuration docs/nginx.md shows, with test ports and paths.
std::string nginx_config(const std::string& dir, int port, int upstream_port, int gcra_port) {
  std::string c = R"(
worker_processes 1;
pid DIR/nginx.pid;
error_log DIR/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path DIR/tmp/body;
  proxy_temp_path DIR/tmp/proxy;
  fastcgi_temp_path DIR/tmp/fastcgi;
  uwsgi_temp_path DIR/tmp/uwsgi;
  scgi_temp_path DIR/tmp/scgi;

  # The application: a static file server standing in for a real upstream.
  server {
    listen 127.0.0.1:UPSTREAM_PORT;
    root DIR/www;
  }

  server {
    listen 127.0.0.1:PORT;

    location / {
      auth_request /_gcra;
      # Pass gcra's headers on to the client, allowed or denied.
      auth_request_set $gcra_ratelimit $upstream_http_ratelimit;
      auth_request_set $gcra_ratelimit_policy $upstream_http_ratelimit_policy;
      auth_request_set $gcra_retry_after $upstream_http_retry_after;
      add_header RateLimit $gcra_ratelimit always;
      add_header RateLimit-Policy $gcra_ratelimit_policy always;
      # auth_request passes on only 2xx, 401 and 403: gcra answers 403
      # (deny_status: 403) and nginx turns it into a 429 here.
      error_page 403 = @gcra_denied;
      proxy_pass http://127.0.0.1:UPSTREAM_PORT;
    }

    location = /_gcra {
      internal;
      proxy_pass http://127.0.0.1:GCRA_PORT/v1/forward-auth/api;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }

    location @gcra_denied {
      default_type application/json;
      add_header Retry-After $gcra_retry_after always;
      add_header RateLimit $gcra_ratelimit always;
      add_header RateLimit-Policy $gcra_ratelimit_policy always;
      return 429 '{"error":"rate_limited","retry_after":"$gcra_retry_after"}';
    }
  }
}
)";
  const auto replace_all = [&c](const std::string& from, const std::string& to) {
    for (std::size_t at = c.find(from); at != std::string::npos; at = c.find(from, at + to.size())) {
      c.replace(at, from.size(), to);
    }
  };
  replace_all("UPSTREAM_PORT", std::to_string(upstream_port));
  replace_all("GCRA_PORT", std::to_string(gcra_port));
  replace_all("PORT", std::to_string(port));
  replace_all("DIR", dir);
  return c;
}

// Debian's nginx in the foreground, on free ports, in its own directory.
class Nginx {
 public:
  explicit Nginx(int gcra_port) : port_(free_port()), upstream_port_(free_port()) {
    // The worker may run as nobody: it must be able to read the files.
    ::chmod(dir_.path().c_str(), 0755);
    std::filesystem::create_directories(dir_.file("www"));
    std::filesystem::create_directories(dir_.file("tmp"));
    ::chmod(dir_.file("www").c_str(), 0755);
    ::chmod(dir_.file("tmp").c_str(), 0777);
    write_file(dir_.file("www/index.html"), "hello from the app\n");
    ::chmod(dir_.file("www/index.html").c_str(), 0644);
    write_file(dir_.file("nginx.conf"), nginx_config(dir_.path(), port_, upstream_port_, gcra_port));
    process_.start({"nginx", "-p", dir_.path(), "-c", dir_.file("nginx.conf"), "-g", "daemon off;"},
                   dir_.file("nginx.out"));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      try {
        http_request(upstream_port_, "GET", "/index.html");
        return;
      } catch (const std::exception&) {
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error("nginx did not start: " + read_file(dir_.file("nginx.out")) +
                                   read_file(dir_.file("error.log")));
        }
        std::this_thread::sleep_for(10ms);
      }
    }
  }
  ~Nginx() { process_.stop(SIGQUIT); }
  int port() const noexcept { return port_; }

 private:
  int port_;
  int upstream_port_;
  TempDir dir_;
  ChildProcess process_;
};

TEST(ServerBehindNginx, TheHundredAndFirstRequestOfAUserInAMinuteGets429) {
  // 100/minute refills one request every 0.6 s; the hour rate (one every
  // 36 s) keeps the 101st denied however slowly this machine sends 100.
  ServerProcess gcra(R"(
policies:
  api:
    limits: "100/minute;100/hour"
    identity: header:X-User-Id
    deny_status: 403
)");
  Nginx nginx(gcra.port());
  HttpClient alice(nginx.port());
  for (int i = 1; i <= 100; ++i) {
    const HttpReply reply = alice.get("/index.html", {{"X-User-Id", "alice"}});
    ASSERT_EQ(reply.status, 200) << "request " << i << ": " << reply.body;
    ASSERT_EQ(reply.body, "hello from the app\n");
    ASSERT_NE(reply.header("ratelimit").find(";r=" + std::to_string(100 - i) + ";"), std::string::npos)
        << reply.header("ratelimit");
  }
  const HttpReply denied = alice.get("/index.html", {{"X-User-Id", "alice"}});
  EXPECT_EQ(denied.status, 429) << denied.body;
  const int retry_after = std::stoi(denied.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 36);
  EXPECT_EQ(denied.header("ratelimit-policy"), "\"minute\";q=100;w=60, \"hour\";q=100;w=3600");
  EXPECT_NE(denied.body.find("rate_limited"), std::string::npos);

  // Another user is not affected; the upstream never saw alice's 101st.
  EXPECT_EQ(http_request(nginx.port(), "GET", "/index.html", {}, {{"X-User-Id", "bob"}}).status, 200);
  const std::string metrics = http_request(gcra.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("gcra_decisions_total{policy=\"api\",outcome=\"denied\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gcra_decisions_total{policy=\"api\",outcome=\"allowed\"} 101"), std::string::npos);
}

}  // namespace
}  // namespace gcra::testing
