// The Store interface: the queue, the ledger and the breaker's shared state. RedisStore is
// the real one; tests use an in-memory fake. Every method is a deadline-bound network
// operation that reports failure as a value (false / nullopt / Status::unavailable).
//
// Queue invariants: a payment is in exactly one of {queue, this instance's processing
// list, ledger, dead letters}; moves between them are atomic; the processing list survives
// a crash and is put back at the head of the queue when the instance starts.
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

struct Backlog {
  int64_t queued = 0;       // waiting in all instances' queues
  int64_t own_queued = 0;   // waiting in this instance's queue
  int64_t processing = 0;   // in this instance's processing list
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
  // Removes a processing item that can never be processed (kept for an operator).
  virtual asio::awaitable<bool> dead_letter(std::string_view item) = 0;
  // Puts everything in this instance's processing list back at the head of its queue.
  virtual asio::awaitable<std::optional<int64_t>> recover_in_flight() = 0;
  virtual asio::awaitable<std::optional<Backlog>> backlog() = 0;

  // Circuit breaker state shared by all instances.
  virtual asio::awaitable<std::optional<Colour>> load_colour() = 0;
  virtual asio::awaitable<bool> save_colour(Colour c) = 0;
  virtual asio::awaitable<bool> push_signal(const FailureSignal& signal) = 0;
  virtual asio::awaitable<std::vector<FailureSignal>> take_signals() = 0;

  // Periodic upkeep of the books (every 250 ms): trims the ledger members older than the
  // ledger horizon (a bounded number per call) and reads Redis's memory, which decides
  // whether the intake refuses new payments (EnqueueStatus::full) until it falls back.
  virtual asio::awaitable<std::optional<BooksState>> upkeep(int64_t now_ms) = 0;
};

}  // namespace rinha
