// The workers: move payments from this instance's queue to a processor, exactly once.
// A feeder takes payments (queue -> processing list, pinned to the breaker's processor with
// requestedAt and in_doubt, in one atomic step) while fewer than WORKERS are in flight, the
// breaker is not RED and the pacer allows; each taken payment is then carried by its own
// coroutine through the life of a payment: send, record / requeue / in doubt / hold /
// lookup / dead letter. Those decisions are next_life_action()'s (payment_lifecycle.hpp,
// with the reasons); this class executes them: the sends and lookups, the store's moves
// (repeated until Redis takes them), the breaker's and the pacer's signals, the doubts it
// remembers, the metrics (rinha_held_total, rinha_lookup_failed_total...) and at most one
// warning line per kind per 10 s.
// Held payments (a 4XX, or a lookup without an answer) wait in this instance's held set,
// out of the processing list with no worker busy, and go to the TAIL of the queue when due
// (release_held): payments with no evidence against them go first.
// Half-open breaker: while the breaker names a processor to probe (a preferred one that is
// down), one payment at a time, at most every 250 ms, is taken pinned to it; a stored probe
// reports the recovery (Breaker::signal_success) before the next health call could.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "breaker.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "handoff.hpp"
#include "metrics.hpp"
#include "pacer.hpp"
#include "processor_client.hpp"
#include "router_parts.hpp"
#include "timer.hpp"
#include "ledger.hpp"
#include "payment_lifecycle.hpp"
#include "payment_queue.hpp"

namespace rinha {

class WorkerPool final : public Handoff {
 public:
  // `timers`: every wait of the pool (the tests run it on virtual time).
  WorkerPool(const RouterParts& parts, PaymentQueue& queue, Ledger& ledger, Timers& timers);

  void start();  // recovers the processing list, then feeds
  // Stops popping and waits (at most `grace`) for payments in flight to settle.
  asio::awaitable<void> stop(std::chrono::milliseconds grace);

  // Processes one taken item to completion (public for tests); `probe`: taken as the
  // half-open probe, so a failure is requeued without backoff.
  asio::awaitable<void> process(TakenItem taken, bool probe);
  // Handoff, for the intake: a slot and the processor to pin to while the feeder is idle
  // with this instance's queue drained (so nothing queued is overtaken), a slot is free, the
  // breaker names a processor and no probe (the feeder paces probes), and the pacer has a
  // token; hand_over() then sends the payment like a taken one.
  std::optional<Processor> reserve() override;
  void hand_over(const Payment& pinned) override;
  void cancel(bool maybe_written) override;
  void recover_pinned_writes() override;
  // This instance queued something: wake the feeder if it is idle. `arrived`: how many new
  // payments that was (the pacer keeps its rate above their rate; a requeue adds none).
  void notify_work(int64_t arrived = 0);
  // Moves the held payments that are due back to the queue (the feeder calls it about once
  // a second while any may be held; public for tests).
  asio::awaitable<void> release_held();

  int64_t in_flight() const { return in_flight_; }

 private:
  asio::awaitable<void> feed();
  // reserve()'s conditions other than the feeder's: a slot free, a processor named and no
  // probe due, a pacer token, no orphans to recover, not stopping.
  bool could_hand_over();
  asio::awaitable<void> probe_if_due(Colour colour);
  asio::awaitable<TakeResult> take(size_t max, Processor pin_to);
  asio::awaitable<void> recover_orphans();
  asio::awaitable<void> run_one(TakenItem taken, bool probe = false);
  // Starts a worker for each taken item; `spread`: a drain's burst, released at the
  // pacer's rate instead of all at once (the comment in worker_pool.cpp says why).
  asio::awaitable<void> dispatch(std::vector<TakenItem> items, bool spread);
  asio::awaitable<void> sleep_ms(int64_t ms);
  LifecycleRules rules() const { return LifecycleRules::from(parts_.cfg); }
  // Lookup mode (next_life_action said so): GET /payments/{id} instead of a send.
  asio::awaitable<void> settle_by_lookup(std::string item, PaymentState state);
  // Moves a processing item back to the head of the queue, in the form `p`, and wakes the feeder.
  asio::awaitable<void> requeue(const std::string& item, const Payment& p);
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
  bool backlog_seen_ = false;  // the last take got all it asked for: more may be queued
  bool paced_ = false;         // the feeder waited for tokens since its last take
  Timers& timers_;
  std::unique_ptr<Timer> slot_freed_;      // cancelled when a worker finishes
  std::unique_ptr<Timer> work_available_;  // cancelled by notify_work()
  bool work_pending_ = false;
  bool feeder_idle_ = false;  // the feeder waits for work, this instance's queue drained
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
