// The circuit breaker. Its decision is a pure function of what the router has observed
// (health answers and failures seen by workers); the Breaker object holds this instance's
// view of the shared colour and forwards failure signals to the health monitor.
#pragma once
#include <cstdint>
#include <functional>

#include "colour.hpp"
#include "payment.hpp"

namespace rinha {

// What is known of one processor.
struct ProcessorView {
  bool health_known = false;     // a health answer has been received
  bool health_failing = false;   // the last health answer said failing
  int64_t min_response_ms = 0;   // the last health answer's minResponseTime
  int64_t checked_at_ms = 0;     // when that answer arrived
  int64_t last_failure_ms = -1;  // start of the latest failed send a worker signalled (5XX, timeout, refused)
  int64_t last_success_ms = -1;  // start of the latest send it stored, seen by the health owner
  bool operator==(const ProcessorView&) const = default;
};

// Healthy: the most recent evidence is good. Evidence is a health answer (good unless it
// says failing), a failed send, or a stored send, each dated; with no bad evidence at all
// a processor is presumed healthy.
bool view_healthy(const ProcessorView& v);

// What two observers know of one processor, together: every piece of evidence is dated,
// so the newer health answer and the latest failure and success win.
ProcessorView merge_views(const ProcessorView& a, const ProcessorView& b);

// The knobs of the decision (from Config).
struct RoutingPolicy {
  int64_t latency_diff_ms;         // LATENCY_DIFF_TO_USE_FALLBACK (no defaults here: the config table's)
  int64_t default_outage_wait_ms;  // DEFAULT_OUTAGE_WAIT: hold payments this long for the
                                        // cheap processor before paying the dear one
};

// GREEN (default) / YELLOW (fallback) / RED (neither, hold the queue):
//   both healthy: YELLOW when default's minResponseTime exceeds fallback's by more than
//                 latency_diff_ms (both known), otherwise GREEN;
//   only default healthy: GREEN;
//   only fallback healthy: RED while the default has been unhealthy for less than
//                 default_outage_wait_ms (`default_down_for_ms`), YELLOW after;
//   none healthy: RED.
Colour decide_colour(const ProcessorView& def, const ProcessorView& fb, const RoutingPolicy& policy,
                     int64_t default_down_for_ms);

// This instance's breaker. colour() is a local read (no I/O) for the workers.
class Breaker {
 public:
  using SignalSink = std::function<void(const FailureSignal&)>;

  Breaker() = default;
  explicit Breaker(SignalSink sink) : sink_(std::move(sink)) {}
  // Where failed and stored sends are reported (the health monitor), to notice outages and recoveries.
  void set_failure_sink(SignalSink sink) { sink_ = std::move(sink); }
  void set_success_sink(SignalSink sink) { success_sink_ = std::move(sink); }
  Colour colour() const { return colour_; }
  void set_colour(Colour c) { colour_ = c; }
  // The processor to try with one real payment now and then (half-open breaker), or none.
  Processor probe() const { return probe_; }
  void set_probe(Processor p) { probe_ = p; }
  // A worker saw a send to `p`, started at `sent_at_ms`, fail: tell the health owner.
  void signal_failure(Processor p, int64_t sent_at_ms) {
    if (sink_) sink_(FailureSignal{p, sent_at_ms});
  }
  // A worker saw a send to `p`, started at `sent_at_ms`, stored.
  void signal_success(Processor p, int64_t sent_at_ms) {
    if (success_sink_) success_sink_(FailureSignal{p, sent_at_ms});
  }

 private:
  Colour colour_ = Colour::green;
  Processor probe_ = Processor::none;
  SignalSink sink_;
  SignalSink success_sink_;
};

}  // namespace rinha
