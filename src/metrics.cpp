// Prometheus text exposition of Metrics.
#include "metrics.hpp"

#include <fmt/format.h>

namespace rinha {

void LatencyHistogram::observe_us(int64_t us) {
  ++count_;
  sum_us_ += us;
  for (size_t i = 0; i < kBoundsUs.size(); ++i) {
    if (us <= kBoundsUs[i]) {
      ++buckets_[i];
      return;
    }
  }
}

void LatencyHistogram::render(std::string& out, const char* name, const char* help) const {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  int64_t cumulative = 0;
  for (size_t i = 0; i < kBoundsUs.size(); ++i) {
    cumulative += buckets_[i];
    fmt::format_to(it, "{}_bucket{{le=\"{}\"}} {}\n", name, kBoundsUs[i] / 1e6, cumulative);
  }
  fmt::format_to(it, "{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, count_, name, sum_us_ / 1e6, name,
                 count_);
}

std::string Metrics::stats_fields() const {
  return fmt::format(
      "accepted={} duplicate={} invalid={} unavailable={} in_flight={} in_doubt={} send_rate={} stored_default={} "
      "stored_fallback={} failures_default={} failures_fallback={} timeouts_default={} timeouts_fallback={} "
      "requeued={} dead={} held_default={} held_fallback={} released={} lookup_settled={} lookup_unpinned={} "
      "lookup_failed={} claimed={} colour={} health_owner={} refused_full={} redis_used_memory={} answered_before_redis={} "
      "intake_unconfirmed={} intake_retries={}",
      payments_accepted, payments_duplicate, payments_invalid, payments_unavailable, in_flight, in_doubt, send_rate, stored[1],
      stored[2], send_failures[1], send_failures[2], timeouts[1], timeouts[2], requeued, dead_lettered,
      held[1], held[2], released, lookup_settled, lookup_unpinned, lookup_failed, claimed, colour_name(colour), health_owner,
      payments_refused_full, redis_used_memory, answered_before_redis, intake_unconfirmed, intake_retries);
}

std::string Metrics::render(const std::optional<Backlog>& backlog, int app_name) const {
  std::string out;
  out.reserve(4096);
  auto it = std::back_inserter(out);
  auto gauge = [&](const char* name, const char* help, int64_t v) {
    fmt::format_to(it, "# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, v);
  };
  auto counter = [&](const char* name, const char* help, int64_t v) {
    fmt::format_to(it, "# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, v);
  };
  auto per_processor = [&](const char* name, const char* help, const std::array<int64_t, 3>& v) {
    fmt::format_to(it, "# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    fmt::format_to(it, "{}{{processor=\"default\"}} {}\n{}{{processor=\"fallback\"}} {}\n", name, v[1], name, v[2]);
  };
  gauge("rinha_instance", "instance number (APP_NAME)", app_name);
  if (backlog) {
    gauge("rinha_backlog_total", "payments waiting in all instances' queues", backlog->queued);
    gauge("rinha_queue_depth", "payments waiting in this instance's queue", backlog->own_queued);
    gauge("rinha_processing", "payments in this instance's processing list", backlog->processing);
    gauge("rinha_held", "payments in this instance's held set, waiting for their retry time", backlog->held);
  }
  counter("rinha_payments_accepted_total", "POST /payments answered 202", payments_accepted);
  counter("rinha_payments_duplicate_total", "POST /payments of an already accepted correlationId", payments_duplicate);
  counter("rinha_payments_invalid_total", "POST /payments rejected with 4XX", payments_invalid);
  counter("rinha_payments_unavailable_total", "POST /payments answered 503 (storage unreachable)", payments_unavailable);
  counter("rinha_summaries_total", "GET /payments-summary served", summaries_served);
  counter("rinha_payments_refused_full_total", "POST /payments answered 503 because Redis's memory is past INTAKE_MEMORY_LIMIT", payments_refused_full);
  counter("rinha_payments_answered_before_redis_total", "POST /payments answered 202 once INTAKE_ACK_BUDGET passed without Redis's answer", answered_before_redis);
  gauge("rinha_intake_unconfirmed", "payments answered before Redis whose intake has no definite outcome yet", intake_unconfirmed);
  counter("rinha_intake_retries_total", "intake writes of payments answered before Redis sent again (unanswered or refused)", intake_retries);
  gauge("rinha_redis_used_memory_bytes", "Redis used_memory at the last books upkeep", redis_used_memory);
  gauge("rinha_redis_maxmemory_bytes", "Redis maxmemory (0: none)", redis_max_memory);
  counter("rinha_ledger_trimmed_total", "ledger members removed past LEDGER_HORIZON by this instance", ledger_trimmed);
  gauge("rinha_in_flight", "payments being processed by this instance's workers", in_flight);
  gauge("rinha_in_doubt", "payments in flight whose last send ended without a definite answer", in_doubt);
  gauge("rinha_send_rate", "the pacer's current take rate, payments per second", send_rate);
  per_processor("rinha_stored_total", "payments recorded as stored by the processor", stored);
  per_processor("rinha_duplicate_422_total", "sends answered 422 (already stored)", duplicates_422);
  per_processor("rinha_send_failures_total", "sends answered 5XX/429 or not completed", send_failures);
  per_processor("rinha_send_timeouts_total", "sends that hit the deadline", timeouts);
  counter("rinha_requeued_total", "payments put back at the head of the queue", requeued);
  counter("rinha_dead_lettered_total", "queue items that can never be processed (undecodable)", dead_lettered);
  per_processor("rinha_held_total", "sends refused with a 4XX other than 422/429: the payment is held, then retried",
                held);
  counter("rinha_released_total", "held payments moved back to the queue", released);
  counter("rinha_lookup_settled_total", "payments in doubt found by GET /payments/{id} and recorded", lookup_settled);
  counter("rinha_lookup_unpinned_total", "payments in doubt not found after the quiet time, unpinned", lookup_unpinned);
  counter("rinha_lookup_failed_total", "lookups of payments in doubt left unanswered (still pinned)", lookup_failed);
  counter("rinha_handed_over_total", "payments the intake handed straight to a free worker (never queued)", handed_over);
  counter("rinha_recovered_total", "payments moved back from the processing list at start", recovered);
  counter("rinha_claimed_total", "payments taken over from instances whose heartbeat expired", claimed);
  counter("rinha_membership_lapses_total", "times this instance found its own heartbeat expired", membership_lapses);
  fmt::format_to(it, "# HELP rinha_breaker_colour breaker colour (0 GREEN, 1 YELLOW, 2 RED)\n# TYPE rinha_breaker_colour gauge\n"
                     "rinha_breaker_colour {}\n", static_cast<int>(colour));
  counter("rinha_breaker_changes_total", "colour changes seen", colour_changes);
  counter("rinha_health_calls_total", "health endpoint calls made by this instance", health_calls);
  gauge("rinha_health_owner", "1 while this instance holds the health lease", health_owner);
  gauge("rinha_routing_stale", "1 while no fresh decision is published and this instance decides on its own evidence",
        routing_stale);
  http_latency.render(out, "rinha_http_request_duration_seconds", "time to handle an API request");
  return out;
}

}  // namespace rinha
