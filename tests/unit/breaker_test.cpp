#include "breaker.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

ProcessorView healthy(int64_t min_rt = 0) { return {true, false, min_rt, 1000, -1}; }
ProcessorView failing_health() { return {true, true, 0, 1000, -1}; }
ProcessorView failed_since_check() { return {true, false, 0, 1000, 1500}; }
ProcessorView unknown() { return {}; }
ProcessorView unknown_but_failed() { return {false, false, 0, 0, 10}; }

struct Case {
  const char* name;
  ProcessorView def, fb;
  int64_t diff_ms;
  Colour expected;
  int64_t wait_ms = 0;         // DEFAULT_OUTAGE_WAIT
  int64_t default_down_for_ms = 0;
};

TEST(Breaker, DecisionTable) {
  const Case cases[] = {
      {"both healthy and fast", healthy(), healthy(), 100, Colour::green},
      {"nothing known yet: optimistic", unknown(), unknown(), 100, Colour::green},
      {"default failing by health", failing_health(), healthy(), 100, Colour::yellow},
      {"default failed since its last check", failed_since_check(), healthy(), 100, Colour::yellow},
      {"default failed, never checked", unknown_but_failed(), healthy(), 100, Colour::yellow},
      {"fallback failing, default fine", healthy(), failing_health(), 100, Colour::green},
      {"both failing", failing_health(), failed_since_check(), 100, Colour::red},
      {"default slower by more than diff", healthy(1000), healthy(0), 100, Colour::yellow},
      {"default slower by exactly diff", healthy(100), healthy(0), 100, Colour::green},
      {"default slower, fallback failing", healthy(5000), failing_health(), 100, Colour::green},
      {"default slow but fallback slower", healthy(1000), healthy(1000), 100, Colour::green},
      {"default slow, fallback unknown", healthy(1000), unknown(), 100, Colour::green},
      {"default slow within a larger diff", healthy(1000), healthy(0), 1000, Colour::green},
      {"default slower than a larger diff", healthy(2000), healthy(0), 1000, Colour::yellow},
      {"default down, waiting for it", failing_health(), healthy(), 100, Colour::red, 20000, 5000},
      {"default down longer than the wait", failing_health(), healthy(), 100, Colour::yellow, 20000, 20000},
      {"both down, waiting or not", failing_health(), failing_health(), 100, Colour::red, 20000, 30000},
      {"default fine, the wait is moot", healthy(), failing_health(), 100, Colour::green, 20000, 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(decide_colour(c.def, c.fb, RoutingPolicy{c.diff_ms, c.wait_ms}, c.default_down_for_ms), c.expected)
        << c.name;
  }
}

TEST(Breaker, AFailureIsForgivenByALaterHealthyAnswer) {
  ProcessorView v = healthy();
  v.last_failure_ms = 900;  // before the check at 1000
  EXPECT_TRUE(view_healthy(v));
  v.last_failure_ms = 1000;  // same instant: not proven healthy after it
  EXPECT_FALSE(view_healthy(v));
}

TEST(Breaker, TheMostRecentEvidenceDecides) {
  ProcessorView v = failing_health();  // health said failing at 1000
  EXPECT_FALSE(view_healthy(v));
  v.last_success_ms = 1200;  // a payment sent at 1200 was stored
  EXPECT_TRUE(view_healthy(v));
  v.last_failure_ms = 1300;  // a later one failed
  EXPECT_FALSE(view_healthy(v));
  ProcessorView u = unknown_but_failed();
  u.last_success_ms = 11;
  EXPECT_TRUE(view_healthy(u));
}

TEST(Breaker, SignalsGoToTheSink) {
  std::vector<FailureSignal> got;
  Breaker b([&](const FailureSignal& sig) { got.push_back(sig); });
  b.signal_failure(Processor::default_, 1234);
  EXPECT_EQ(got, (std::vector<FailureSignal>{{Processor::default_, 1234}}));
  EXPECT_EQ(b.colour(), Colour::green);
  b.set_colour(Colour::red);
  EXPECT_EQ(b.colour(), Colour::red);
  b.signal_success(Processor::default_, 5);  // no success sink: ignored (instance 2)
  std::vector<FailureSignal> ok;
  b.set_success_sink([&](const FailureSignal& sig) { ok.push_back(sig); });
  b.signal_success(Processor::default_, 6);
  EXPECT_EQ(ok, (std::vector<FailureSignal>{{Processor::default_, 6}}));
}

}  // namespace
}  // namespace rinha

namespace rinha {
namespace {

TEST(Breaker, MergedViewsKeepTheNewestEvidence) {
  const ProcessorView old_owner{true, true, 300, 1000, 900, -1};  // failing answer at 1000
  const ProcessorView mine{false, false, 0, 0, 1200, 1100};        // no answer; a failure at 1200
  const ProcessorView m = merge_views(mine, old_owner);
  EXPECT_TRUE(m.health_known);
  EXPECT_TRUE(m.health_failing);
  EXPECT_EQ(m.min_response_ms, 300);
  EXPECT_EQ(m.checked_at_ms, 1000);
  EXPECT_EQ(m.last_failure_ms, 1200);
  EXPECT_EQ(m.last_success_ms, 1100);
  const ProcessorView newer_answer{true, false, 5, 2000, -1, -1};
  const ProcessorView n = merge_views(m, newer_answer);
  EXPECT_FALSE(n.health_failing);  // the later answer wins
  EXPECT_EQ(n.checked_at_ms, 2000);
  EXPECT_EQ(merge_views(newer_answer, m).checked_at_ms, 2000);  // whichever side it is on
  EXPECT_TRUE(view_healthy(n));
}

}  // namespace
}  // namespace rinha
