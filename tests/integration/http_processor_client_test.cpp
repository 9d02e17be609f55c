// HttpProcessorClient against a real payment-sim process, and against a scripted fake
// processor for what the simulator cannot be made to do (answer nothing on one connection).
#include "http_processor_client.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <atomic>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../fakes/run_coro.hpp"

namespace rinha {
namespace {

using testing::run_coro;

// Starts payment-sim on a free port with the given extra flags; stops it, and waits for it,
// on destruction. Spawned directly (no shell), so its pid is known before it prints anything:
// through `sh -c "... & echo $!"` the sim's "listening" line could come before the pid, and
// the sim, never killed, kept ctest waiting on its stderr until the test timed out.
class Sim {
 public:
  explicit Sim(std::vector<std::string> flags) {
    std::vector<std::string> args{RINHA_BUILD_DIR "/sim/payment-sim", "--port", "0", "--quiet"};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);  // dup2 clears CLOEXEC
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = 0;
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    pipe_ = ::fdopen(fds[0], "r");
    char line[128];
    while (pid_ > 0 && pipe_ && std::fgets(line, sizeof line, pipe_)) {
      if (std::sscanf(line, "listening port=%d", &port_) == 1) break;
    }
  }
  ~Sim() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (pipe_) std::fclose(pipe_);
  }
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;
  int port() const { return port_; }

 private:
  FILE* pipe_ = nullptr;
  pid_t pid_ = 0;
  int port_ = 0;
};

Payment payment(const char* id) {
  Payment p;
  p.id = *parse_correlation_id(id);
  p.amount_cents = 1990;
  p.requested_at_ms = 1752582896000;
  return p;
}

TEST(HttpProcessorClient, SendsClassifiesAndLooksUp) {
  Sim sim({});
  ASSERT_GT(sim.port(), 0);
  boost::asio::io_context io;
  HttpProcessorClient client(io.get_executor(), Endpoint{"", "127.0.0.1", std::to_string(sim.port())}, 4);
  const auto p = payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b1");
  EXPECT_EQ(run_coro(io, client.send(p, std::chrono::seconds(2))).kind, SendOutcome::Kind::stored);
  EXPECT_EQ(run_coro(io, client.send(p, std::chrono::seconds(2))).kind, SendOutcome::Kind::duplicate);
  auto found = run_coro(io, client.lookup(p.id, std::chrono::seconds(2)));
  EXPECT_EQ(found.kind, LookupResult::Kind::found);
  EXPECT_EQ(found.requested_at_ms, p.requested_at_ms);
  auto health = run_coro(io, client.health(std::chrono::seconds(2)));
  EXPECT_EQ(health.kind, HealthResult::Kind::ok);
  EXPECT_FALSE(health.failing);
}

