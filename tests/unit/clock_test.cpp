#include "clock.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace rinha {
namespace {

TEST(Clock, SystemClockIsUtcMilliseconds) {
  SystemClock clock;
  const int64_t before_s = static_cast<int64_t>(std::time(nullptr));
  const int64_t ms = clock.now_ms();
  const int64_t after_s = static_cast<int64_t>(std::time(nullptr));
  EXPECT_GE(ms, before_s * 1000);
  EXPECT_LT(ms, (after_s + 1) * 1000);
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
