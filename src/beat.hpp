// The shared beat: windows that end on one grid of the monotonic clock. CLOCK_MONOTONIC is
// the machine's (every process and container on one kernel reads the same one), so windows
// of the same length that end on multiples of it end together in every process: both API
// instances' batches reach Redis in the same instant, and Redis wakes once for all of them
// instead of once per batch (WINDOW_ALIGN; README "One beat for Redis").
#pragma once
#include <chrono>

namespace rinha {

// The first multiple of `period` (counted from the clock's epoch) after `now`: the end of
// the window `now` falls in. A zero or negative period: `now` itself.
template <typename Clock, typename Duration>
std::chrono::time_point<Clock, Duration> next_beat(std::chrono::time_point<Clock, Duration> now,
                                                   std::chrono::milliseconds period) {
  const auto p = std::chrono::duration_cast<Duration>(period);
  if (p <= Duration::zero()) return now;
  const auto since = now.time_since_epoch();
  return std::chrono::time_point<Clock, Duration>((since / p + 1) * p);
}

}  // namespace rinha
