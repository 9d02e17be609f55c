// RedisConnection against a scripted fake Redis (a unix socket speaking RESP, stepped from
// the test's own thread, so every interleaving is chosen by the test) and, for AUTH,
// against a real redis-server started with a password.
#include "redis_connection.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../fakes/run_coro.hpp"

namespace rinha {
namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string>;

std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

// A Redis that answers each complete command with `answer(connection, args)`, or leaves it
// unanswered when that returns nullopt. Nothing happens between two step() calls.
class FakeRedis {
 public:
  std::function<std::optional<std::string>(int, const Args&)> answer;

  explicit FakeRedis(const std::string& path) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ::unlink(path.c_str());
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 8) != 0) {
      throw std::runtime_error("fake redis: cannot listen on " + path);
    }
  }
  ~FakeRedis() {
    for (auto& c : conns_) if (c.fd >= 0) ::close(c.fd);
    ::close(listener_);
  }

  void step() {
    for (int fd; (fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) conns_.push_back({fd, {}});
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      if (c.fd < 0) continue;
      char buf[4096];
      for (;;) {
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) {
          c.in.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
          ::close(c.fd);
          c.fd = -1;
        }
        break;
      }
      Args args;
      while (c.fd >= 0 && parse(c.in, args)) {
        commands.push_back({static_cast<int>(i), args});
        if (auto reply = answer(static_cast<int>(i), args)) send_raw(static_cast<int>(i), *reply);
      }
    }
  }
  // Blocking send of raw bytes on connection `i`.
  void send_raw(int i, const std::string& bytes) {
    for (size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ::send(conns_[static_cast<size_t>(i)].fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (errno == EAGAIN) {
        pollfd p{conns_[static_cast<size_t>(i)].fd, POLLOUT, 0};
        ::poll(&p, 1, 100);
      } else {
        return;
      }
    }
  }
  int connections() const { return static_cast<int>(conns_.size()); }

  struct Seen {
    int connection;
    Args args;
  };
  std::vector<Seen> commands;

 private:
  struct Conn {
    int fd;
    std::string in;
  };
  // One RESP array of bulk strings from the front of `in`; false while incomplete.
  static bool parse(std::string& in, Args& out) {
    size_t pos = 0;
    auto line = [&](char type, long& value) {
      if (pos >= in.size() || in[pos] != type) return false;
      const auto end = in.find("\r\n", pos);
      if (end == std::string::npos) return false;
      value = std::stol(in.substr(pos + 1, end - pos - 1));
      pos = end + 2;
      return true;
    };
    long count = 0;
    if (!line('*', count)) return false;
    Args args;
    for (long k = 0; k < count; ++k) {
      long len = 0;
      if (!line('$', len) || in.size() < pos + static_cast<size_t>(len) + 2) return false;
      args.push_back(in.substr(pos, static_cast<size_t>(len)));
      pos += static_cast<size_t>(len) + 2;
    }
    in.erase(0, pos);
    out = std::move(args);
    return true;
  }

  int listener_ = -1;
  std::vector<Conn> conns_;
};

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rinha-redisconn-XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // Runs the client's event loop and the fake in turns until `done` (or 10 s: a failure).
  bool pump(boost::asio::io_context& io, FakeRedis& fake, const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      io.restart();
      io.run_for(1ms);
      fake.step();
    }
    return true;
  }

  std::string dir_;
};

