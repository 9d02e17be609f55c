// The health endpoint's limiter, shared by all callers of one processor: a fixed window
// of one call per window_ms; up to max_queued further calls are each answered at the
// start of one of the following windows (one per window); beyond that, reject (429).
// Time is passed in by the caller (an injected clock), so the logic is testable alone.
#pragma once

#include <cstdint>

namespace sim {

struct HealthDecision {
  enum class Kind { now, queued, rejected };
  Kind kind = Kind::rejected;
  int64_t answer_at_ms = 0;  // for queued: when to answer (start of a later window)
};

class HealthRateLimiter {
 public:
  // Windows are aligned to origin_ms: [origin + k*window, origin + (k+1)*window).
  HealthRateLimiter(int64_t window_ms, int max_queued, int64_t origin_ms);

  HealthDecision limiter_acquire(int64_t now_ms);
  int64_t window_ms() const { return window_ms_; }

 private:
  int64_t window_start_ms(int64_t now_ms) const;

  int64_t window_ms_;
  int max_queued_;
  int64_t origin_ms_;
  // Start of the earliest window whose permit is not yet promised to anyone. A value
  // past the current window means the current permit is used and every window in
  // between is reserved for a queued call.
  int64_t next_free_window_ms_;
};

}  // namespace sim
