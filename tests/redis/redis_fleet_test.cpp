// A fleet sharing one Redis: separate processes, each with several threads,
// admit exactly what the policy allows; hosts whose clocks disagree by
// minutes still agree, because "now" is Redis's.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "redis/redis_test_util.hpp"

namespace gcra::testing {
namespace {

using namespace std::chrono_literals;

// Runs the helper client to completion (at most 60 s) and returns its
// output. `env` adds NAME=value entries to this process's environment.
std::string run_client(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  char dir_template[] = "/tmp/gcra-fleet-XXXXXX";
  if (!::mkdtemp(dir_template)) throw std::runtime_error("mkdtemp failed");
  const std::string log = std::string(dir_template) + "/out.txt";
  std::vector<std::string> argv = {GCRA_REDIS_TEST_CLIENT};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> argp;
  for (std::string& a : argv) argp.push_back(a.data());
  argp.push_back(nullptr);
  // This process's environment with `env` applied; ASAN_OPTIONS are added to.
  std::vector<std::string> entries;
  for (char** e = environ; *e; ++e) entries.emplace_back(*e);
  for (const std::string& add : env) {
    const std::string name = add.substr(0, add.find('=') + 1);
    auto same = std::find_if(entries.begin(), entries.end(), [&](const std::string& e) { return e.starts_with(name); });
    if (same == entries.end()) {
      entries.push_back(add);
    } else if (name == "ASAN_OPTIONS=") {
      *same += ":" + add.substr(name.size());
    } else {
      *same = add;
    }
  }
  std::vector<char*> envp;
  for (std::string& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);  // not reaped yet: the pid is still our child's
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "client did not finish in 60 s";
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  std::ifstream in(log);
  std::stringstream out;
  out << in.rdbuf();
  std::filesystem::remove_all(dir_template);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out.str();
  return out.str();
}

// "name value" pairs of the client's output line.
long long field(const std::string& line, const std::string& name) {
  const std::size_t at = line.find(name + " ");
  if (at == std::string::npos) {
    ADD_FAILURE() << "no " << name << " in: " << line;
    return -1;
  }
  return std::stoll(line.substr(at + name.size() + 1));
}

// Starts `processes` clients of `threads` threads each, all hammering one
// key at once, and returns the total admitted.
long long hammer(const std::string& prefix, const std::string& policy, int processes, int threads, int attempts) {
  std::vector<std::thread> runners;
  std::vector<std::string> outputs(static_cast<std::size_t>(processes));
  for (int p = 0; p < processes; ++p) {
    runners.emplace_back([&, p] {
      outputs[static_cast<std::size_t>(p)] =
          run_client({"hammer", shared_redis().url(), prefix, policy, "shared-key", std::to_string(threads),
                      std::to_string(attempts)});
    });
  }
  for (std::thread& t : runners) t.join();
  long long admitted = 0;
  for (const std::string& out : outputs) {
    EXPECT_EQ(field(out, "errors"), 0) << out;
    admitted += field(out, "admitted");
  }
  return admitted;
}

TEST(RedisFleet, FourProcessesOfFourThreadsAdmitExactlyTheBurst) {
  const std::string prefix = unique_prefix();
  // 100/hour: T = 36 s, far longer than the test, so nothing refills.
  EXPECT_EQ(hammer(prefix, "100/hour", 4, 4, 50), 100);

  auto store = connect_or_die(test_options(shared_redis().url(), prefix));
  const Decision after = store->apply(Policy::parse("100/hour").value(), "shared-key", 1, Mode::peek).value();
  EXPECT_FALSE(after.allowed);
  EXPECT_EQ(after.remaining, 0u);
}

TEST(RedisFleet, ThreeRatePolicyAdmitsExactlyItsTightestRateAndDeniedRequestsTakeNothing) {
  const std::string prefix = unique_prefix();
  const std::string text = "100/hour;40/day;1000/week";  // 40/day binds
  EXPECT_EQ(hammer(prefix, text, 4, 4, 50), 40);

  auto store = connect_or_die(test_options(shared_redis().url(), prefix));
  const Decision after = store->apply(Policy::parse(text).value(), "shared-key", 1, Mode::peek).value();
  ASSERT_EQ(after.rate_count, 3);
  EXPECT_EQ(after.rate_index, 1);
  EXPECT_EQ(after.rates[0].remaining, 60u) << "760 denied requests took nothing from the hourly rate";
  EXPECT_EQ(after.rates[2].remaining, 960u);
}

TEST(RedisFleet, HostsWhoseClocksDifferByMinutesAgree) {
  const std::string prefix = unique_prefix();
  const std::vector<std::string> check = {"check", shared_redis().url(), prefix, "2/minute", "k"};
  auto skewed = [&](int seconds) {
    return run_client(check, {std::string("LD_PRELOAD=") + GCRA_CLOCK_SKEW_LIB, "GCRA_TEST_CLOCK_SKEW_S=" + std::to_string(seconds),
                              "ASAN_OPTIONS=verify_asan_link_order=0"});
  };
  const std::string ahead = skewed(300);    // 5 minutes fast
  const std::string behind = skewed(-300);  // 5 minutes slow
  const std::string ahead_again = skewed(300);
  // The shim did move the hosts' clocks apart...
  EXPECT_GE(field(ahead, "host_unix_s") - field(behind, "host_unix_s"), 590);
  // ...yet the decisions follow one clock: T = 30 s, burst 2.
  EXPECT_EQ(field(ahead, "allowed"), 1);
  EXPECT_EQ(field(ahead, "remaining"), 1);
  EXPECT_EQ(field(behind, "allowed"), 1);
  EXPECT_EQ(field(behind, "remaining"), 0);
  const long long reset = field(behind, "reset_after_ns");
  EXPECT_GT(reset, 50'000'000'000) << "two requests booked, less the time between them";
  EXPECT_LE(reset, 60'000'000'000);
  EXPECT_EQ(field(ahead_again, "allowed"), 0);
  const long long retry = field(ahead_again, "retry_after_ns");
  EXPECT_GT(retry, 20'000'000'000);
  EXPECT_LE(retry, 30'000'000'000);
}

}  // namespace
}  // namespace gcra::testing
