// Runs one scenario the way the official k6 scripts do: setup (processor token, purges),
// ramping VUs posting payments, processor stage changes, the periodic consistency audit,
// then teardown summaries. Everything runs on one thread, one coroutine per VU/job.
// A per-second monitor (processor totals, backend backlog) feeds the report only; its
// requests are kept out of the latency figures that the score uses.
#pragma once

#include "http_client.hpp"
#include "latency.hpp"
#include "scenario.hpp"
#include "summaries.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadtool {

struct RunOptions {
  Scenario scenario;
  std::string backend_url;
  // Where the backend's GET /metrics is (report only: rinha_backlog_total): http://host:port
  // or unix:PATH (an API's admin listener; :9999 does not forward it). Empty: not polled.
  std::string metrics_url;
  std::string default_url;
  std::string fallback_url;
  bool floor = false;                        // trivial responder: no processor calls
  std::string backend_token = "123";         // X-Rinha-Token for POST /purge-payments
  std::string initial_processor_token = "123";
  bool restore_processors = true;            // after teardown: delay 0, no failure, old token
  int64_t drain_s = 0;                       // > 0: after the score, wait up to this long for the
                                             // processors to hold every accepted payment
};

// Not part of the score: whether every POST answered 2XX was eventually stored by a
// processor, read from the processors' all-time summaries after the run (and after the
// restore, which ends any outage a router may be waiting out).
struct DrainResult {
  int64_t stored = 0;     // default + fallback requests when the wait ended
  int64_t lost = 0;       // POSTs answered 2XX - stored; < 0: more stored than accepted (paid twice)
  double waited_s = 0;    // from the end of the teardown until all were stored or the limit
};

struct ConsistencyCheck {
  int64_t at_ms = 0;  // since t0
  BackendSummary backend;
  SummaryCounts processor_default;
  SummaryCounts processor_fallback;
  int64_t inconsistencies = 0;
};

// Cumulative values polled once per second; -1 where unknown.
struct MonitorSample {
  int64_t at_ms = 0;
  int64_t default_requests = -1;
  int64_t fallback_requests = -1;
  double backlog = -1;
};

struct RunResult {
  int64_t start_wall_ms = 0;      // t0, the start of the payment phase
  double payment_phase_s = 0;     // t0 until the last VU finished
  int64_t payments_ok = 0;
  int64_t payments_failed = 0;
  int64_t payments_timeouts = 0;
  std::map<int, int64_t> post_status_counts;  // 0 = no response
  LatencyRecorder official;       // every expected (2XX/3XX) request of the test: the p99
  LatencyRecorder posts;          // POST /payments answered 2XX
  int64_t official_requests = 0;  // all requests the official script would make
  int64_t official_unexpected = 0;
  std::vector<int64_t> posts_sent_per_s;
  std::vector<int64_t> posts_ok_per_s;
  std::vector<int64_t> posts_failed_per_s;
  std::vector<MonitorSample> monitor;
  bool backlog_seen = false;
  std::vector<ConsistencyCheck> checks;
  int64_t inconsistencies = 0;
  std::optional<ProcessorSummary> teardown_default;
  std::optional<ProcessorSummary> teardown_fallback;
  std::optional<BackendSummary> teardown_backend;
  std::string teardown_from_iso, teardown_to_iso;
  std::optional<DrainResult> drain;
  std::vector<std::string> warnings;
  bool aborted = false;
  std::string abort_reason;
};

RunResult runner_run(const RunOptions& options);

// JSON body of one payment, with the amount written like JavaScript's JSON.stringify.
std::string runner_payment_body(const std::string& correlation_id, int64_t amount_cents);

}  // namespace loadtool
