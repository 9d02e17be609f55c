// The workers: move payments from this instance's queue to a processor, exactly once.
// A feeder takes payments (queue -> processing list, pinned to the breaker's processor with
// requestedAt and in_doubt, in one atomic step) while fewer than WORKERS are in flight and
// the breaker is not RED; each taken payment is sent by its own coroutine:
//   200/422 -> record in the ledger with the pinned requestedAt (atomically leaving the
//             processing list).
//   5XX/429/refused -> this call stored nothing: if no earlier call is in doubt, unpin
//             (free to go elsewhere); signal the breaker; back to the head after a backoff.
//   timeout / broken connection after sending -> in doubt: stays pinned to that processor
//             with the same requestedAt; only a 200 or 422 from it settles the payment.
// Half-open breaker: while the breaker names a processor to probe (a preferred one that is
// down), one payment at a time, at most every 250 ms, is taken pinned to it; a stored probe
// reports the recovery (Breaker::signal_success) before the next health call could.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

#include "breaker.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "pacer.hpp"
#include "processor_client.hpp"
#include "store.hpp"

namespace rinha {

class WorkerPool {
 public:
  WorkerPool(asio::any_io_executor ex, const Config& cfg, Store& store, ProcessorClient& def, ProcessorClient& fb,
             Breaker& breaker, const Clock& clock, Metrics& metrics);

  void start();  // recovers the processing list, then feeds
  // Stops popping and waits (at most `grace`) for payments in flight to settle.
  asio::awaitable<void> stop(std::chrono::milliseconds grace);

  // Processes one taken item to completion (public for tests); `probe`: taken as the
  // half-open probe, so a failure is requeued without backoff.
  asio::awaitable<void> process(TakenItem taken, bool probe);
  // This instance queued something: wake the feeder if it is idle.
  void notify_work();

  int64_t in_flight() const { return in_flight_; }

 private:
  asio::awaitable<void> feed();
  asio::awaitable<void> probe_if_due(Colour colour);
  asio::awaitable<TakeResult> take(size_t max, Processor pin_to);
  asio::awaitable<void> recover_orphans();
  asio::awaitable<void> run_one(TakenItem taken, bool probe = false);
  asio::awaitable<void> sleep_ms(int64_t ms);
  int64_t backoff_ms(uint32_t attempts) const;
  // Repeats a Redis move until it succeeds (or the pool stops): without Redis nothing can
  // progress, and the processing list keeps the item safe meanwhile.
  template <typename F>
  asio::awaitable<bool> persist(F&& op, const char* what);
  ProcessorClient& client(Processor p) { return p == Processor::fallback ? fb_ : def_; }

  asio::any_io_executor ex_;
  const Config& cfg_;
  Store& store_;
  ProcessorClient& def_;
  ProcessorClient& fb_;
  Breaker& breaker_;
  const Clock& clock_;
  Metrics& metrics_;
  Pacer pacer_;
  asio::steady_timer slot_freed_;
  asio::steady_timer work_available_;
  bool work_pending_ = false;
  int64_t last_probe_ms_ = INT64_MIN / 2;
  bool probing_ = false;  // a probe is in flight
  bool orphans_possible_ = false;  // a take failed: its reply may be lost, not its effect
  int64_t in_flight_ = 0;
  bool stopping_ = false;
};

}  // namespace rinha
