#include "metrics.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

TEST(Metrics, HistogramBucketsAreCumulative) {
  LatencyHistogram h;
  h.observe_us(50);
  h.observe_us(300);
  h.observe_us(20'000'000);  // beyond the last bound: only +Inf
  std::string out;
  h.render(out, "x", "help");
  EXPECT_NE(out.find("x_bucket{le=\"0.0001\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("x_bucket{le=\"0.0005\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("x_bucket{le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("x_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("x_count 3\n"), std::string::npos);
}

TEST(Metrics, RendersPerProcessorCountersAndBacklog) {
  Metrics m;
  m.stored = {0, 7, 2};
  m.colour = Colour::yellow;
  const std::string out = m.render(Backlog{12, 5, 3}, 2);
  EXPECT_NE(out.find("rinha_stored_total{processor=\"default\"} 7\n"), std::string::npos);
  EXPECT_NE(out.find("rinha_stored_total{processor=\"fallback\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("rinha_backlog_total 12\n"), std::string::npos);
  EXPECT_NE(out.find("rinha_breaker_colour 1\n"), std::string::npos);
  EXPECT_EQ(m.render(std::nullopt, 1).find("rinha_backlog_total"), std::string::npos);
}

TEST(Metrics, HeldPaymentsAndLookupsAreShown) {
  Metrics m;
  m.held = {0, 4, 1};
  m.lookup_failed = 2;
  const std::string out = m.render(Backlog{0, 0, 0, 5}, 1);
  EXPECT_NE(out.find("rinha_held 5\n"), std::string::npos);
  EXPECT_NE(out.find("rinha_held_total{processor=\"default\"} 4\n"), std::string::npos);
  EXPECT_NE(out.find("rinha_lookup_failed_total 2\n"), std::string::npos);
  const std::string stats = m.stats_fields();
  EXPECT_NE(stats.find("held_default=4 held_fallback=1"), std::string::npos);
  EXPECT_NE(stats.find("lookup_failed=2"), std::string::npos);
}

}  // namespace
}  // namespace rinha
