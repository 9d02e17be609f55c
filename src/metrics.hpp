// Process metrics, rendered in Prometheus text format by GET /metrics. Single-threaded:
// plain integers, no atomics. Gauges that live in Redis (queue depth) are read at scrape.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "colour.hpp"
#include "processor_client.hpp"
#include "payment_queue.hpp"  // Backlog

namespace rinha {

// Fixed-bucket latency histogram (seconds in the exposition, microseconds inside).
class LatencyHistogram {
 public:
  static constexpr std::array<int64_t, 16> kBoundsUs = {100,   250,   500,    1000,   2000,   5000,    10000,   25000,
                                                        50000, 100000, 250000, 500000, 1000000, 1500000, 3000000, 10000000};
  void observe_us(int64_t us);
  void render(std::string& out, const char* name, const char* help) const;
  int64_t count() const { return count_; }

 private:
  std::array<int64_t, kBoundsUs.size()> buckets_{};
  int64_t count_ = 0;
  int64_t sum_us_ = 0;
};

struct Metrics {
  // HTTP
  LatencyHistogram http_latency;
  int64_t payments_accepted = 0;
  int64_t payments_duplicate = 0;
  int64_t payments_invalid = 0;
  int64_t payments_unavailable = 0;
  int64_t summaries_served = 0;
  int64_t payments_refused_full = 0;  // 503: Redis's memory past INTAKE_MEMORY_LIMIT
  int64_t answered_before_redis = 0;  // 202 sent past INTAKE_ACK_BUDGET, before Redis's answer
  int64_t intake_unconfirmed = 0;     // of those, intakes still without a definite outcome
  int64_t intake_retries = 0;         // their writes sent again (unanswered or refused)
  // Books (Ledger::upkeep)
  int64_t redis_used_memory = 0;
  int64_t redis_max_memory = 0;
  int64_t ledger_trimmed = 0;
  // Workers
  int64_t in_flight = 0;
  int64_t in_doubt = 0;  // in flight with a send outcome unknown
  int64_t send_rate = 0; // the pacer's current take rate, payments/s
  std::array<int64_t, 3> stored{};          // by Processor
  std::array<int64_t, 3> duplicates_422{};  // by Processor
  std::array<int64_t, 3> send_failures{};   // by Processor: 5XX, 429, refused, timeout
  std::array<int64_t, 3> timeouts{};        // by Processor
  int64_t requeued = 0;
  int64_t dead_lettered = 0;
  std::array<int64_t, 3> held{};            // by Processor: refused with a 4XX other than 422/429, held
  int64_t released = 0;                     // held payments moved back to the queue
  int64_t lookup_settled = 0;               // in doubt, found by GET /payments/{id}: recorded
  int64_t lookup_unpinned = 0;              // in doubt, not found after the quiet time: unpinned
  int64_t lookup_failed = 0;                // the lookup got no answer: still pinned, reported
  int64_t recovered = 0;
  int64_t handed_over = 0;       // accepted straight into a free worker (Handoff), never queued
  int64_t claimed = 0;           // payments taken over from instances whose heartbeat expired
  int64_t membership_lapses = 0; // this instance's own heartbeat had expired (its work may have been claimed)
  // Breaker
  Colour colour = Colour::green;
  int64_t colour_changes = 0;
  int64_t health_calls = 0;
  int64_t health_owner = 0;      // 1 while this instance holds the health lease
  int64_t routing_stale = 0;     // 1 while a follower acts on its own evidence (no fresh decision)

  // key=value fields for the periodic "stats" log line (counters since start).
  std::string stats_fields() const;

  // Appends the exposition; `backlog` is optional (Redis may be unreachable).
  std::string render(const std::optional<Backlog>& backlog, int app_name) const;
};

}  // namespace rinha
