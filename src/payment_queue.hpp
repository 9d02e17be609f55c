// The payment queue: where an accepted payment waits until a worker settles it. RedisStore
// is the real one (redis_store.hpp); tests use tests/fakes/fake_payment_queue.hpp. Every
// method is a deadline-bound network operation that reports failure as a value (false /
// nullopt / Status::unavailable).
//
// Invariants: a payment is in exactly one of {queue, this instance's processing list, its
// held set, ledger, dead letters}; moves between them are atomic; the processing list
// survives a crash and is put back at the head of the queue when the instance starts; the
// held set survives too (it is only a "not before" time per payment) and is released to the
// queue by the workers. The move out of the processing list into the ledger is Ledger::record.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "payment.hpp"

namespace rinha {

namespace asio = boost::asio;

// full: Redis's memory is near its maxmemory (INTAKE_MEMORY_LIMIT) or refused the write:
// nothing was queued; settling what is already accepted goes on.
enum class EnqueueStatus { accepted, duplicate, unavailable, full };

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

class PaymentQueue {
 public:
  virtual ~PaymentQueue() = default;

  // HTTP path: queues a payment once per correlationId (the idempotency window).
  // `waited_for`: a client's answer waits for this intake, so it is written at once rather
  // than collected into the store's intake window (RedisStore: INTAKE_WINDOW). Every
  // implementation declares the same default.
  virtual asio::awaitable<EnqueueStatus> enqueue(const Payment& p, bool waited_for = false) = 0;
  // The same, but straight into this instance's processing list instead of its queue, in
  // the form `p` (pinned, requestedAt set, in doubt: what take() would have made of it), for
  // a worker that is free now (Handoff). Accepted means pinned, durably, before the 202.
  virtual asio::awaitable<EnqueueStatus> enqueue_taken(const Payment& p, bool waited_for = false) = 0;
  // Whether an intake sent now would most likely be accepted: the store is reachable and not
  // refusing for memory. The intake answers 202 before the store's answer only then (api.hpp).
  virtual bool intake_ready() const = 0;

  // Workers. take() moves up to `max` payments from the head of this instance's queue to
  // its processing list and pins them, atomically: an unpinned payment gets pin = `pin_to`
  // and requestedAt = `now_ms`; a pinned one keeps both; every one is marked in doubt (a send
  // is about to start). So the pin is durable before any byte reaches a processor.
  virtual asio::awaitable<TakeResult> take(size_t max, Processor pin_to, int64_t now_ms) = 0;
  // Moves a processing item back to the head of the queue, in its updated form.
  virtual asio::awaitable<bool> requeue_front(std::string_view old_item, std::string_view new_item) = 0;
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
};

}  // namespace rinha