// Issue #11 (b): a command times out, and the late reply to it is already read (in the same
// event-loop turn as the deadline) when the next command is issued. That reply must never
// be taken as the next command's: the connection of the timed-out command is dead, the
// next commands go to a fresh one, each reply is its own command's.
TEST_F(RedisConnectionTest, ALateReplyIsNeverMatchedToACommandIssuedAfterTheTimeout) {
  FakeRedis fake(dir_ + "/redis.sock");
  int stalled_on = -1;
  fake.answer = [&](int conn, const Args& a) -> std::optional<std::string> {
    if (a[0] == "AUTH") return a.size() == 2 && a[1] == "s3cret" ? "+OK\r\n" : "-WRONGPASS invalid password\r\n";
    if (a[0] == "ECHO") return bulk(a[1]);
    if (a[0] == "GET" && a[1] == "slow") {
      stalled_on = conn;
      return std::nullopt;  // answered late, below
    }
    return "-ERR unexpected\r\n";
  };
  boost::asio::io_context io;
  const auto timeout = 300ms;
  RedisConnection conn(io.get_executor(), RedisTarget{"", 0, dir_ + "/redis.sock", "s3cret"}, timeout, "test");
  conn.start();
  ASSERT_TRUE(pump(io, fake, [&] { return conn.connected(); }));

  RedisReply slow, after1, after2;
  bool connected_after_timeout = true, done = false;
  std::chrono::steady_clock::time_point issued;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        issued = std::chrono::steady_clock::now();
        slow = co_await conn.command("GET", "slow");
        connected_after_timeout = conn.connected();
        std::vector<std::string_view> echo1{"ECHO", "after-1"}, echo2{"ECHO", "after-2"};
        after1 = co_await conn.command_argv(echo1, 5s);
        after2 = co_await conn.command_argv(echo2, 5s);
        done = true;
      },
      boost::asio::detached);
  ASSERT_TRUE(pump(io, fake, [&] { return stalled_on >= 0; }));
  ASSERT_FALSE(done);
  // The late reply: bigger than one read of the client (16 KiB), sent while the client's
  // loop is held until past the deadline, so that its first part, the deadline and (read
  // at once when the reader re-arms) its rest are all ready in the same turn.
  fake.send_raw(stalled_on, bulk(std::string(20000, 'x')));
  std::this_thread::sleep_until(issued + timeout + 100ms);
  ASSERT_TRUE(pump(io, fake, [&] { return done; }));

  EXPECT_EQ(slow.type, RedisReply::Type::failure);
  EXPECT_FALSE(connected_after_timeout);
  EXPECT_EQ(after1.type, RedisReply::Type::string);
  EXPECT_TRUE(after1.str == "after-1") << "got " << after1.str.size() << " bytes: " << after1.str.substr(0, 20);
  EXPECT_EQ(after2.type, RedisReply::Type::string);
  EXPECT_TRUE(after2.str == "after-2") << "got " << after2.str.size() << " bytes: " << after2.str.substr(0, 20);
  // The commands after the timeout went to a new connection, which began with AUTH.
  ASSERT_EQ(fake.connections(), 2);
  std::vector<std::string> second;
  for (const auto& c : fake.commands)
    if (c.connection == 1) second.push_back(c.args[0] + (c.args.size() > 1 && c.args[0] == "ECHO" ? " " + c.args[1] : ""));
  EXPECT_EQ(second, (std::vector<std::string>{"AUTH", "ECHO after-1", "ECHO after-2"}));
  conn.stop();
  io.restart();
  io.poll();
}

// Against a real redis-server with requirepass: the right password serves commands, a
// wrong one never connects (every command fails) and says so.
TEST_F(RedisConnectionTest, AuthenticatesWithThePasswordWhenConnecting) {
  const std::string sock = dir_ + "/real.sock";
  const std::string cmd = "redis-server --port 0 --unixsocket " + sock + " --dir " + dir_ +
                          " --save '' --requirepass right-one --daemonize yes --pidfile " + dir_ +
                          "/redis.pid --logfile " + dir_ + "/redis.log";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string cli = "REDISCLI_AUTH=right-one redis-cli -s " + sock;
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    up = std::system((cli + " ping >/dev/null 2>&1").c_str()) == 0;
    if (!up) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(up) << "redis did not start";
  {
    boost::asio::io_context io;
    RedisConnection good(io.get_executor(), RedisTarget{"", 0, sock, "right-one"}, 1000ms, "good");
    good.start();
    auto r = testing::run_coro(io, good.command("PING"));
    EXPECT_EQ(r.type, RedisReply::Type::status);
    EXPECT_EQ(r.str, "PONG");
    EXPECT_TRUE(good.connected());
    good.stop();
    io.restart();
    io.poll();
  }
  {
    boost::asio::io_context io;
    RedisConnection bad(io.get_executor(), RedisTarget{"", 0, sock, "wrong-one"}, 300ms, "bad");
    bad.start();
    auto r = testing::run_coro(io, bad.command("PING"));
    EXPECT_EQ(r.type, RedisReply::Type::failure);
    EXPECT_FALSE(bad.connected());
    bad.stop();
    io.restart();
    io.poll();
  }
  std::system((cli + " shutdown nosave >/dev/null 2>&1").c_str());
}

}  // namespace
}  // namespace rinha