TEST(HttpProcessorClient, AConnectionTheServerClosedWhileIdleIsNotAFailure) {
  Sim sim({"--idle-timeout-ms", "100"});
  ASSERT_GT(sim.port(), 0);
  boost::asio::io_context io;
  HttpProcessorClient client(io.get_executor(), Endpoint{"", "127.0.0.1", std::to_string(sim.port())}, 4);
  EXPECT_EQ(run_coro(io, client.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b2"), std::chrono::seconds(2))).kind,
            SendOutcome::Kind::stored);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the sim closes the pooled connection
  EXPECT_EQ(run_coro(io, client.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3"), std::chrono::seconds(2))).kind,
            SendOutcome::Kind::stored);
}

TEST(HttpProcessorClient, TimeoutIsInDoubtAndRefusedIsNotSent) {
  Sim sim({"--delay-ms", "500"});
  ASSERT_GT(sim.port(), 0);
  boost::asio::io_context io;
  HttpProcessorClient slow(io.get_executor(), Endpoint{"", "127.0.0.1", std::to_string(sim.port())}, 4);
  EXPECT_EQ(run_coro(io, slow.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b4"), std::chrono::milliseconds(100))).kind,
            SendOutcome::Kind::in_doubt);
  HttpProcessorClient nobody(io.get_executor(), Endpoint{"", "127.0.0.1", "1"}, 4);
  EXPECT_EQ(run_coro(io, nobody.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b5"), std::chrono::milliseconds(500))).kind,
            SendOutcome::Kind::not_sent);
}

// A processor that follows a script, one step per request it reads, on one connection at a
// time (the client under test uses one at a time): answer with a status (keep-alive), or
// read the request and reset the connection without answering (as a processor that got
// it and then went away: it may have stored it). `refuse_after_reset` also closes the
// listening socket before that reset, so the client's retry cannot connect.
class ScriptedProcessor {
 public:
  struct Step {
    int status = 0;                // 0: reset without answering
    bool refuse_after_reset = false;
  };
  explicit ScriptedProcessor(std::vector<Step> steps) : steps_(steps.begin(), steps.end()) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedProcessor() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    if (listener_ >= 0) ::close(listener_);
  }
  int port() const { return port_; }
  // Requests read so far (request line and body), in order.
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  // One request: headers up to the blank line, then Content-Length bytes. False at EOF.
  static bool read_request(int fd, std::string& buffer, std::string& request) {
    for (;;) {
      const auto end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        const auto cl = buffer.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(buffer.substr(cl + 16));
        if (buffer.size() >= end + 4 + length) {
          request = buffer.substr(0, buffer.find("\r\n")) + " " + buffer.substr(end + 4, length);
          buffer.erase(0, end + 4 + length);
          return true;
        }
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
  }
  void serve() {
    while (!steps_.empty()) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::string buffer, request;
      while (!steps_.empty() && read_request(fd, buffer, request)) {
        {
          std::lock_guard lock(mu_);
          requests_.push_back(request);
        }
        const Step step = steps_.front();
        steps_.pop_front();
        if (step.status == 0) {
          if (step.refuse_after_reset) {
            ::close(listener_);
            listener_ = -1;
          }
          linger hard{1, 0};  // close with RST, as a crashed or killed processor does
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
          break;
        }
        const std::string body = step.status == 200 ? R"({"message":"payment processed successfully"})" : "{}";
        const std::string res = "HTTP/1.1 " + std::to_string(step.status) + " X\r\nContent-Type: application/json\r\n" +
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        ::send(fd, res.data(), res.size(), MSG_NOSIGNAL);
      }
      ::close(fd);
      if (listener_ < 0) return;
    }
  }

  std::deque<Step> steps_;
  std::atomic<int> listener_{-1};
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

// Sends a first payment (answered 200, so its connection is pooled), then the payment under
// test, whose first attempt on that pooled connection is read and reset: the processor may
// have stored it. Returns the outcome of that second send.
SendOutcome::Kind second_send_outcome(std::vector<ScriptedProcessor::Step> after_reset, bool refuse = false) {
  std::vector<ScriptedProcessor::Step> steps{{200}, {0, refuse}};
  steps.insert(steps.end(), after_reset.begin(), after_reset.end());
  ScriptedProcessor proc(steps);
  boost::asio::io_context io;
  HttpProcessorClient client(io.get_executor(), Endpoint{"", "127.0.0.1", std::to_string(proc.port())}, 4);
  const auto first = run_coro(io, client.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c1"), std::chrono::seconds(5)));
  EXPECT_EQ(first.kind, SendOutcome::Kind::stored);
  const auto second = run_coro(io, client.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c2"), std::chrono::seconds(5)));
  const auto seen = proc.requests();
  // The payment under test reached the processor on the pooled connection, then once more
  // (unless the retry could not connect).
  EXPECT_EQ(seen.size(), refuse ? 2u : 3u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_NE(seen[i].find("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c2"), std::string::npos);
  return second.kind;
}

// Issue #11 (a): the retry's 500 says nothing about the first request, which the processor
// read and may have stored: reporting `rejected` lets the worker unpin the payment and pay
// it at the other processor as well (a double charge).
TEST(HttpProcessorClientRetry, A500OnTheRetryAfterAnUnansweredRequestIsInDoubt) {
  EXPECT_EQ(second_send_outcome({{500}}), SendOutcome::Kind::in_doubt);
}

TEST(HttpProcessorClientRetry, ARetryThatCannotConnectAfterAnUnansweredRequestIsInDoubt) {
  EXPECT_EQ(second_send_outcome({}, /*refuse=*/true), SendOutcome::Kind::in_doubt);
}

TEST(HttpProcessorClientRetry, A429OnTheRetryAfterAnUnansweredRequestIsInDoubt) {
  EXPECT_EQ(second_send_outcome({{429}}), SendOutcome::Kind::in_doubt);
}

// A definite answer on the retry settles it either way.
TEST(HttpProcessorClientRetry, ADefiniteAnswerOnTheRetryIsStoredOrDuplicate) {
  EXPECT_EQ(second_send_outcome({{200}}), SendOutcome::Kind::stored);
  EXPECT_EQ(second_send_outcome({{422}}), SendOutcome::Kind::duplicate);
}

}  // namespace
}  // namespace rinha
