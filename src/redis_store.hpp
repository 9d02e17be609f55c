// Store on Redis. Keys (all under "payments:"):
//   queue:<n>       list, new payments LPUSHed, the head (next to process) is the RIGHT end
//   processing:<n>  hash correlationId -> item, the payments of instance n between take and
//                   record/requeue (O(1) to settle, whatever the number in flight)
//   ids:<k>         sets of the correlationIds accepted in idempotency bucket k (rotating,
//                   with expiry: remembered for at least IDS_HORIZON); `ids` when it is 0
//   ledger:default / ledger:fallback  sorted sets, member "<id>:<cents>", score requestedAt ms,
//                   kept for LEDGER_HORIZON; books, agg:*: the trim's mark and the per-second,
//                   per-minute and per-hour aggregates the summary reads (src/books_lua.hpp)
//   dead            list of items that can never be processed
//   breaker:colour  GREEN / YELLOW / RED;  breaker:signals  list of failure signals "<processor>:<sent_at_ms>"
// Multi-key moves are Lua scripts, so each is atomic. A payment costs one enqueue, a share
// of a take (up to 64 per call) and a share of a record: the records that complete within
// one settle window go as one call (Coalescer). Three connections: the HTTP path's intake,
// the summaries (a long summary never delays an intake), the workers and the breaker.
// Nothing blocks in Redis: the feeder is woken by this instance's own intake.
#pragma once
#include <memory>

#include "coalescer.hpp"
#include "redis_connection.hpp"
#include "store.hpp"

namespace rinha {

// How long the books keep what (0: for ever), and the intake's memory gate (config.hpp).
struct BooksOptions {
  int64_t ids_horizon_ms = 0;
  int64_t ledger_horizon_ms = 0;
  int64_t intake_memory_percent = 0;  // refuse intake past this % of maxmemory (0: never)
};

class RedisStore final : public Store {
 public:
  // `settle_window`: how long records are collected into one batch (0: one event-loop turn).
  RedisStore(asio::any_io_executor ex, const RedisTarget& target, int app_name, std::chrono::milliseconds timeout,
             std::chrono::milliseconds settle_window = std::chrono::milliseconds{0}, BooksOptions books = {});
  void start();
  void stop();

  // Store
  asio::awaitable<EnqueueStatus> enqueue(const Payment& p) override;
  asio::awaitable<std::optional<Summary>> summary(TimeRange range) override;
  asio::awaitable<bool> purge() override;
  asio::awaitable<TakeResult> take(size_t max, Processor pin_to, int64_t now_ms) override;
  asio::awaitable<bool> requeue_front(std::string_view old_item, std::string_view new_item) override;
  asio::awaitable<bool> record(std::string_view item, const Payment& p, Processor where) override;
  asio::awaitable<bool> dead_letter(std::string_view item) override;
  asio::awaitable<std::optional<int64_t>> recover_in_flight() override;
  asio::awaitable<std::optional<Backlog>> backlog() override;
  asio::awaitable<std::optional<Colour>> load_colour() override;
  asio::awaitable<bool> save_colour(Colour c) override;
  asio::awaitable<bool> push_signal(const FailureSignal& signal) override;
  asio::awaitable<std::vector<FailureSignal>> take_signals() override;
  asio::awaitable<std::optional<BooksState>> upkeep(int64_t now_ms) override;

 private:
  struct Script {
    const char* source;
    std::string sha;
  };
  // eval(conn, script, num_keys, keys..., args...): EVALSHA, loading the script when needed.
  template <typename... Args>
  asio::awaitable<RedisReply> eval(RedisConnection& conn, Script& script, int num_keys, const Args&... keys_and_args) {
    return eval_argv(conn, script, num_keys, std::vector<std::string_view>{std::string_view(keys_and_args)...});
  }
  asio::awaitable<RedisReply> eval_argv(RedisConnection& conn, Script& script, int num_keys,
                                        std::vector<std::string_view> keys_and_args);

  struct LedgerEntry {
    std::string field;   // processing-hash field
    char ledger;         // '1' default, '2' fallback
    std::string score;   // requestedAt ms
    std::string member;  // "<id>:<cents>"
  };
  asio::awaitable<bool> record_batch(const std::vector<LedgerEntry>& batch);

  std::string queue_key_, processing_key_, other_queue_key_;
  RedisConnection http_, work_, summary_;
  Script enqueue_script_, take_script_, record_script_, requeue_script_, dead_script_, recover_script_;
  Script summary_script_, trim_script_, purge_books_script_;
  BooksOptions books_;
  bool intake_refused_ = false;  // set by upkeep() from Redis's used_memory
  Coalescer<LedgerEntry> records_;
};

}  // namespace rinha
