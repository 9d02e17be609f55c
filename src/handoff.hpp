// Handoff: the intake asks whether a payment it accepts now may skip the queue and go
// straight to a worker of this instance (WorkerPool is the real one). At a steady load the
// feeder is idle between arrivals, so queueing each payment only to take it again cost one
// more Redis call and a wake-up of the feeder per payment or small batch (0.13 take calls
// per payment in final-2025); straight to a worker, the intake's own write pins it.
// Protocol: reserve() either says no, or reserves one worker slot and names the processor to
// pin the payment to; exactly one of hand_over() (it is pinned in the processing list now)
// or cancel() (it is not: a duplicate, a refusal, Redis unreachable) follows; after a
// cancel(true), recover_pinned_writes() may follow too (api.cpp, run_intake).
#pragma once
#include <optional>

#include "payment.hpp"

namespace rinha {

class Handoff {
 public:
  virtual ~Handoff() = default;
  virtual std::optional<Processor> reserve() = 0;
  virtual void hand_over(const Payment& pinned) = 0;
  // `maybe_written`: the write's answer was lost (Redis unreachable or late), so the
  // payment may be pinned anyway, with no worker: the pool must recover it.
  virtual void cancel(bool maybe_written) = 0;
  // After cancel(true): a write that may have pinned a payment is now known to have run in
  // Redis (a later intake of the same id found it). The processing list is recovered again,
  // since the recovery cancel(true) asked for may have run before that write did.
  virtual void recover_pinned_writes() = 0;
};

// Pins a payment the intake hands over to `to`, exactly as a take pins it: `requestedAt` is
// its acceptance time and it is in doubt before any byte is sent. The intake's write then
// stores it so in the processing hash.
inline void pin_for_handover(Payment& p, Processor to) {
  p.pin = to;
  p.requested_at_ms = p.accepted_at_ms;
  p.in_doubt = true;
}

}  // namespace rinha
