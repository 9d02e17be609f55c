// A private redis-server for a test, on the deployed deploy/redis.conf (the same maxmemory
// and policy as compose and the local stack), changed only in where it listens and writes,
// as scripts/stack.sh does.
#pragma once
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>

namespace rinha::testing {

class RedisServer {
 public:
  // Starts it in a fresh directory; ok() tells whether it answers. `password`: requirepass
  // (cli() and the checks here authenticate); `extra_args`: more redis-server options.
  explicit RedisServer(std::string password = {}, std::string extra_args = {})
      : password_(std::move(password)), extra_args_(std::move(extra_args)) {
    char tmpl[] = "/tmp/rinha-redis-XXXXXX";
    if (::mkdtemp(tmpl)) dir_ = tmpl;
    ok_ = !dir_.empty() && start();
  }
  ~RedisServer() {
    stop();
    if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool ok() const { return ok_; }
  std::string socket() const { return dir_ + "/redis.sock"; }
  const std::string& dir() const { return dir_; }

  bool start() {
    // Redis chdirs to `dir` as it reads it (/data does not exist here): that line is rewritten.
    const std::string cmd = "sed 's|^dir .*|dir " + dir_ + "|' " RINHA_SOURCE_DIR "/deploy/redis.conf >" + dir_ +
                            "/redis.conf && redis-server " + dir_ + "/redis.conf --port 0 --bind 127.0.0.1 --unixsocket " +
                            socket() + (password_.empty() ? "" : " --requirepass " + password_) + " " + extra_args_ +
                            " --daemonize yes --pidfile " + dir_ + "/redis.pid --logfile " + dir_ +
                            "/redis.log";
    if (std::system(cmd.c_str()) != 0) return false;
    for (int i = 0; i < 200; ++i) {
      if (std::system((redis_cli() + " ping >/dev/null 2>&1").c_str()) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void stop() {
    if (!dir_.empty()) std::system((redis_cli() + " shutdown nosave >/dev/null 2>&1").c_str());
  }
  std::string cli(const std::string& args) const {
    std::string out;
    FILE* f = ::popen((redis_cli() + " " + args).c_str(), "r");
    if (!f) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    ::pclose(f);
    return out;
  }
  // One field of INFO (e.g. "used_memory"), or -1.
  long long info_field(const std::string& section, const std::string& name) const {
    const std::string text = cli("INFO " + section);
    const auto at = text.find(name + ":");
    if (at == std::string::npos) return -1;
    return std::atoll(text.c_str() + at + name.size() + 1);
  }

 private:
  // redis-cli on this server, authenticated (REDISCLI_AUTH: the password stays off argv).
  std::string redis_cli() const {
    return (password_.empty() ? std::string() : "REDISCLI_AUTH=" + password_ + " ") + "redis-cli -s " + socket();
  }

  std::string password_, extra_args_;
  std::string dir_;
  bool ok_ = false;
};

}  // namespace rinha::testing
