// The health limiter with a fake clock: 1 call per fixed window, 2 queued (one per
// following window), the rest rejected; windows aligned to the limiter's origin.
#include "rate_limiter.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

using Kind = HealthDecision::Kind;

TEST(SimHealthLimiter, OneNowTwoQueuedThenReject) {
  HealthRateLimiter limiter(5000, 2, 100000);
  const int64_t now_ms = 101000;
  const HealthDecision first = limiter.limiter_acquire(now_ms);
  EXPECT_EQ(first.kind, Kind::now);
  const HealthDecision second = limiter.limiter_acquire(now_ms + 10);
  EXPECT_EQ(second.kind, Kind::queued);
  EXPECT_EQ(second.answer_at_ms, 105000);  // start of the next window
  const HealthDecision third = limiter.limiter_acquire(now_ms + 20);
  EXPECT_EQ(third.kind, Kind::queued);
  EXPECT_EQ(third.answer_at_ms, 110000);  // one per window
  EXPECT_EQ(limiter.limiter_acquire(now_ms + 30).kind, Kind::rejected);
  EXPECT_EQ(limiter.limiter_acquire(104999).kind, Kind::rejected);
}

TEST(SimHealthLimiter, QueueDrainsAsWindowsPass) {
  HealthRateLimiter limiter(5000, 2, 0);
  EXPECT_EQ(limiter.limiter_acquire(0).kind, Kind::now);
  EXPECT_EQ(limiter.limiter_acquire(1).kind, Kind::queued);    // window 5000
  EXPECT_EQ(limiter.limiter_acquire(2).kind, Kind::queued);    // window 10000
  EXPECT_EQ(limiter.limiter_acquire(3).kind, Kind::rejected);
  // In window 5000 its permit is already promised; one queued remains (10000).
  const HealthDecision d = limiter.limiter_acquire(5000);
  EXPECT_EQ(d.kind, Kind::queued);
  EXPECT_EQ(d.answer_at_ms, 15000);
  EXPECT_EQ(limiter.limiter_acquire(5001).kind, Kind::rejected);
  // Much later: everything has drained, a fresh window answers at once.
  EXPECT_EQ(limiter.limiter_acquire(60000).kind, Kind::now);
  EXPECT_EQ(limiter.limiter_acquire(64999).kind, Kind::queued);
}

TEST(SimHealthLimiter, OneCallPerWindowWhenSpacedOut) {
  HealthRateLimiter limiter(5000, 2, 0);
  for (int64_t t = 0; t < 50000; t += 5000) {
    EXPECT_EQ(limiter.limiter_acquire(t + 4999).kind, Kind::now) << t;
  }
}

TEST(SimHealthLimiter, ZeroQueueRejectsImmediately) {
  HealthRateLimiter limiter(1000, 0, 0);
  EXPECT_EQ(limiter.limiter_acquire(10).kind, Kind::now);
  EXPECT_EQ(limiter.limiter_acquire(20).kind, Kind::rejected);
  EXPECT_EQ(limiter.limiter_acquire(1000).kind, Kind::now);
}

}  // namespace
}  // namespace sim
