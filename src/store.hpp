// The Store interface: the queue, the ledger and the breaker's shared state. RedisStore is
// the real one; tests use an in-memory fake. Every method is a deadline-bound network
// operation that reports failure as a value (false / nullopt / Status::unavailable).
//
// Queue invariants: a payment is in exactly one of {queue, this instance's processing
// list, its held set, ledger, dead letters}; moves between them are atomic; the processing
// list survives a crash and is put back at the head of the queue when the instance starts;
// the held set survives too (it is only a "not before" time per payment) and is released
// to the queue by the workers.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colour.hpp"
#include "payment.hpp"
#include "routing_record.hpp"
#include "summary.hpp"

namespace rinha {

namespace asio = boost::asio;

// full: Redis's memory is near its maxmemory (INTAKE_MEMORY_LIMIT) or refused the write:
// nothing was queued; settling what is already accepted goes on.
enum class EnqueueStatus { accepted, duplicate, unavailable, full };

// What the books' upkeep saw (Store::upkeep).
struct BooksState {
  int64_t used_memory = 0;  // Redis used_memory, bytes
  int64_t max_memory = 0;   // Redis maxmemory, bytes (0: none)
  int64_t trimmed = 0;      // ledger members removed by this call (past LEDGER_HORIZON)
  bool intake_refused = false;  // used_memory is past INTAKE_MEMORY_LIMIT of maxmemory
};

// A payment taken from the queue, already pinned in the processing list.
struct TakenItem {
  std::string item;         // the processing-list entry (pinned, in doubt)
  bool prior_doubt = false; // it was already in doubt before this take (an earlier send)
};

struct TakeResult {
  enum class Kind { items, empty, error };
  Kind kind = Kind::empty;
  std::vector<TakenItem> items;
};

// The health lease as one instance sees it after trying to take or renew it.
enum class LeaseState { acquired, renewed, held_by_other };

struct Backlog {
  int64_t queued = 0;       // waiting in all instances' queues
  int64_t own_queued = 0;   // waiting in this instance's queue
  int64_t processing = 0;   // in this instance's processing list
  int64_t held = 0;         // in this instance's held set (waiting for their retry time)
};

struct HeldRelease {
  int64_t released = 0;     // moved to the queue by this call
  int64_t remaining = 0;    // still held (due later, or beyond this call's max)
};

class Store {
 public:
  virtual ~Store() = default;

  // HTTP path.
  virtual asio::awaitable<EnqueueStatus> enqueue(const Payment& p) = 0;
  virtual asio::awaitable<std::optional<Summary>> summary(TimeRange range) = 0;
  virtual asio::awaitable<bool> purge() = 0;

  // Workers. take() moves up to `max` payments from the head of this instance's queue to
  // its processing list and pins them, atomically: an unpinned payment gets pin = `pin_to`
  // and requestedAt = `now_ms`; a pinned one keeps both; every one is marked in doubt (a send
  // is about to start). So the pin is durable before any byte reaches a processor.
  virtual asio::awaitable<TakeResult> take(size_t max, Processor pin_to, int64_t now_ms) = 0;
  // Moves a processing item back to the head of the queue, in its updated form.
  virtual asio::awaitable<bool> requeue_front(std::string_view old_item, std::string_view new_item) = 0;
  // Removes a processing item and records the payment as stored by `where` at requested_at_ms.
  virtual asio::awaitable<bool> record(std::string_view item, const Payment& p, Processor where) = 0;
  // Removes a processing item that can never be processed (kept for an operator;
  // scripts/dead-letters.sh lists and replays them).
  virtual asio::awaitable<bool> dead_letter(std::string_view item) = 0;
  // Moves a processing item, in its updated form, to this instance's held set until
  // `due_ms` (a payment that must not be retried before then). Only if it is still in the
  // processing list, like the requeue: a retry after a lost reply holds it once.
  virtual asio::awaitable<bool> hold(std::string_view old_item, std::string_view new_item, int64_t due_ms) = 0;
  // Moves up to `max` held payments due at `now_ms`, earliest due first, to the TAIL of
  // this instance's queue (where new payments arrive), unchanged (pin and doubt kept).
  virtual asio::awaitable<std::optional<HeldRelease>> release_held(int64_t now_ms, size_t max) = 0;
  // Puts everything in this instance's processing list back at the head of its queue.
  virtual asio::awaitable<std::optional<int64_t>> recover_in_flight() = 0;
  virtual asio::awaitable<std::optional<Backlog>> backlog() = 0;

  // Membership: this instance says it is alive for `ttl_ms` more (and joins the set of
  // instances). Returns whether it was still alive before (false: it had lapsed, and its
  // work may have been claimed meanwhile), nullopt on error.
  virtual asio::awaitable<std::optional<bool>> heartbeat(int64_t ttl_ms) = 0;
  // Moves the queue and the processing list of every instance whose heartbeat has expired
  // to the head of this instance's queue, pins and doubt kept, atomically; returns how
  // many payments moved.
  virtual asio::awaitable<std::optional<int64_t>> claim_dead_instances() = 0;

  // Routing state shared by all instances: the health owner's decision and its lease.
  // load_routing(): a record with decided_at_ms 0 when nothing was published; nullopt on error.
  virtual asio::awaitable<std::optional<RoutingRecord>> load_routing() = 0;
  virtual asio::awaitable<bool> save_routing(const RoutingRecord& r) = 0;
  // Takes the health lease if free, renews it if `holder` has it; it expires after `ttl_ms`.
  virtual asio::awaitable<std::optional<LeaseState>> hold_health_lease(std::string_view holder, int64_t ttl_ms) = 0;
  // The system-wide limit on health calls: reserves the next call to `p` for `ttl_ms`.
  // With `only_if_free`, fails (false) while an earlier reservation stands; without, it
  // re-dates the reservation (an answer came later than the call started).
  virtual asio::awaitable<bool> reserve_health_call(Processor p, int64_t ttl_ms, bool only_if_free) = 0;
  virtual asio::awaitable<bool> push_signal(const FailureSignal& signal) = 0;
  virtual asio::awaitable<std::vector<FailureSignal>> take_signals() = 0;

  // Periodic upkeep of the books (every 250 ms): trims the ledger members older than the
  // ledger horizon (a bounded number per call) and reads Redis's memory, which decides
  // whether the intake refuses new payments (EnqueueStatus::full) until it falls back.
  virtual asio::awaitable<std::optional<BooksState>> upkeep(int64_t now_ms) = 0;
};

}  // namespace rinha
