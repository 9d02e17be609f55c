// The life of a taken payment, in one place: every transition a worker makes between the
// take and the payment leaving its processing list, as one pure function of what the
// worker knows (the payment, its doubt, the answers it got), the time and the
// configuration, with a table-driven test (tests/unit/payment_lifecycle_test.cpp).
// WorkerPool (worker_pool.hpp) executes the actions: the sends, the store's moves, the
// breaker's and the pacer's signals, the metrics and the log; feeding and pacing are its own.
//
//   taken: undecodable or unpinned ............................ dead letter (kept for an operator)
//          in doubt here for DOUBT_LOOKUP_AFTER:
//            its last send returned under DOUBT_LOOKUP_AFTER ago .. hold until it is that old
//            otherwise ...................................... look it up on its processor
//          otherwise ........................................ send it to its pin
//   sent:  200 / 422 ........................................ record (signal the success)
//          other 4XX ........................................ hold HOLD_RETRY (no signal)
//          5XX / 429 / refused .............................. requeue after a backoff
//          timeout, broken after sending .................... requeue after a backoff, in doubt
//          (a 4XX, 5XX, 429 or refusal with no earlier send in doubt: unpinned, since no
//           processor holds it; with one in doubt: still pinned, it may land)
//   looked up: found ........................................ record with the processor's requestedAt
//          not found, no payment seen stored there .......... hold HOLD_RETRY, still pinned
//          not found ........................................ look up one seen stored there:
//            found (the "not found" is believable) .......... requeue unpinned, no backoff
//            otherwise ...................................... hold HOLD_RETRY, still pinned
//          no answer ........................................ hold HOLD_RETRY, still pinned
// Only the same processor may settle a payment in doubt: a 200 or 422 from it, or a lookup.
// A 4XX other than 422/429 (a wrong URL, an auth proxy, a processor refusing this payment)
// holds it, never drops it: an accepted payment is owed a payment, and the deployment is
// fixed by a person in minutes; it is not an outage, so the breaker is not told.
// A probe (the half-open breaker's payment) is requeued without a backoff: its pace is the
// probe interval. Why lookups wait and need a control: WorkerPool::settle_by_lookup.
#pragma once
#include <cstdint>
#include <optional>

#include "config.hpp"
#include "payment.hpp"
#include "processor_client.hpp"

namespace rinha {

// The knobs (from Config; no defaults of their own).
struct LifecycleRules {
  int64_t backoff_base_ms;        // BACKOFF_BASE
  int64_t backoff_max_ms;         // BACKOFF_MAX
  int64_t hold_retry_ms;          // HOLD_RETRY
  int64_t doubt_lookup_after_ms;  // DOUBT_LOOKUP_AFTER

  static LifecycleRules from(const Config& cfg) {
    return {cfg.backoff_base_ms, cfg.backoff_max_ms, cfg.hold_retry_ms, cfg.doubt_lookup_after_ms};
  }
};

// BACKOFF_BASE doubled per attempt already made, capped at BACKOFF_MAX.
int64_t lifecycle_backoff_ms(uint32_t attempts, const LifecycleRules& rules);

// What this instance knows of a payment in doubt: since when its sends have failed to
// settle it, and when the last one returned (in memory only: see settle_by_lookup).
struct Doubt {
  int64_t since_ms = 0;
  int64_t last_send_ms = 0;
  bool operator==(const Doubt&) const = default;
};

// A send of a payment in doubt has returned at `returned_ms` without settling it: the
// doubt starts with that send (`sent_at_ms`) unless already known, and its last send is this.
Doubt lifecycle_track_doubt(const std::optional<Doubt>& known, int64_t sent_at_ms, int64_t returned_ms);

// Where a taken payment is, as the worker holding it knows it.
struct PaymentState {
  std::optional<Payment> payment{};  // the taken item, decoded (nullopt: undecodable)
  bool prior_doubt = false;          // in doubt when taken: an earlier send may still land
  std::optional<Doubt> doubt{};      // this instance's memory of that doubt
  bool probe = false;                // taken as the half-open probe
  bool have_control = false;         // a payment was seen stored on its processor since start
};

// What has just happened to it.
struct LifeEvent {
  enum class Kind { taken, sent, looked_up, control_looked_up };
  Kind kind = Kind::taken;
  SendOutcome::Kind send = SendOutcome::Kind::not_sent;  // sent: the answer
  LookupResult::Kind lookup = LookupResult::Kind::error;  // looked_up / control_looked_up
  int64_t found_requested_at_ms = 0;                      // looked_up, found: the processor's requestedAt

  static LifeEvent taken() { return {}; }
  static LifeEvent sent(SendOutcome::Kind k) { return {Kind::sent, k}; }
  static LifeEvent looked_up(const LookupResult& r) {
    return {Kind::looked_up, SendOutcome::Kind::not_sent, r.kind, r.requested_at_ms};
  }
  static LifeEvent control_looked_up(LookupResult::Kind k) { return {Kind::control_looked_up, SendOutcome::Kind::not_sent, k}; }
};

// Why the action was chosen (the metrics and the log line say it).
enum class LifeReason {
  undecodable,    // dead letter
  send,           // taken: nothing against sending it
  quiet,          // taken, lookup mode: its last send is too recent to believe a "not found"
  look_up,        // taken, lookup mode
  stored,         // sent: 200
  duplicate,      // sent: 422, the processor already holds it
  refused,        // sent: another 4XX
  failed,         // sent: 5XX, 429, refused connection: this call stored nothing
  timed_out,      // sent: no answer after the request was written
  found,          // looked up: the processor holds it
  check_control,  // looked up: not found; is a payment known stored there found?
  not_found,      // the control was found: the processor does not hold it
  unverified,     // not found, and no control (or the control not found either)
  no_answer,      // the lookup got no answer
};
const char* life_reason_name(LifeReason r);

struct LifeAction {
  enum class Kind { dead_letter, send, lookup, lookup_control, record, requeue, hold };
  enum class Signal { none, success, failure };    // what the breaker is told
  enum class DoubtChange { unchanged, track, forget };

  Kind kind = Kind::dead_letter;
  LifeReason reason = LifeReason::undecodable;
  Payment payment{};   // record / requeue / hold: the form to write (attempts counted, pin
                       // dropped when nothing may hold it); send / lookup: the one taken
  int64_t due_ms = 0;  // hold: not before
  std::optional<int64_t> backoff_ms;  // requeue: wait this long first (none: at once)
  Signal signal = Signal::none;
  bool overloaded = false;  // a 429: the pacer slows down
  DoubtChange doubt = DoubtChange::unchanged;
};

// The next step of a payment in `state` after `event`, at `now_ms` (for a send's answer:
// when it returned).
LifeAction next_life_action(const PaymentState& state, const LifeEvent& event, int64_t now_ms,
                            const LifecycleRules& rules);

}  // namespace rinha
