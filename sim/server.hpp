// The simulator's sockets: a single-threaded Asio io_context, one coroutine per
// keep-alive connection (Beast HTTP/1.1), request handling delegated to handlers.hpp.
// Invariant: a payment's delay and store happen in their own coroutine step and are
// never cancelled by the client going away; only shutdown abandons them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "admission.hpp"
#include "handlers.hpp"
#include "log.hpp"
#include "options.hpp"
#include "rate_limiter.hpp"

namespace sim {

// Milliseconds of a monotonic clock; injected so the health limiter can be tested.
using SteadyClockMs = std::function<int64_t()>;
int64_t steady_now_ms();

class SimServer {
 public:
  // Binds and listens (throws on failure: start-up only).
  explicit SimServer(const SimOptions& options);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  uint16_t port() const { return port_; }
  boost::asio::io_context& context() { return io_; }

  // Serves until stop(); call from one thread.
  void run();
  // Thread-safe: closes the listener and stops the loop.
  void stop();

  // For tests, from another thread while run() is serving: the admission counters.
  struct AdmissionCounts {
    size_t active = 0;
    size_t waiting = 0;
  };
  AdmissionCounts admission_counts();

 private:
  struct SlotGuard;

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<SimReply> run_payment(PaymentRecord record);
  boost::asio::awaitable<SimReply> run_health();

  SimOptions options_;
  SimLog log_;
  SimState state_;
  AdmissionGate gate_;
  HealthRateLimiter limiter_;
  SteadyClockMs clock_ms_;
  bool shutting_down_ = false;
  uint16_t port_ = 0;
  // Declared after the state: destroying io_ destroys suspended coroutines, whose
  // guards must still find gate_ alive (they see shutting_down_ and do nothing).
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  // Payments waiting for an admission slot, oldest first; each is woken by cancel().
  std::deque<std::shared_ptr<boost::asio::steady_timer>> slot_waiters_;
};

}  // namespace sim
