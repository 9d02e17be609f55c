// Worker pool: feeding, pacing and probing (see the header); it executes the life of each
// taken payment, which next_life_action() decides (payment_lifecycle.hpp).
#include "worker_pool.hpp"

#include <algorithm>
#include <cmath>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "log.hpp"

namespace rinha {


namespace {
constexpr int64_t kMaxTake = 64;                          // payments per take() round trip
constexpr int64_t kIdleRecheckMs = 500;  // safety net when idle
constexpr int64_t kSpreadStepMs = 2;     // a drain's burst is released this often (dispatch())
constexpr int64_t kReleasePeriodMs = 1000;  // how often due held payments go back to the queue
constexpr size_t kMaxRelease = 256;         // per release call: a burst of holds drains gently
constexpr int64_t kWarnIntervalMs = 10000;  // one warning line per kind at most this often

// Whether the feeder, woken from idle, waits a BATCH_WINDOW before its take so that one take
// carries that window's arrivals: when the intake said it queued something (`notified`, not
// the idle recheck's timeout) and goes on queueing what arrives (HANDOFF 0, or a reason
// to refuse a handover that lasts: a probe due, the pacer, every worker busy). Where the
// intake could hand over, what it queued was only what arrived while the feeder was busy,
// and waiting made it worse: a waiting feeder is not idle, so every arrival of the window
// was queued too, and their notice, one INTAKE_WINDOW later, started the next wait.
// Measured in `steady` (600 VUs, healthy processors): 45 % of payments handed over, 8
// takes a second per instance; taking at once: all but a few handed over.
bool feeder_waits_window(const Config& cfg, bool notified, bool could_hand_over) {
  return cfg.batch_window_ms > 0 && notified && !(cfg.handoff && could_hand_over);
}
}

int64_t WorkerPool::WarnThrottle::due(int64_t now_ms) {
  ++pending;
  if (now_ms < next_ms) return 0;
  next_ms = now_ms + kWarnIntervalMs;
  const int64_t n = pending;
  pending = 0;
  return n;
}

WorkerPool::WorkerPool(const RouterParts& parts, PaymentQueue& queue, Ledger& ledger, Timers& timers)
    : parts_(parts),
      queue_(queue),
      ledger_(ledger),
      timers_(timers),
      slot_freed_(timers.make_timer()),
      work_available_(timers.make_timer()) {}

void WorkerPool::start() {
  pacer_ = Pacer(PacerSettings{.max_rate = static_cast<double>(parts_.cfg.max_send_rate),
                               .rtt_slack_ms = static_cast<double>(parts_.cfg.pacer_rtt_slack_ms),
                               .lag_limit_ms = parts_.cfg.pacer_lag_limit_ms});
  asio::co_spawn(parts_.ex, feed(), asio::detached);
}

// Every sleep doubles as a probe of this instance's event loop: how late it wakes is what
// any request arriving meanwhile waited too (the pacer slows a drain that holds the loop).
asio::awaitable<void> WorkerPool::sleep_ms(int64_t ms) {
  const int64_t started_us = parts_.clock.steady_us();
  const auto t = timers_.make_timer();
  t->expires_after_ms(ms);
  const bool expired = co_await t->wait();
  if (expired) pacer_.observe_lag(parts_.clock.now_ms(), parts_.clock.steady_us() - started_us - ms * 1000);
}

// `op` returns a fresh awaitable per try; whatever its arguments view must outlive persist().
template <typename F>
asio::awaitable<bool> WorkerPool::persist(F&& op, const char* what) {
  for (uint32_t attempt = 0;; ++attempt) {
    const bool done = co_await op();
    if (done) co_return true;
    if (stopping_) co_return false;
    LOG_WARN("store_retry", "operation={} attempt={}", what, attempt);
    co_await sleep_ms(lifecycle_backoff_ms(attempt, rules()));
  }
}

asio::awaitable<void> WorkerPool::feed() {
  // Payments this instance had in flight when it last stopped go back to the head first.
  for (;;) {
    auto recovered = co_await queue_.recover_in_flight();
    if (recovered) {
      parts_.metrics.recovered += *recovered;
      if (*recovered > 0) LOG_INFO("recovered_in_flight", "payments={}", *recovered);
      break;
    }
    if (stopping_) break;
    co_await sleep_ms(200);
  }
  int64_t red_wait_ms = parts_.cfg.backoff_base_ms;
  while (!stopping_) {
    if (orphans_possible_) {
      co_await recover_orphans();
      continue;
    }
    if (held_possible_ && parts_.clock.now_ms() >= next_release_ms_) co_await release_held();
    if (in_flight_ >= parts_.cfg.workers) {
      slot_freed_->expires_never();
      co_await slot_freed_->wait();
      continue;
    }
    const Colour colour = parts_.breaker.colour();
    co_await probe_if_due(colour);
    if (colour == Colour::red) {  // nothing can be sent: leave the queue alone
      co_await sleep_ms(red_wait_ms);
      red_wait_ms = next_red_wait_ms(red_wait_ms, parts_.cfg.breaker_poll_ms);
      continue;
    }
    red_wait_ms = parts_.cfg.backoff_base_ms;
    const auto want = static_cast<size_t>(std::min<int64_t>(parts_.cfg.workers - in_flight_, kMaxTake));
    // The pacer turns a backlog into a drain as fast as Redis and this instance's own event
    // loop keep up (see pacer.hpp). Seen in the preview bench before it: 3,700 payments released in one
    // second when both processors came back pushed Redis into its quota and the intake's
    // p99 to 70 ms; then a fixed 500/s cap held a 3x load's backlog for minutes.
    // Draining a backlog (the last take got all it asked for), a take waits for a whole
    // burst's worth of tokens (50 ms at the rate) instead of taking each as it refills: one
    // Redis call per burst, not one per payment. Otherwise whatever is allowed goes now.
    const int64_t tokens = pacer_.available(parts_.clock.now_ms());
    const int64_t batch = backlog_seen_ ? pacer_.batch(static_cast<int64_t>(want)) : 1;
    if (tokens < batch) {
      paced_ = true;  // the rate holds the feeder back, though the take may then get its all
      co_await sleep_ms(pacer_.wait_ms(batch));
      continue;
    }
    const size_t room = std::min(want, static_cast<size_t>(tokens));
    work_pending_ = false;
    auto taken = co_await take(room, colour_target(colour));
    if (taken.kind == TakeResult::Kind::error) {
      co_await sleep_ms(100);
      continue;
    }
    const bool rate_bound = (room < want || paced_) && taken.items.size() == room;
    pacer_.taken(parts_.clock.now_ms(), static_cast<int64_t>(taken.items.size()), rate_bound);
    backlog_seen_ = taken.items.size() == room;
    paced_ = false;
    parts_.metrics.send_rate = static_cast<int64_t>(pacer_.rate());
    const size_t got = taken.items.size();
    co_await dispatch(std::move(taken.items), rate_bound);
    if (got < room && !work_pending_) {
      // The queue is drained. Only this instance adds to it, and it says so (notify_work);
      // the timeout is a safety net, not the mechanism.
      work_available_->expires_after_ms(kIdleRecheckMs);
      feeder_idle_ = true;  // meanwhile the intake may hand payments straight to workers
      co_await work_available_->wait();
      feeder_idle_ = false;
      if (feeder_waits_window(parts_.cfg, work_pending_, could_hand_over()) && !stopping_) {
        co_await sleep_ms(parts_.cfg.batch_window_ms);
      }
    }
  }
}

// A rate-bound take carries a whole burst (up to 50 ms at the pacer's rate, kMaxTake at
// most). Sent at once, its sends leave together, the processors answer them together and
// each answer is settled together: a few milliseconds of CPU on both cores in one lump,
// behind which every request arriving meanwhile waits (seen: a preview's drain at 40-44 s
// had the intake's p99 at 1.8-2.8 ms in those seconds against 0.5-0.9 ms in the others).
// So a drain's burst is released at the rate it was paid for, kSpreadStepMs at a time
// (the next take's tokens refill meanwhile, so the drain is no slower); anything else, and
// everything once stopping, goes at once.
asio::awaitable<void> WorkerPool::dispatch(std::vector<TakenItem> items, bool spread) {
  const double per_ms = pacer_.rate() / 1000.0;
  const int64_t started_ms = timers_.steady_ms();  // the sleeps' own time
  // Their slots count from now: the feeder takes no more meanwhile, and stop() waits for
  // the items not yet released as for those in flight.
  in_flight_ += static_cast<int64_t>(items.size());
  parts_.metrics.in_flight += static_cast<int64_t>(items.size());
  size_t sent = 0;
  while (sent < items.size()) {
    size_t due = items.size();
    if (spread && !stopping_) {
      const auto elapsed_ms = static_cast<double>(timers_.steady_ms() - started_ms);
      due = std::min(items.size(), static_cast<size_t>(std::floor((elapsed_ms + kSpreadStepMs) * per_ms)));
      due = std::max(due, sent + 1);
    }
    for (; sent < due; ++sent) asio::co_spawn(parts_.ex, run_one(std::move(items[sent])), asio::detached);
    if (sent < items.size()) co_await sleep_ms(kSpreadStepMs);
  }
}

// Half-open: one payment at a time, every kProbeIntervalMs at most, to the processor the
// breaker names while it is down. One at a time because a probe of a slow, failing
// processor times out and stays pinned to it (in doubt) until it recovers: probes must
// not pile up.
asio::awaitable<void> WorkerPool::probe_if_due(Colour colour) {
  const Processor probe = parts_.breaker.probe();
  if (!probe_due(probe, colour, probing_, parts_.clock.now_ms() - last_probe_ms_)) {
    co_return;
  }
  last_probe_ms_ = parts_.clock.now_ms();
  auto tried = co_await take(1, probe);
  for (auto& t : tried.items) {
    ++in_flight_;
    ++parts_.metrics.in_flight;
    probing_ = true;
    asio::co_spawn(parts_.ex, run_one(std::move(t), true), asio::detached);
  }
}

// Every take goes through here: a failed one may have moved payments anyway (below).
asio::awaitable<TakeResult> WorkerPool::take(size_t max, Processor pin_to) {
  const int64_t started_us = parts_.clock.steady_us();
  auto taken = co_await queue_.take(max, pin_to, parts_.clock.now_ms());
  if (taken.kind == TakeResult::Kind::error) orphans_possible_ = true;
  else pacer_.observe_rtt(parts_.clock.now_ms(), parts_.clock.steady_us() - started_us);
  co_return taken;
}

// A take that failed may have run in Redis with its reply lost (the connection broke: seen
// in the Redis-restart fault test, 1 run in 4): its payments sit in this instance's
// processing list, held by no worker, and only a restart's recovery would send them.
// Once the workers in flight have settled theirs (record or requeue), everything left in
// the list is such an orphan, and goes back to the head of the queue. Sending pauses for
// at most one processor timeout meanwhile; the intake does not.
asio::awaitable<void> WorkerPool::recover_orphans() {
  while (in_flight_ > 0 && !stopping_) {
    slot_freed_->expires_never();
    co_await slot_freed_->wait();
  }
  if (stopping_) co_return;
  auto recovered = co_await queue_.recover_in_flight();
  if (!recovered) {
    co_await sleep_ms(200);
    co_return;
  }
  orphans_possible_ = false;
  parts_.metrics.recovered += *recovered;
  if (*recovered > 0) LOG_WARN("recovered_orphans", "payments={}", *recovered);
}

asio::awaitable<void> WorkerPool::release_held() {
  const int64_t now = parts_.clock.now_ms();
  next_release_ms_ = now + kReleasePeriodMs;
  auto r = co_await queue_.release_held(now, kMaxRelease);
  if (!r) co_return;  // Redis unreachable: the held set keeps them; next period
  parts_.metrics.released += r->released;
  held_possible_ = r->remaining > 0;
  if (r->released == static_cast<int64_t>(kMaxRelease)) next_release_ms_ = now;  // more may be due
  if (r->released > 0) notify_work();  // no arrivals: they were counted when first queued
}

asio::awaitable<void> WorkerPool::hold(const std::string& item, const Payment& p, int64_t due_ms) {
  const std::string again = encode_payment(p);
  held_possible_ = true;
  co_await persist([&] { return queue_.hold(item, again, due_ms); }, "hold");
}

bool WorkerPool::could_hand_over() {
  if (stopping_ || orphans_possible_ || in_flight_ >= parts_.cfg.workers) return false;
  if (parts_.breaker.colour() == Colour::red || parts_.breaker.probe() != Processor::none) return false;
  return pacer_.available(parts_.clock.now_ms()) >= 1;
}

std::optional<Processor> WorkerPool::reserve() {
  if (!feeder_idle_ || work_pending_ || !could_hand_over()) return std::nullopt;
  const Colour colour = parts_.breaker.colour();
  pacer_.taken(parts_.clock.now_ms(), 1, false);
  ++in_flight_;
  ++parts_.metrics.in_flight;
  return colour_target(colour);
}

void WorkerPool::hand_over(const Payment& pinned) {
  ++parts_.metrics.handed_over;
  asio::co_spawn(parts_.ex, run_one(TakenItem{encode_payment(pinned), false}), asio::detached);
}

void WorkerPool::cancel(bool maybe_written) {
  --in_flight_;
  --parts_.metrics.in_flight;
  slot_freed_->cancel();
  if (maybe_written) recover_pinned_writes();  // as after a take whose reply was lost
}

void WorkerPool::recover_pinned_writes() {
  orphans_possible_ = true;
  work_available_->cancel();
}

void WorkerPool::notify_work(int64_t arrived) {
  if (arrived > 0) pacer_.observe_arrivals(parts_.clock.now_ms(), arrived);
  work_pending_ = true;
  work_available_->cancel();
}

asio::awaitable<void> WorkerPool::run_one(TakenItem taken, bool probe) {
  co_await process(std::move(taken), probe);
  if (probe) {
    probing_ = false;
    // The interval counts from the end of a probe: a failed one is back at the head of
    // the queue, and the processor that works must take it before the next probe does
    // (seen: counted from the start, one payment of 40 stayed the probe for the whole
    // outage and was never paid by the working fallback).
    last_probe_ms_ = parts_.clock.now_ms();
  }
  --in_flight_;
  --parts_.metrics.in_flight;
  slot_freed_->cancel();
}

asio::awaitable<void> WorkerPool::stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  slot_freed_->cancel();
  work_available_->cancel();
  const int64_t deadline_ms = timers_.steady_ms() + grace.count();
  while (in_flight_ > 0 && timers_.steady_ms() < deadline_ms) co_await sleep_ms(10);
  if (in_flight_ > 0) LOG_WARN("stop_with_payments_in_flight", "payments={} note=recovered_at_next_start", in_flight_);
}

