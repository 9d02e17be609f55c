// The store interfaces (payment_queue.hpp, ledger.hpp, routing_state.hpp, membership_store.hpp)
// on Redis. Keys (all under "payments:"):
//   queue:<n>       list, new payments LPUSHed, the head (next to process) is the RIGHT end
//   processing:<n>  hash correlationId -> item, the payments of instance n between take and
//                   record/requeue (O(1) to settle, whatever the number in flight)
//   ids:<k>         sets of the correlationIds accepted in idempotency bucket k (rotating,
//                   with expiry: remembered for at least IDS_HORIZON); `ids` when it is 0
//   ledger:default / ledger:fallback  sorted sets, member "<id>:<cents>", score requestedAt ms,
//                   kept for LEDGER_HORIZON; books, agg:*: the trim's mark and the per-second,
//                   per-minute and per-hour aggregates the summary reads (src/books_lua.hpp)
//   held:<n>        sorted set of instance n's held items, score = the time (ms) they may be
//                   retried (a processor refused them with a 4XX; see worker_pool.hpp)
//   dead            list of items that can never be processed (scripts/dead-letters.sh)
//   breaker:routing the health owner's routing record (routing_record.hpp: colour, when,
//                   evidence): a stream of one entry (MAXLEN 1), field r, so that followers
//                   wait for the next one (XREAD BLOCK) instead of polling
//   breaker:signals list of failure signals "<processor>:<sent_at_ms>" for the health owner,
//                   who waits on it (BLMPOP)
//   health:owner    the health lease: "<n>:<token>" of the instance that calls the health
//                   endpoints, with expiry (any instance may take it once it expires)
//   health:call:<processor>  reservation of the next health call, system-wide (expiry)
//   instances       set of instance numbers;  alive:<n>  heartbeat of instance n (expiry):
//                   once it expires, a live instance claims n's queue, processing and held
// Multi-key moves are Lua scripts, so each is atomic. A payment costs a share of an intake
// (the intakes of one intake window go as one call), a share of a take (up to 64 per call)
// and a share of a record: the records that complete within one settle window go as one
// call (Coalescer). Four connections: the HTTP path's intake,
// the summaries (a long summary never delays an intake), the workers and the breaker, and
// the breaker's listener, the only one that blocks in Redis (wait_signals, wait_routing).
// The feeder is woken by this instance's own intake.
#pragma once
#include <memory>

#include "coalescer.hpp"
#include "redis_connection.hpp"
#include "ledger.hpp"
#include "membership_store.hpp"
#include "payment_queue.hpp"
#include "routing_state.hpp"

namespace rinha {

// How long the books keep what (0: for ever), and the intake's memory gate (config.hpp).
struct BooksOptions {
  int64_t ids_horizon_ms = 0;
  int64_t ledger_horizon_ms = 0;
  int64_t intake_memory_percent = 0;  // refuse intake past this % of maxmemory (0: never)
};

// One Redis holds them all, so RedisStore implements every store interface; each consumer
// sees only the one it uses.
class RedisStore final : public PaymentQueue, public Ledger, public RoutingState, public MembershipStore {
 public:
  // `settle_window`: how long records are collected into one batch (0: one event-loop turn).
  // `intake_window`: how long intakes are collected into one script call (0: one call each,
  // at once; app.cpp gives it only to intakes whose 202 does not wait for Redis).
  RedisStore(asio::any_io_executor ex, const RedisTarget& target, int app_name, std::chrono::milliseconds timeout,
             std::chrono::milliseconds settle_window = std::chrono::milliseconds{0}, BooksOptions books = {},
             std::chrono::milliseconds intake_window = std::chrono::milliseconds{0});
  void start();
  void stop();

  // PaymentQueue
  asio::awaitable<EnqueueStatus> enqueue(const Payment& p, bool waited_for = false) override;
  asio::awaitable<EnqueueStatus> enqueue_taken(const Payment& p, bool waited_for = false) override;
  bool intake_ready() const override { return http_.connected() && !intake_refused_; }
  asio::awaitable<TakeResult> take(size_t max, Processor pin_to, int64_t now_ms) override;
  asio::awaitable<bool> requeue_front(std::string_view old_item, std::string_view new_item) override;
  asio::awaitable<bool> dead_letter(std::string_view item) override;
  asio::awaitable<bool> hold(std::string_view old_item, std::string_view new_item, int64_t due_ms) override;
  asio::awaitable<std::optional<HeldRelease>> release_held(int64_t now_ms, size_t max) override;
  asio::awaitable<std::optional<int64_t>> recover_in_flight() override;
  asio::awaitable<std::optional<Backlog>> backlog() override;
  // Ledger
  asio::awaitable<bool> record(std::string_view item, const Payment& p, Processor where) override;
  asio::awaitable<std::optional<Summary>> summary(TimeRange range) override;
  asio::awaitable<bool> purge() override;
  asio::awaitable<std::optional<BooksState>> upkeep(int64_t now_ms) override;
  // MembershipStore
  asio::awaitable<std::optional<bool>> heartbeat(int64_t ttl_ms) override;
  asio::awaitable<std::optional<int64_t>> claim_dead_instances() override;
  // RoutingState
  asio::awaitable<std::optional<RoutingRecord>> load_routing() override;
  asio::awaitable<bool> save_routing(const RoutingRecord& r) override;
  asio::awaitable<std::optional<LeaseState>> hold_health_lease(std::string_view holder, int64_t ttl_ms) override;
  asio::awaitable<bool> reserve_health_call(Processor p, int64_t ttl_ms, bool only_if_free) override;
  asio::awaitable<bool> push_signal(const FailureSignal& signal) override;
  asio::awaitable<std::vector<FailureSignal>> take_signals() override;
  asio::awaitable<std::vector<FailureSignal>> wait_signals(int64_t wait_ms) override;
  asio::awaitable<std::optional<RoutingRecord>> wait_routing(std::string& cursor, int64_t wait_ms) override;

 private:
  // The intake (enqueue / enqueue_taken): to the queue or the processing hash, in one script
  // call per intake window (intake_batch), each payment with its own answer.
  asio::awaitable<EnqueueStatus> intake(const Payment& p, bool taken, bool waited_for);
  struct IntakeEntry {
    int64_t bucket;          // idempotency bucket of its acceptance time (0 without a horizon)
    std::string id;
    std::string item;
    bool taken;              // to the processing hash (a worker waits for it), not the queue
    EnqueueStatus* result;   // the caller's, which waits for the batch (set by intake_batch)
  };
  asio::awaitable<bool> intake_batch(const std::vector<IntakeEntry>& batch);
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

  std::string queue_key_, processing_key_, alive_key_, instance_, token_, held_key_;
  RedisConnection http_, work_, summary_, listen_;
  Script enqueue_script_, take_script_, record_script_, requeue_script_, dead_script_, recover_script_, claim_script_,
      heartbeat_script_, lease_script_, backlog_script_, purge_script_, hold_script_, release_script_;
  Script summary_script_, upkeep_script_, purge_books_script_;
  BooksOptions books_;
  bool intake_refused_ = false;  // set by upkeep() from Redis's used_memory
  Coalescer<LedgerEntry> records_;
  Coalescer<IntakeEntry> intakes_;
};

}  // namespace rinha
