// Keeps this instance's Breaker colour current.
// The health owner is whichever instance holds the health lease in Redis (expiry, renewed
// every 500 ms; any instance takes it within 2 s of the owner's death: the others try it
// every 250 ms once the owner's record is late, every second while it is on time). It is the only
// caller of /payments/service-health, at most once per HEALTH_INTERVAL per processor for
// the whole system (each call is reserved in Redis first, so a takeover cannot call
// early); it takes failure signals from its own workers and, through Redis, from the
// others', decides the colour with decide_colour() and publishes it as a routing record
// (colour, when, the evidence). A new owner adopts the record's evidence and down-since,
// so a DEFAULT_OUTAGE_WAIT in progress goes on counting.
// A listener waits in Redis for news (wait_signals as the owner, wait_routing as a
// follower) and wakes the loop when some arrives, so an idle system makes about one call
// per second per instance instead of one per BREAKER_POLL; without it (tests that drive
// tick() alone) or while it waits for the other role's news, tick() polls as before.
// Followers use the newest record (heard, or read every BREAKER_POLL) while it is fresh
// (kRoutingStaleMs); with no fresh decision (no owner, Redis unreachable) they decide on
// their own evidence, their workers' sends, never on a frozen colour.
#pragma once
#include <array>
#include <optional>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>
#include <vector>

#include "breaker.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "processor_client.hpp"
#include "router_parts.hpp"
#include "routing_state.hpp"

namespace rinha {

// The health lease: how long it lasts unrenewed, and how often it is renewed or tried.
constexpr int64_t kLeaseTtlMs = 1500;
constexpr int64_t kLeaseRenewMs = 500;      // the owner's renewal
constexpr int64_t kLeaseTryMs = 250;        // a follower's try once the owner's record is late
constexpr int64_t kLeaseIdleTryMs = 1000;   // a follower's try while the record is on time
// How long the listener waits in Redis per call (the idle system's call rate).
constexpr int64_t kListenWaitMs = 1000;

class HealthMonitor {
 public:
  HealthMonitor(const RouterParts& parts, RoutingState& routing);

  bool owner() const { return owner_; }
  void start();
  void stop();

  // A failure seen by a local worker: evidence here, and for the owner (through Redis,
  // at most one per processor per BREAKER_POLL, when this instance is not the owner).
  void on_failure(const FailureSignal& signal);
  // A send a local worker saw stored. Only news while that processor is unhealthy.
  void on_success(const FailureSignal& signal);

  // One round of the loop; public so tests can drive it step by step.
  asio::awaitable<void> tick();
  // Owner: health-checks `p` now if the rate limit allows (awaits the answer).
  asio::awaitable<void> check(Processor p);
  const ProcessorView& view(Processor p) const { return views_[static_cast<int>(p)]; }

 private:
  asio::awaitable<void> loop();
  // Waits in Redis for the owner's signals or a follower's record (see above).
  asio::awaitable<void> listen();
  // Takes or renews the health lease when due; sets owner_.
  asio::awaitable<void> keep_lease();
  // Just became the owner: the previous owner's evidence and down-since become ours.
  asio::awaitable<void> adopt_published();
  asio::awaitable<void> follow();
  void apply_failure(const FailureSignal& signal);
  asio::awaitable<void> publish(Colour c, bool force);
  void set_colour(Colour c, const char* source);
  // Decides from the current views (tracking how long the default has been unhealthy).
  Colour decide();

  RouterParts parts_;
  RoutingState& routing_;
  const std::string holder_;  // this process's name on the lease
  bool owner_ = false;
  bool stopped_ = false;
  bool stale_ = false;  // follower: deciding on its own evidence
  asio::steady_timer timer_;
  asio::steady_timer listen_pause_;  // the listener's pause after an empty quick answer
  enum class Listening { none, signals, routing };
  Listening listening_ = Listening::none;  // what the listener waits for now
  std::string routing_cursor_;             // wait_routing()'s place
  std::optional<RoutingRecord> heard_;     // the newest record the listener heard
  int64_t record_decided_ms_ = INT64_MIN / 2;  // follower: when the newest record it saw was decided
  std::array<ProcessorView, 3> views_{};
  std::array<int64_t, 3> last_call_ms_{INT64_MIN / 2, INT64_MIN / 2, INT64_MIN / 2};
  std::array<bool, 3> checking_{};
  std::array<int64_t, 3> last_remote_signal_ms_{INT64_MIN / 2, INT64_MIN / 2, INT64_MIN / 2};
  std::vector<FailureSignal> local_signals_;  // this instance's, and the listener's from Redis
  int64_t last_publish_ms_ = INT64_MIN / 2;
  int64_t last_lease_try_ms_ = INT64_MIN / 2;
  int64_t lease_confirmed_ms_ = INT64_MIN / 2;
  int64_t default_down_since_ms_ = -1;  // -1: the default is healthy
  RoutingPolicy policy_;
};

}  // namespace rinha