// The decisions are next_life_action()'s (payment_lifecycle.hpp); this executes them.
asio::awaitable<void> WorkerPool::process(TakenItem taken, bool probe) {
  std::string item = std::move(taken.item);
  PaymentState state;
  state.payment = decode_payment(item);
  state.prior_doubt = taken.prior_doubt;
  state.probe = probe;
  if (state.payment && state.prior_doubt) {
    auto d = doubts_.find(std::string(id_view(state.payment->id)));
    if (d != doubts_.end()) state.doubt = d->second;
  }
  const LifeAction first = next_life_action(state, LifeEvent::taken(), parts_.clock.now_ms(), rules());
  switch (first.kind) {
    case LifeAction::Kind::dead_letter:
      LOG_ERROR("undecodable_item", "item=\"{}\"", item);
      ++parts_.metrics.dead_lettered;
      co_await persist([&] { return queue_.dead_letter(item); }, "dead_letter");
      co_return;
    case LifeAction::Kind::hold:  // lookup mode, its last send too recent
      co_await hold(item, first.payment, first.due_ms);
      co_return;
    case LifeAction::Kind::lookup:
      co_await settle_by_lookup(std::move(item), state);
      co_return;
    default:
      break;
  }
  // take() pinned it (processor, requestedAt, in doubt) in Redis before handing it over:
  // from here on, only this processor may ever be asked again, unless it answers that it
  // stored nothing and no earlier send is in doubt.
  const Payment& p = *state.payment;
  const Processor target = p.pin;
  const int t = static_cast<int>(target);
  const bool prior_doubt = state.prior_doubt;
  if (prior_doubt) ++parts_.metrics.in_doubt;
  const int64_t sent_at_ms = parts_.clock.now_ms();
  const auto outcome = co_await parts_.client(target).send(p, std::chrono::milliseconds(parts_.cfg.processor_timeout_ms));
  if (prior_doubt) --parts_.metrics.in_doubt;
  const int64_t returned_ms = parts_.clock.now_ms();  // the request was written by now, if at all
  const LifeAction next = next_life_action(state, LifeEvent::sent(outcome.kind), returned_ms, rules());

  // The doubt bookkeeping (off the common path: only a payment in doubt has an entry).
  if (next.doubt == LifeAction::DoubtChange::track) {
    auto [d, fresh] = doubts_.try_emplace(std::string(id_view(p.id)));
    d->second = lifecycle_track_doubt(fresh ? std::nullopt : std::optional<Doubt>(d->second), sent_at_ms, returned_ms);
  } else if (next.doubt == LifeAction::DoubtChange::forget) {
    doubts_.erase(std::string(id_view(p.id)));
  }

  switch (next.kind) {
    case LifeAction::Kind::record:
      if (next.reason == LifeReason::duplicate) ++parts_.metrics.duplicates_422[t];
      ++parts_.metrics.stored[t];
      known_stored_[t] = p.id;
      parts_.breaker.signal_success(target, sent_at_ms);
      LOG_DEBUG("payment_stored", "id={} processor={} status={} latency_ms={}", id_view(p.id), processor_name(target),
                outcome.status, outcome.latency_ms);
      co_await persist([&] { return ledger_.record(item, next.payment, target); }, "record");
      co_return;
    case LifeAction::Kind::hold:
      ++parts_.metrics.held[t];
      if (const int64_t n = hold_warn_.due(returned_ms)) {
        LOG_WARN("payments_held", "processor={} status={} payments={} example_id={} in_doubt={} retry_in_ms={}",
                 processor_name(target), outcome.status, n, id_view(p.id), prior_doubt ? 1 : 0, parts_.cfg.hold_retry_ms);
      }
      co_await hold(item, next.payment, next.due_ms);
      co_return;
    default:  // requeue
      break;
  }
  ++parts_.metrics.send_failures[t];
  if (next.reason == LifeReason::timed_out) {
    ++parts_.metrics.timeouts[t];
    LOG_DEBUG("payment_in_doubt", "id={} processor={}", id_view(p.id), processor_name(target));
  }
  if (next.overloaded) pacer_.observe_overload(returned_ms);
  if (next.signal == LifeAction::Signal::failure) parts_.breaker.signal_failure(target, sent_at_ms);
  if (next.backoff_ms) co_await sleep_ms(*next.backoff_ms);
  co_await requeue(item, next.payment);
}

