// The ledger (the books): the payments a processor stored, by processor and requestedAt,
// and the summaries over them. RedisStore is the real one (redis_store.hpp, the scripts in
// books_lua.hpp); tests use tests/fakes/fake_ledger.hpp. Deadline-bound network operations
// that report failure as a value.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "payment.hpp"
#include "summary.hpp"

namespace rinha {

namespace asio = boost::asio;

// What the books' upkeep saw (Ledger::upkeep).
struct BooksState {
  int64_t used_memory = 0;  // Redis used_memory, bytes
  int64_t max_memory = 0;   // Redis maxmemory, bytes (0: none)
  int64_t trimmed = 0;      // ledger members removed by this call (past LEDGER_HORIZON)
  bool trim_bound_reached = false;  // it removed its most: more may be past the horizon
  bool intake_refused = false;  // used_memory is past INTAKE_MEMORY_LIMIT of maxmemory
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Removes a processing item (PaymentQueue::take) and records the payment as stored by
  // `where` at requested_at_ms, atomically.
  virtual asio::awaitable<bool> record(std::string_view item, const Payment& p, Processor where) = 0;
  virtual asio::awaitable<std::optional<Summary>> summary(TimeRange range) = 0;
  // Forgets everything: the books and, with them, every instance's queue, processing list
  // and held set, the idempotency ids, the dead letters and the routing signals.
  virtual asio::awaitable<bool> purge() = 0;
  // Periodic upkeep of the books (every second): trims the ledger members older than the
  // ledger horizon (a bounded number per call) and reads Redis's memory, which decides
  // whether the intake refuses new payments (EnqueueStatus::full) until it falls back.
  virtual asio::awaitable<std::optional<BooksState>> upkeep(int64_t now_ms) = 0;
};

}  // namespace rinha
