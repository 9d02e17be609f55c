// The workers: move payments from this instance's queue to a processor, exactly once.
// A feeder takes payments (queue -> processing list, pinned to the breaker's processor with
// requestedAt and in_doubt, in one atomic step) while fewer than WORKERS are in flight and
// the breaker is not RED; each taken payment is sent by its own coroutine:
//   200/422 -> record in the ledger with the pinned requestedAt (atomically leaving the
//             processing list).
//   5XX/429/refused -> this call stored nothing: if no earlier call is in doubt, unpin
//             (free to go elsewhere); signal the breaker; back to the head after a backoff.
//   timeout / broken connection after sending -> in doubt: stays pinned to that processor
//             with the same requestedAt; only a 200 or 422 from it settles the payment (or a
//             lookup, below).
//   other 4XX (a wrong URL, an auth proxy, a processor refusing this payment) -> HELD, never
//             dropped: an accepted payment is owed a payment. With no earlier call in doubt
//             the processor stored nothing, so the pin is dropped as for a 5XX; with one in
//             doubt it is kept (a 4XX says nothing about the earlier call). The payment waits
//             HOLD_RETRY in this instance's held set (out of the processing list, no worker
//             busy), then goes to the TAIL of the queue: payments with no evidence against
//             them go first. No breaker signal (a 4XX is not an outage); rinha_held_total and
//             at most one warning line per 10 s.
//   in doubt for DOUBT_LOOKUP_AFTER while its processor keeps failing -> no more sends; once
//             the last send is DOUBT_LOOKUP_AFTER old, GET /payments/{id} on its processor:
//             found -> recorded with the processor's requestedAt; not found (and a payment
//             known to be stored there is found) -> unpinned (no send can still land: see
//             settle_by_lookup); anything else -> still pinned, held for HOLD_RETRY and asked
//             again, reported (rinha_lookup_failed_total + warning).
// Only an item that cannot be decoded goes to the dead letters (scripts/dead-letters.sh).
// Half-open breaker: while the breaker names a processor to probe (a preferred one that is
// down), one payment at a time, at most every 250 ms, is taken pinned to it; a stored probe
// reports the recovery (Breaker::signal_success) before the next health call could.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "breaker.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "pacer.hpp"
#include "processor_client.hpp"
#include "router_parts.hpp"
#include "ledger.hpp"
#include "payment_queue.hpp"

namespace rinha {

class WorkerPool {
 public:
  WorkerPool(const RouterParts& parts, PaymentQueue& queue, Ledger& ledger);

  void start();  // recovers the processing list, then feeds
  // Stops popping and waits (at most `grace`) for payments in flight to settle.
  asio::awaitable<void> stop(std::chrono::milliseconds grace);

  // Processes one taken item to completion (public for tests); `probe`: taken as the
  // half-open probe, so a failure is requeued without backoff.
  asio::awaitable<void> process(TakenItem taken, bool probe);
  // This instance queued something: wake the feeder if it is idle.
  void notify_work();
  // Moves the held payments that are due back to the queue (the feeder calls it about once
  // a second while any may be held; public for tests).
  asio::awaitable<void> release_held();

  int64_t in_flight() const { return in_flight_; }

 private:
  asio::awaitable<void> feed();
  asio::awaitable<void> probe_if_due(Colour colour);
  asio::awaitable<TakeResult> take(size_t max, Processor pin_to);
  asio::awaitable<void> recover_orphans();
  asio::awaitable<void> run_one(TakenItem taken, bool probe = false);
  asio::awaitable<void> sleep_ms(int64_t ms);
  int64_t backoff_ms(uint32_t attempts) const;
  // What this instance knows of a payment in doubt: since when its sends have failed to
  // settle it, and when the last one returned (in memory only: see settle_by_lookup).
  struct Doubt {
    int64_t since_ms = 0;
    int64_t last_send_ms = 0;
  };
  asio::awaitable<void> settle_by_lookup(std::string item, Payment p, Doubt doubt);
  // Moves a processing item to the held set, in the form `p`, until `due_ms`.
  asio::awaitable<void> hold(const std::string& item, const Payment& p, int64_t due_ms);
  // One warning line per kind at most every 10 s, saying how many events it stands for.
  struct WarnThrottle {
    int64_t next_ms = INT64_MIN / 2;
    int64_t pending = 0;
    // Counts one event; when a line is due, returns how many events it stands for, else 0.
    int64_t due(int64_t now_ms);
  };
  // Repeats a Redis move until it succeeds (or the pool stops): without Redis nothing can
  // progress, and the processing list keeps the item safe meanwhile.
  template <typename F>
  asio::awaitable<bool> persist(F&& op, const char* what);

  RouterParts parts_;
  PaymentQueue& queue_;
  Ledger& ledger_;  // record()
  Pacer pacer_;
  asio::steady_timer slot_freed_;
  asio::steady_timer work_available_;
  bool work_pending_ = false;
  int64_t last_probe_ms_ = INT64_MIN / 2;
  bool probing_ = false;  // a probe is in flight
  bool orphans_possible_ = false;  // a take failed: its reply may be lost, not its effect
  int64_t in_flight_ = 0;
  bool stopping_ = false;
  std::unordered_map<std::string, Doubt> doubts_;  // by correlationId: payments in doubt here
  bool held_possible_ = true;  // the held set may have items (unknown at start: a restart)
  int64_t next_release_ms_ = INT64_MIN / 2;
  WarnThrottle hold_warn_, lookup_warn_, unsettled_warn_;
  // By Processor: a payment this instance saw stored there (200/422), the control that
  // makes its "not found" believable (settle_by_lookup).
  std::array<std::optional<CorrelationId>, 3> known_stored_;
};

}  // namespace rinha
