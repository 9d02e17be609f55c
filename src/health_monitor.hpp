// Keeps this instance's Breaker colour current.
// Instance 1 (the owner) is the only caller of /payments/service-health in the whole system:
// it calls each processor at most once per HEALTH_INTERVAL (never under 5 s, the
// processors' rate limit), takes failure signals from its own workers and, through Redis,
// from instance 2's, decides the colour with decide_colour() and publishes it in Redis.
// Instance 2 (a follower) reads the colour from Redis every BREAKER_POLL.
#pragma once
#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <vector>

#include "breaker.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "processor_client.hpp"
#include "store.hpp"

namespace rinha {

class HealthMonitor {
 public:
  HealthMonitor(asio::any_io_executor ex, const Config& cfg, Store& store, ProcessorClient& def, ProcessorClient& fb,
                Breaker& breaker, const Clock& clock, Metrics& metrics);

  bool owner() const { return owner_; }
  void start();
  void stop();

  // Owner: a failure seen by a local worker (instance 2's arrive through Redis).
  void on_failure(const FailureSignal& signal);
  // Owner: a send a local worker saw stored. Only news while that processor is unhealthy.
  void on_success(const FailureSignal& signal);

  // One round of the loop; public so tests can drive it step by step.
  asio::awaitable<void> tick();
  // Owner: health-checks `p` now if the rate limit allows (awaits the answer).
  asio::awaitable<void> check(Processor p);
  const ProcessorView& view(Processor p) const { return views_[static_cast<int>(p)]; }

 private:
  asio::awaitable<void> loop();
  void apply_failure(const FailureSignal& signal);
  asio::awaitable<void> publish(Colour c, bool force);
  // Decides from the current views (tracking how long the default has been unhealthy).
  Colour decide();
  ProcessorClient& client(Processor p) { return p == Processor::fallback ? fb_ : def_; }

  asio::any_io_executor ex_;
  const Config& cfg_;
  Store& store_;
  ProcessorClient& def_;
  ProcessorClient& fb_;
  Breaker& breaker_;
  const Clock& clock_;
  Metrics& metrics_;
  bool owner_;
  bool stopped_ = false;
  asio::steady_timer timer_;
  std::array<ProcessorView, 3> views_{};
  std::array<int64_t, 3> last_call_ms_{INT64_MIN / 2, INT64_MIN / 2, INT64_MIN / 2};
  std::array<bool, 3> checking_{};
  std::vector<FailureSignal> local_signals_;
  int64_t last_publish_ms_ = INT64_MIN / 2;
  int64_t default_down_since_ms_ = -1;  // -1: the default is healthy
  RoutingPolicy policy_;
};

}  // namespace rinha
