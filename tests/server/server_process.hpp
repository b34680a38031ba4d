// gcra-server started by a test: its own temporary directory and config
// file, a free loopback port, stopped by PID.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server/http_client.hpp"
#include "support/child_process.hpp"
#include "support/free_port.hpp"

namespace gcra::testing {

// GCRA_SERVER_BINARY is defined by tests/server/CMakeLists.txt.
inline std::string server_binary() { return GCRA_SERVER_BINARY; }

// A directory removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/gcra-server-test-XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Thread-safety: owned by one test.
class ServerProcess {
 public:
  // `yaml` is the config without `listen:`, which is added on a free port.
  // `listen_port`: where the server really listens, when `extra_args` say
  // otherwise than the file (--listen).
  explicit ServerProcess(const std::string& yaml, std::vector<std::string> extra_args = {}, int listen_port = 0)
      : file_port_(free_port()), port_(listen_port != 0 ? listen_port : file_port_) {
    for (int attempt = 1;; ++attempt) {
      write_config(yaml);
      std::vector<std::string> argv{server_binary(), "--config", config_path()};
      argv.insert(argv.end(), extra_args.begin(), extra_args.end());
      process_.start(argv, log_path());
      if (wait_until_listening()) break;
      // Another test took the port between free_port() and our bind: retry.
      if (attempt == 3 || listen_port != 0) throw std::runtime_error("gcra-server could not listen; its log:\n" + log());
      file_port_ = port_ = free_port();
      std::filesystem::remove(log_path());
    }
    wait_until_healthy();
  }

  // SIGTERM; a server that does not exit 0 (a crash, a sanitizer report)
  // fails the test that owned it.
  ~ServerProcess() {
    if (!process_.running()) return;
    const int status = process_.stop(SIGTERM, std::chrono::seconds(20));
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      ADD_FAILURE() << "gcra-server did not exit cleanly (wait status " << status << "); its log:\n" << log();
    }
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const noexcept { return port_; }
  int file_port() const noexcept { return file_port_; }
  pid_t pid() const noexcept { return process_.pid(); }
  std::string config_path() const { return dir_.file("gcra.yaml"); }
  std::string log_path() const { return dir_.file("server.log"); }
  std::string log() const { return read_file(log_path()); }
  const TempDir& dir() const noexcept { return dir_; }

  // Replaces the config file (listen: kept) without telling the server.
  void write_config(const std::string& yaml) {
    write_file(config_path(), "listen: 127.0.0.1:" + std::to_string(file_port_) + "\n" + yaml);
  }
  void signal(int sig) const { ::kill(process_.pid(), sig); }

  // Waits until the log contains `text` (true) or `timeout` passes.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (log().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  // SIGTERM, then the wait status (SIGKILL after `grace`).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(20)) { return process_.stop(SIGTERM, grace); }

 private:
  // Until this process logs that it listens (true), or exits because the
  // port is taken (false). Another test's server may answer on a port we
  // were given too, so a health check alone proves nothing.
  bool wait_until_listening() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const std::string listening = "listening on http://127.0.0.1:" + std::to_string(port_) + " ";
    for (;;) {
      const std::string text = log();
      if (text.find(listening) != std::string::npos) return true;
      // WNOWAIT: look without reaping, so the PID stays ours until stop().
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(process_.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == process_.pid()) {
        process_.stop();  // reaps it
        if (text.find("cannot listen") != std::string::npos) return false;
        throw std::runtime_error("gcra-server exited at start; its log:\n" + text);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("gcra-server did not start listening; its log:\n" + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  void wait_until_healthy() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      try {
        if (http_request(port_, "GET", "/healthz").status == 200) return;
      } catch (const std::exception&) {
        // not accepting yet
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("gcra-server did not answer /healthz; its log:\n" + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  int file_port_;
  int port_;
  TempDir dir_;
  ChildProcess process_;
};

}  // namespace gcra::testing
