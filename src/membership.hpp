// Membership and takeover: nothing depends on one instance staying alive.
// Every instance renews its heartbeat in Redis (alive:<n>, expiry kHeartbeatTtlMs) every
// kHeartbeatMs, and every kClaimMs claims the work of any instance whose heartbeat has
// expired: that instance's queue and its processing list go, in one script, to the head of
// this instance's queue, each payment with its pin (processor, requestedAt, in doubt), so a
// taken-over payment in doubt is retried only on its processor, like a restart's recovery.
// An instance that finds its own heartbeat expired (it was cut off from Redis for longer
// than the expiry) may have lost its work to another: its own settles of those payments
// then find them gone from its processing list: a requeue changes nothing, and a record
// counts once (the ledger is keyed by payment; the claimer's retry on the pinned processor
// gets a 422 and records the same entry). It counts a lapse.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

#include "clock.hpp"
#include "metrics.hpp"
#include "membership_store.hpp"

namespace rinha {

constexpr int64_t kHeartbeatMs = 500;
constexpr int64_t kHeartbeatTtlMs = 3000;
constexpr int64_t kClaimMs = 1000;

class Membership {
 public:
  // `on_claimed`: payments were moved to this instance's queue (wake the feeder).
  Membership(asio::any_io_executor ex, MembershipStore& store, const Clock& clock, Metrics& metrics,
             std::function<void()> on_claimed);
  void start();
  void stop();
  // One heartbeat and, when due, one claim; public so tests can drive it step by step.
  asio::awaitable<void> tick();

 private:
  asio::awaitable<void> loop();

  MembershipStore& store_;
  const Clock& clock_;
  Metrics& metrics_;
  std::function<void()> on_claimed_;
  asio::steady_timer timer_;
  bool stopped_ = false;
  bool registered_ = false;  // a heartbeat has succeeded since start
  int64_t last_claim_ms_ = INT64_MIN / 2;
};

}  // namespace rinha