asio::awaitable<void> WorkerPool::requeue(const std::string& item, const Payment& p) {
  ++parts_.metrics.requeued;
  const std::string again = encode_payment(p);
  co_await persist([&] { return queue_.requeue_front(item, again); }, "requeue");
  notify_work();
}

// A payment in doubt whose processor has failed to settle it for DOUBT_LOOKUP_AFTER: stop
// sending it and ask GET /payments/{id} instead.
//   found -> the processor holds it: record it with the processor's requestedAt (the one
//     every send carried, since a pinned payment always goes with the same one).
//   not found -> unpin, but only when no send of it can still land. A processor may store a
//     request after the caller gave up (the delayed commit of the fault tests); "not found"
//     at time L rules out every request it received by L minus its longest delay. So the
//     lookup is made only once the last send RETURNED (its request was written by then, if
//     at all) at least DOUBT_LOOKUP_AFTER ago, and no send is made in lookup mode: 30 s by
//     default, above PROCESSOR_TIMEOUT (checked at start) and 6x the longest delay of the
//     scenarios (5 s). Sends by an earlier run of this instance are older still: `doubts_`
//     lives in memory, so after a restart the payment is sent again (its doubt window
//     starts over) before any lookup, and the quiet time counts from that later send.
//     And a 404 proves nothing unless it comes from a processor that holds payments: a wrong
//     URL or a proxy answers 404 to anything. So "not found" is believed only when a payment
//     this instance saw stored on that processor (200/422) is found there in the same round;
//     with no such control (nothing stored there since start) it is not believed.
//   no answer, or a "not found" not believed -> still pinned, never dropped: held for
//     HOLD_RETRY, then asked again; reported by rinha_lookup_failed_total and a warning.
// (The quiet time is checked by next_life_action when the payment is taken.)
asio::awaitable<void> WorkerPool::settle_by_lookup(std::string item, PaymentState state) {
  const Payment& p = *state.payment;
  const std::string key(id_view(p.id));
  const Processor pinned = p.pin;
  const auto found = co_await parts_.client(pinned).lookup(p.id, std::chrono::milliseconds(parts_.cfg.processor_timeout_ms));
  const int64_t now = parts_.clock.now_ms();
  const auto control = known_stored_[static_cast<int>(pinned)];
  state.have_control = control.has_value();
  LifeAction next = next_life_action(state, LifeEvent::looked_up(found), now, rules());
  if (next.kind == LifeAction::Kind::lookup_control) {
    const auto known = co_await parts_.client(pinned).lookup(*control, std::chrono::milliseconds(parts_.cfg.processor_timeout_ms));
    next = next_life_action(state, LifeEvent::control_looked_up(known.kind), now, rules());
  }
  if (next.doubt == LifeAction::DoubtChange::forget) doubts_.erase(key);
  switch (next.kind) {
    case LifeAction::Kind::record:
      ++parts_.metrics.lookup_settled;
      ++parts_.metrics.stored[static_cast<int>(pinned)];
      if (const int64_t n = lookup_warn_.due(now)) {
        LOG_INFO("doubt_settled_by_lookup", "result=found processor={} payments={} example_id={}",
                 processor_name(pinned), n, key);
      }
      co_await persist([&] { return ledger_.record(item, next.payment, pinned); }, "record");
      co_return;
    case LifeAction::Kind::requeue:
      ++parts_.metrics.lookup_unpinned;
      if (const int64_t n = lookup_warn_.due(now)) {
        LOG_INFO("doubt_settled_by_lookup", "result=not_found processor={} payments={} example_id={}",
                 processor_name(pinned), n, key);
      }
      co_await requeue(item, next.payment);
      co_return;
    default:  // hold, still pinned
      break;
  }
  ++parts_.metrics.lookup_failed;
  if (const int64_t n = unsettled_warn_.due(now)) {
    LOG_WARN("payments_unsettled",
             "processor={} reason={} payments={} example_id={} in_doubt_ms={} still_pinned=1 retry_in_ms={}",
             processor_name(pinned), life_reason_name(next.reason), n, key, now - state.doubt->since_ms,
             parts_.cfg.hold_retry_ms);
  }
  co_await hold(item, next.payment, next.due_ms);
}

}  // namespace rinha
