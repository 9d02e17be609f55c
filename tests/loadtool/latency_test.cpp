// Percentiles follow k6's interpolation between closest ranks.
#include "latency.hpp"

#include <gtest/gtest.h>

using namespace loadtool;

TEST(Latency, InterpolatesLikeK6) {
  std::vector<uint32_t> v;
  for (uint32_t ms = 100; ms >= 1; --ms) v.push_back(ms * 1000);  // unsorted on purpose
  auto s = latency_summarize(v);
  EXPECT_EQ(s.count, 100);
  EXPECT_NEAR(s.p50_ms, 50.5, 1e-9);
  EXPECT_NEAR(s.p99_ms, 99.01, 1e-9);
  EXPECT_NEAR(s.max_ms, 100, 1e-9);
  EXPECT_NEAR(s.mean_ms, 50.5, 1e-9);
}

TEST(Latency, EmptyAndSingle) {
  EXPECT_EQ(latency_summarize({}).count, 0);
  auto s = latency_summarize({1234});
  EXPECT_NEAR(s.p99_ms, 1.234, 1e-9);
}

TEST(Latency, RecorderBucketsBySecond) {
  LatencyRecorder r;
  r.record(-5, 1000);
  r.record(999, 2000);
  r.record(2500, 3000);
  ASSERT_EQ(r.per_second_us().size(), 3u);
  EXPECT_EQ(r.per_second_us()[0].size(), 2u);
  EXPECT_TRUE(r.per_second_us()[1].empty());
  EXPECT_EQ(r.all_us().size(), 3u);
}
