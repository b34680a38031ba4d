// examples/hello_api behaves as its README says: the real binary, started
// on a free port, spoken to over loopback HTTP, stopped by PID.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "support/child_process.hpp"

namespace {

namespace fs = std::filesystem;

class HelloApi {
 public:
  explicit HelloApi(const std::vector<std::string>& extra_args = {}) {
    log_ = fs::temp_directory_path() / ("gcra_hello_api_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(counter_++) + ".log");
    fs::remove(log_);
    std::vector<std::string> argv{HELLO_API_PATH, "--port", "0"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    child_.start(argv, log_.string());
    // Generous: the machine may be loaded; this only waits for startup.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const std::string listening = "hello_api on http://127.0.0.1:";
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(log_);
      std::stringstream text;
      text << in.rdbuf();
      const std::string output = text.str();
      const auto at = output.find(listening);
      if (at != std::string::npos) port_ = std::atoi(output.c_str() + at + listening.size());
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (port_ == 0) throw std::runtime_error("hello_api did not start; see " + log_.string());
  }
  ~HelloApi() {
    child_.stop();
    fs::remove(log_);
  }

  httplib::Result get(const std::string& path, const std::string& user = {}) {
    httplib::Client client("127.0.0.1", port_);
    httplib::Headers headers;
    if (!user.empty()) headers.emplace("X-User-Id", user);
    return client.Get(path.c_str(), headers);
  }
  int stop() { return child_.stop(); }

 private:
  static inline int counter_ = 0;
  gcra::testing::ChildProcess child_;
  fs::path log_;
  int port_ = 0;
};

TEST(HelloApi, TheEleventhHelloOfAMinuteIsRefusedAsTheReadmeShows) {
  HelloApi api;
  for (int i = 0; i < 10; ++i) {
    auto r = api.get("/hello", "alice");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << i;
    EXPECT_EQ(r->body, "hello, alice\n");
  }
  auto refused = api.get("/hello", "alice");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->get_header_value("RateLimit-Policy"),
            R"("minute";q=100;w=60, "hello-minute";q=10;w=60)");
  EXPECT_NE(refused->get_header_value("RateLimit").find(R"("hello-minute";r=0;t=)"),
            std::string::npos);
  EXPECT_FALSE(refused->get_header_value("Retry-After").empty());
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/problem+json");

  EXPECT_EQ(api.get("/hello", "bob")->status, 200) << "other users have their own quota";
  auto index = api.get("/", "alice");
  EXPECT_EQ(index->status, 200) << "GET / is under the global policy only";
  EXPECT_EQ(index->get_header_value("RateLimit-Policy"), R"("minute";q=100;w=60)");
  auto anonymous = api.get("/hello");
  EXPECT_EQ(anonymous->status, 200) << "requests without a user are not limited";
  EXPECT_FALSE(anonymous->has_header("RateLimit"));
  EXPECT_EQ(api.stop(), 0) << "SIGTERM stops it cleanly";
}

TEST(HelloApi, TheGlobalPolicyCoversEveryRoute) {
  HelloApi api({"--global", "3/minute"});
  EXPECT_EQ(api.get("/", "carol")->status, 200);
  EXPECT_EQ(api.get("/", "carol")->status, 200);
  EXPECT_EQ(api.get("/hello", "carol")->status, 200);
  auto refused = api.get("/hello", "carol");
  EXPECT_EQ(refused->status, 429);
  // t = 20 s less the time the requests took (real clock): 20, or 19 on a
  // very slow machine.
  EXPECT_EQ(refused->get_header_value("RateLimit").rfind(R"("minute";r=0;t=)", 0), 0u);
}

TEST(HelloApi, WithoutLimitsNothingIsCounted) {
  HelloApi api({"--no-limit"});
  for (int i = 0; i < 12; ++i) {
    auto r = api.get("/hello", "alice");
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has_header("RateLimit"));
  }
}

TEST(HelloApi, RefusesAnInvalidPolicyNamingIt) {
  const std::string command = std::string(HELLO_API_PATH) + " --global 100/fortnight 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("fortnight"), std::string::npos) << output;
}

}  // namespace
