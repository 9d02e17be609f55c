// The routing policy, in one place: every rule the router applies to what it observed
// (health answers, send outcomes, time, configuration), as pure functions with
// table-driven tests (tests/unit/routing_policy_test.cpp). The objects that hold state and
// do I/O ask these: the health monitor (colour, outage clock, probe target), the worker
// pool (RED wait, probe cadence, which outcomes are failures), the HTTP processor client
// (what an answer says about storage).
#pragma once
#include <cstdint>

#include "colour.hpp"
#include "payment.hpp"
#include "processor_client.hpp"

namespace rinha {

// ---- Evidence: what is known of one processor ---------------------------------------

struct ProcessorView {
  bool health_known = false;     // a health answer has been received
  bool health_failing = false;   // the last health answer said failing
  int64_t min_response_ms = 0;   // the last health answer's minResponseTime
  int64_t checked_at_ms = 0;     // when that answer arrived
  int64_t last_failure_ms = -1;  // start of the latest failed send a worker signalled (5XX, timeout, refused)
  int64_t last_success_ms = -1;  // start of the latest send it stored
  bool operator==(const ProcessorView&) const = default;
};

// Healthy: the most recent evidence is good. Evidence is a health answer (good unless it
// says failing), a failed send, or a stored send, each dated; with no bad evidence at all
// a processor is presumed healthy. A failure of a send that started before a healthy
// answer is old news.
bool view_healthy(const ProcessorView& v);

// What two observers know of one processor, together: every piece of evidence is dated,
// so the newer health answer and the latest failure and success win.
ProcessorView merge_views(const ProcessorView& a, const ProcessorView& b);

// Its last health answer's minResponseTime says how fast it is now: that answer did not say
// failing. A failing answer's figure is the outage's (the 2025 tests fail a processor with
// a 2 s delay), and a processor found healthy since then by a stored send was not timed by
// any answer yet (seen: the default back at 20 ms judged 2 s slow from its outage's answer,
// and 264 of a preview's payments sent to the fallback until its next health call).
bool latency_known(const ProcessorView& v);

// ---- The colour ------------------------------------------------------------------------

// The knobs of the decision (from Config; no defaults of its own).
struct RoutingPolicy {
  int64_t latency_diff_ms;         // LATENCY_DIFF_TO_USE_FALLBACK
  int64_t default_outage_wait_ms;  // DEFAULT_OUTAGE_WAIT: hold payments this long for the
                                   // cheap processor before paying the dear one
};

// GREEN (default) / YELLOW (fallback) / RED (neither, hold the queue):
//   both healthy: YELLOW when default's minResponseTime exceeds fallback's by more than
//                 latency_diff_ms (both latency_known), otherwise GREEN;
//   only default healthy: GREEN;
//   only fallback healthy: RED while the default has been unhealthy for less than
//                 default_outage_wait_ms (`default_down_for_ms`), YELLOW after;
//   none healthy: RED.
Colour decide_colour(const ProcessorView& def, const ProcessorView& fb, const RoutingPolicy& policy,
                     int64_t default_down_for_ms);

// The outage clock: since when the default has been unhealthy (-1: it is healthy).
int64_t next_down_since(int64_t down_since_ms, bool default_healthy, int64_t now_ms);

// ---- Half-open: trying a processor that is down, with real payments ---------------------

constexpr int64_t kProbeIntervalMs = 250;  // at most one probe per this, one at a time

// Which processor to try now and then: the default while it is down; the fallback too
// when RED because it is down. none: nothing to probe.
Processor probe_target(const ProcessorView& def, const ProcessorView& fb, Colour decided);

// A probe may start: a target that the colour does not already send to, none in flight,
// and the interval since the last probe ended.
bool probe_due(Processor target, Colour colour, bool probing, int64_t since_last_probe_ms);

// ---- RED: the feeder's wait while nothing may be sent -------------------------------------

// Doubling from BACKOFF_BASE, capped at 4 polls and at the probe interval (a recovery is
// noticed within one poll; a probe is never delayed by the wait).
int64_t next_red_wait_ms(int64_t current_ms, int64_t breaker_poll_ms);

// ---- What a send's answer says --------------------------------------------------------

// `status` 0: no answer. `request_written`: this attempt's request reached the socket.
// `unanswered_before`: an earlier attempt of the same call went unanswered after its
// request was written (it may be stored): nothing but 2XX or 422 is better than in doubt.
SendOutcome::Kind classify_send(int status, bool request_written, bool unanswered_before);

// Outcomes that are evidence against the processor (the breaker is told). 429 slows the
// pacer instead; a 4XX refusal holds the payment; neither is an outage.
bool is_failure_evidence(SendOutcome::Kind kind);

// A follower forwards a failure signal to the health owner at most once per processor per
// poll period (the owner needs to hear of an outage, not of every failed payment).
bool forward_signal(int64_t now_ms, int64_t last_forwarded_ms, int64_t breaker_poll_ms);

}  // namespace rinha
