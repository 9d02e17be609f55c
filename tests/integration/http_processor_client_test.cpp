// HttpProcessorClient against a real payment-sim process.
#include "http_processor_client.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <thread>

#include "../fakes/run_coro.hpp"

namespace rinha {
namespace {

using testing::run_coro;

// Starts payment-sim on a free port with the given extra flags; kills it on destruction.
class Sim {
 public:
  explicit Sim(const std::string& flags) {
    const std::string cmd = std::string(RINHA_BUILD_DIR "/sim/payment-sim --port 0 --quiet ") + flags + " & echo $!";
    pipe_ = ::popen(cmd.c_str(), "r");
    char line[128];
    while (pipe_ && std::fgets(line, sizeof line, pipe_)) {
      int v = 0;
      if (std::sscanf(line, "listening port=%d", &v) == 1) {
        port_ = v;
        break;
      }
      if (pid_ == 0) pid_ = std::atoi(line);
    }
  }
  ~Sim() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    if (pipe_) ::pclose(pipe_);
  }
  int port() const { return port_; }

 private:
  FILE* pipe_ = nullptr;
  int pid_ = 0;
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
  Sim sim("");
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
  Sim sim("--idle-timeout-ms 100");
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
  Sim sim("--delay-ms 500");
  ASSERT_GT(sim.port(), 0);
  boost::asio::io_context io;
  HttpProcessorClient slow(io.get_executor(), Endpoint{"", "127.0.0.1", std::to_string(sim.port())}, 4);
  EXPECT_EQ(run_coro(io, slow.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b4"), std::chrono::milliseconds(100))).kind,
            SendOutcome::Kind::in_doubt);
  HttpProcessorClient nobody(io.get_executor(), Endpoint{"", "127.0.0.1", "1"}, 4);
  EXPECT_EQ(run_coro(io, nobody.send(payment("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b5"), std::chrono::milliseconds(500))).kind,
            SendOutcome::Kind::not_sent);
}

}  // namespace
}  // namespace rinha
