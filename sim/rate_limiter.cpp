// Fixed-window limiter as a single reservation cursor: each call takes the earliest
// unpromised window; how far that window is ahead of the current one says how many
// calls are already queued.
#include "rate_limiter.hpp"

namespace sim {

HealthRateLimiter::HealthRateLimiter(int64_t window_ms, int max_queued, int64_t origin_ms)
    : window_ms_(window_ms > 0 ? window_ms : 1),
      max_queued_(max_queued),
      origin_ms_(origin_ms),
      next_free_window_ms_(origin_ms) {}

int64_t HealthRateLimiter::window_start_ms(int64_t now_ms) const {
  int64_t k = (now_ms - origin_ms_) / window_ms_;
  if (now_ms < origin_ms_ && (now_ms - origin_ms_) % window_ms_ != 0) --k;
  return origin_ms_ + k * window_ms_;
}

HealthDecision HealthRateLimiter::limiter_acquire(int64_t now_ms) {
  const int64_t current = window_start_ms(now_ms);
  if (next_free_window_ms_ <= current) {
    next_free_window_ms_ = current + window_ms_;
    return {HealthDecision::Kind::now, now_ms};
  }
  const int64_t queued = (next_free_window_ms_ - current) / window_ms_ - 1;
  if (queued >= max_queued_) return {HealthDecision::Kind::rejected, 0};
  const int64_t answer_at_ms = next_free_window_ms_;
  next_free_window_ms_ += window_ms_;
  return {HealthDecision::Kind::queued, answer_at_ms};
}

}  // namespace sim
