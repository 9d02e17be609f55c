// The circuit breaker's state on this instance: the colour the workers read (no I/O), the
// processor to probe, and where failed and stored sends are reported. What the colour
// should be is the routing policy's (routing_policy.hpp), decided by the health monitor.
#pragma once
#include <cstdint>
#include <functional>

#include "colour.hpp"
#include "payment.hpp"
#include "routing_policy.hpp"

namespace rinha {

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
