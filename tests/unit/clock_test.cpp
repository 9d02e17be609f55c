#include "clock.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace rinha {
namespace {

// Against C's own UTC clock at full precision: std::time() reads the coarse clock, which may
// still show the previous second a few ms after a boundary (seen failing once under load).
int64_t c_utc_ms() {
  std::timespec ts{};
  std::timespec_get(&ts, TIME_UTC);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

TEST(Clock, SystemClockIsUtcMilliseconds) {
  SystemClock clock;
  const int64_t before = c_utc_ms();
  const int64_t ms = clock.now_ms();
  const int64_t after = c_utc_ms();
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after);
}

TEST(Clock, SteadyMicrosecondsNeverGoBack) {
  SystemClock clock;
  int64_t last = clock.steady_us();
  for (int i = 0; i < 1000; ++i) {
    const int64_t now = clock.steady_us();
    EXPECT_GE(now, last);
    last = now;
  }
}

}  // namespace
}  // namespace rinha
