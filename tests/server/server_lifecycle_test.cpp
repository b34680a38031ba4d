// End to end: the process around the API. Reloads, draining, the command
// line, and clients that are slow, idle or too many.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <thread>

#include "server/http_client.hpp"
#include "server/server_process.hpp"

namespace gcra::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

int remaining(int port, const std::string& policy, const std::string& key, const char* endpoint = "/v1/check") {
  const HttpReply reply = http_request(port, "POST", endpoint, R"({"policy":")" + policy + R"(","key":")" + key + R"("})");
  if (reply.status != 200) throw std::runtime_error(reply.body);
  return json::parse(reply.body)["remaining"].get<int>();
}

bool exited_cleanly(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

// Runs gcra-server with `args` to completion (it must exit by itself);
// returns {exit code, stdout and stderr}.
std::pair<int, std::string> run_server(const std::vector<std::string>& args) {
  TempDir dir;
  const std::string out = dir.file("out.log");
  std::vector<std::string> argv{server_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (std::string& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start gcra-server");
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      throw std::runtime_error("gcra-server did not exit by itself");
    }
    std::this_thread::sleep_for(5ms);
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out)};
}

TEST(ServerReload, SighupAppliesTheNewFileAndKeepsEveryKeysState) {
  ServerProcess server("policies:\n  api:\n    limits: \"10/minute\"\n");
  EXPECT_EQ(remaining(server.port(), "api", "user:1"), 9);
  EXPECT_EQ(remaining(server.port(), "api", "user:1"), 8);

  // Same policy name, a larger burst, and a new policy.
  server.write_config("policies:\n  api:\n    limits: \"10/minute burst 20\"\n  extra:\n    limits: \"1/second\"\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("reloaded")) << server.log();
  // The two requests already made still count against the key.
  EXPECT_EQ(remaining(server.port(), "api", "user:1"), 17);
  EXPECT_EQ(remaining(server.port(), "extra", "k"), 0);
  EXPECT_NE(http_request(server.port(), "GET", "/metrics").body.find("gcra_config_reloads_total{result=\"ok\"} 1"),
            std::string::npos);
}

TEST(ServerReload, ABrokenFileIsRejectedAndTheOldOneStaysInForce) {
  ServerProcess server("policies:\n  api:\n    limits: \"10/minute\"\n");
  EXPECT_EQ(remaining(server.port(), "api", "user:1"), 9);
  server.write_config("policies:\n  api:\n    limits: \"10/fortnight\"\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("reload rejected")) << server.log();
  EXPECT_NE(server.log().find("gcra.yaml:4: policies.api.limits:"), std::string::npos) << server.log();
  EXPECT_EQ(remaining(server.port(), "api", "user:1"), 8);
  EXPECT_NE(http_request(server.port(), "GET", "/metrics").body.find("gcra_config_reloads_total{result=\"rejected\"} 1"),
            std::string::npos);
  // A later good file is taken.
  server.write_config("policies:\n  api:\n    limits: \"10/minute\"\n  more:\n    limits: \"5/minute\"\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("reloaded")) << server.log();
  EXPECT_EQ(remaining(server.port(), "more", "k"), 4);
}

TEST(ServerDrain, SigtermFinishesTheRequestInFlightAndExitsZero) {
  ServerProcess server("policies:\n  api:\n    limits: \"10/minute\"\n");
  // An idle keep-alive connection, and one whose request is half sent.
  HttpClient idle(server.port());
  ASSERT_EQ(idle.get("/healthz").status, 200);
  RawConnection busy(server.port());
  const std::string body = R"({"policy":"api","key":"user:drain"})";
  ASSERT_TRUE(busy.send("POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body.substr(0, 10)));
  std::this_thread::sleep_for(200ms);  // let the server read the first part

  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_log("draining")) << server.log();
  ASSERT_TRUE(busy.send(body.substr(10)));
  bool closed = false;
  const std::string reply = busy.read_until_closed(10s, &closed);
  EXPECT_EQ(status_of(reply), 200) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
  EXPECT_NE(reply.find("\"remaining\":9"), std::string::npos);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(exited_cleanly(server.stop()));
  EXPECT_NE(server.log().find("stopped"), std::string::npos);
}

TEST(ServerDrain, NewConnectionsAreRefusedOnceDraining) {
  ServerProcess server("drain_timeout: 30s\nrequest_timeout: 2s\npolicies:\n  api:\n    limits: \"10/minute\"\n");
  RawConnection busy(server.port());  // keeps the drain waiting
  ASSERT_TRUE(busy.send("POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
  std::this_thread::sleep_for(200ms);
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_log("draining"));
  std::this_thread::sleep_for(200ms);
  EXPECT_THROW(http_request(server.port(), "GET", "/healthz"), std::exception);
  EXPECT_TRUE(exited_cleanly(server.stop()));
}

TEST(ServerLimits, ASlowClientIsCutOffAfterRequestTimeout) {
  ServerProcess server("request_timeout: 1s\npolicies:\n  api:\n    limits: \"10/minute\"\n");
  RawConnection slow(server.port());
  ASSERT_TRUE(slow.send("POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"po"));
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  (void)slow.read_until_closed(15s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 14s);
}

TEST(ServerLimits, AnIdleConnectionIsClosedAfterIdleTimeout) {
  ServerProcess server("idle_timeout: 1s\npolicies:\n  api:\n    limits: \"10/minute\"\n");
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  bool closed = false;
  const std::string reply = idle.read_until_closed(15s, &closed);
  EXPECT_EQ(status_of(reply), 200);
  EXPECT_TRUE(closed);
}

TEST(ServerLimits, ConnectionsBeyondTheCapAreAnswered503) {
  ServerProcess server("max_connections: 2\npolicies:\n  api:\n    limits: \"10/minute\"\n");
  // The start-up health check's connection may still be closing on the
  // server's side: wait until a connection sees itself as the only one.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (http_request(server.port(), "GET", "/metrics").body.find("gcra_connections_open 1\n") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(20ms);
  }
  std::unique_ptr<HttpClient> first;
  std::unique_ptr<HttpClient> second;
  while (true) {  // the probe's own connection may be closing too
    first = std::make_unique<HttpClient>(server.port());
    second = std::make_unique<HttpClient>(server.port());
    try {
      if (first->get("/healthz").status == 200 && second->get("/healthz").status == 200) break;
    } catch (const std::exception&) {
      // refused with 503 and closed: try again
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    first.reset();
    second.reset();
    std::this_thread::sleep_for(20ms);
  }
  RawConnection third(server.port());
  bool closed = false;
  const std::string reply = third.read_until_closed(10s, &closed);
  EXPECT_EQ(status_of(reply), 503) << reply;
  EXPECT_NE(reply.find("too_many_connections"), std::string::npos);
  EXPECT_TRUE(closed);
  EXPECT_EQ(first->get("/healthz").status, 200);
  EXPECT_NE(first->get("/metrics").body.find("gcra_connections_rejected_total"), std::string::npos);
  EXPECT_EQ(first->get("/metrics").body.find("gcra_connections_rejected_total 0"), std::string::npos);
}

TEST(ServerCommandLine, CheckConfigPrintsEveryProblemWithItsLine) {
  TempDir dir;
  write_file(dir.file("bad.yaml"), "listen: nowhere\npolicies:\n  api:\n    limits: \"10/minit\"\n    shadow: maybe\n");
  const auto [code, output] = run_server({"--check-config", dir.file("bad.yaml")});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("bad.yaml:1: listen:"), std::string::npos) << output;
  EXPECT_NE(output.find("bad.yaml:4: policies.api.limits:"), std::string::npos) << output;
  EXPECT_NE(output.find("bad.yaml:5: policies.api.shadow:"), std::string::npos) << output;
  EXPECT_NE(output.find("3 problems"), std::string::npos) << output;

  const auto [ok_code, ok_output] = run_server({"--check-config", GCRA_EXAMPLE_CONFIG});
  EXPECT_EQ(ok_code, 0) << ok_output;
  EXPECT_NE(ok_output.find("OK, 3 policies"), std::string::npos) << ok_output;
}

TEST(ServerCommandLine, ABadFileStopsTheStartWithItsProblems) {
  TempDir dir;
  write_file(dir.file("bad.yaml"), "policies:\n  api:\n    limits: \"-1/minute\"\n");
  const auto [code, output] = run_server({"--config", dir.file("bad.yaml")});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("bad.yaml:3: policies.api.limits:"), std::string::npos) << output;
}

TEST(ServerCommandLine, FlagsOverrideTheFile) {
  const int port = free_port();
  ServerProcess server("policies:\n  api:\n    limits: \"10/minute\"\n",
                       {"--listen", "127.0.0.1:" + std::to_string(port), "--store", "memory"}, port);
  EXPECT_EQ(http_request(port, "GET", "/healthz").status, 200);
  EXPECT_THROW(http_request(server.file_port(), "GET", "/healthz"), std::exception);
}

TEST(ServerCommandLine, MissingConfigIsAUsageError) {
  const auto [code, output] = run_server({});
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("--config"), std::string::npos);
}

}  // namespace
}  // namespace gcra::testing
