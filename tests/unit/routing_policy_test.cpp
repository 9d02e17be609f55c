// The routing policy's rules, each with a table (src/routing_policy.hpp).
#include "routing_policy.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

ProcessorView healthy(int64_t min_rt = 0) { return {true, false, min_rt, 1000, -1}; }
ProcessorView failing_health() { return {true, true, 0, 1000, -1}; }
ProcessorView failed_since_check() { return {true, false, 0, 1000, 1500}; }
ProcessorView unknown() { return {}; }
// Health said failing (slow, as an outage's answer is), then a send started later was stored.
ProcessorView recovered_by_send(int64_t min_rt) { return {true, true, min_rt, 1000, -1, 1500}; }
ProcessorView unknown_but_failed() { return {false, false, 0, 0, 10}; }

struct Case {
  const char* name;
  ProcessorView def, fb;
  int64_t diff_ms;
  Colour expected;
  int64_t wait_ms = 0;         // DEFAULT_OUTAGE_WAIT
  int64_t default_down_for_ms = 0;
};

TEST(RoutingPolicy, DecisionTable) {
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
      {"default back by a stored send: its outage's latency is not its own", recovered_by_send(2000), healthy(20), 1000, Colour::green},
      {"fallback back by a stored send, default slow", healthy(2000), recovered_by_send(0), 1000, Colour::green},
      {"default slow by a healthy answer, fallback fast", healthy(2000), healthy(20), 1000, Colour::yellow},
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

TEST(RoutingPolicy, AFailureIsForgivenByALaterHealthyAnswer) {
  ProcessorView v = healthy();
  v.last_failure_ms = 900;  // before the check at 1000
  EXPECT_TRUE(view_healthy(v));
  v.last_failure_ms = 1000;  // same instant: not proven healthy after it
  EXPECT_FALSE(view_healthy(v));
}

TEST(RoutingPolicy, TheMostRecentEvidenceDecides) {
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

TEST(RoutingPolicy, MergedViewsKeepTheNewestEvidence) {
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


TEST(RoutingPolicy, OutageClock) {
  struct {
    const char* name;
    int64_t since;
    bool healthy;
    int64_t expected;
  } cases[] = {
      {"healthy: no outage", -1, true, -1},
      {"goes down now", -1, false, 5000},
      {"still down: keeps counting from the start", 1200, false, 1200},
      {"back up: the clock resets", 1200, true, -1},
  };
  for (const auto& c : cases) EXPECT_EQ(next_down_since(c.since, c.healthy, 5000), c.expected) << c.name;
}

TEST(RoutingPolicy, ProbeTarget) {
  const ProcessorView up{true, false, 0, 1000, -1, -1};
  const ProcessorView down{true, true, 0, 1000, -1, -1};
  struct {
    const char* name;
    ProcessorView def, fb;
    Colour decided;
    Processor expected;
  } cases[] = {
      {"both up: nothing to try", up, up, Colour::green, Processor::none},
      {"default down: try it", down, up, Colour::red, Processor::default_},
      {"default down, paying the fallback: still try the default", down, up, Colour::yellow, Processor::default_},
      {"both down: the default first", down, down, Colour::red, Processor::default_},
      {"fallback down, default fine", up, down, Colour::green, Processor::none},
  };
  for (const auto& c : cases) EXPECT_EQ(probe_target(c.def, c.fb, c.decided), c.expected) << c.name;
}

TEST(RoutingPolicy, ProbeCadence) {
  struct {
    const char* name;
    Processor target;
    Colour colour;
    bool probing;
    int64_t since_last;
    bool expected;
  } cases[] = {
      {"due", Processor::default_, Colour::red, false, kProbeIntervalMs, true},
      {"too soon", Processor::default_, Colour::red, false, kProbeIntervalMs - 1, false},
      {"one at a time", Processor::default_, Colour::red, true, 10 * kProbeIntervalMs, false},
      {"nothing to probe", Processor::none, Colour::red, false, 10 * kProbeIntervalMs, false},
      {"the colour already sends there", Processor::default_, Colour::green, false, 10 * kProbeIntervalMs, false},
      {"the default while paying the fallback", Processor::default_, Colour::yellow, false, kProbeIntervalMs, true},
  };
  for (const auto& c : cases) EXPECT_EQ(probe_due(c.target, c.colour, c.probing, c.since_last), c.expected) << c.name;
}

TEST(RoutingPolicy, RedWaitDoublesUpToFourPollsAndTheProbeInterval) {
  struct {
    int64_t current, poll, expected;
  } cases[] = {{20, 50, 40}, {40, 50, 80}, {160, 50, 200}, {200, 50, 200}, {200, 100, 250}, {250, 100, 250}, {5, 1, 4}};
  for (const auto& c : cases) EXPECT_EQ(next_red_wait_ms(c.current, c.poll), c.expected) << c.current << "/" << c.poll;
}

TEST(RoutingPolicy, WhatASendsAnswerSaysAboutStorage) {
  using K = SendOutcome::Kind;
  struct {
    const char* name;
    int status;
    bool written, unanswered_before;
    K expected;
  } cases[] = {
      {"200", 200, true, false, K::stored},
      {"201", 201, true, false, K::stored},
      {"422: it holds it already", 422, true, false, K::duplicate},
      {"429", 429, true, false, K::overloaded},
      {"500", 500, true, false, K::rejected},
      {"503", 503, true, false, K::rejected},
      {"400: refused", 400, true, false, K::invalid},
      {"404: refused", 404, true, false, K::invalid},
      {"no answer after writing", 0, true, false, K::in_doubt},
      {"no answer, nothing written", 0, false, false, K::not_sent},
      {"retry answered 500 after an unanswered write", 500, true, true, K::in_doubt},
      {"retry answered 429 after an unanswered write", 429, true, true, K::in_doubt},
      {"retry not connected after an unanswered write", 0, false, true, K::in_doubt},
      {"retry answered 200 after an unanswered write", 200, true, true, K::stored},
      {"retry answered 422 after an unanswered write", 422, true, true, K::duplicate},
  };
  for (const auto& c : cases) EXPECT_EQ(classify_send(c.status, c.written, c.unanswered_before), c.expected) << c.name;
}

TEST(RoutingPolicy, WhichOutcomesAreEvidenceOfAnOutage) {
  using K = SendOutcome::Kind;
  struct {
    K kind;
    bool expected;
  } cases[] = {{K::stored, false},   {K::duplicate, false}, {K::rejected, true}, {K::overloaded, false},
               {K::invalid, false},  {K::not_sent, true},   {K::in_doubt, true}};
  for (const auto& c : cases) EXPECT_EQ(is_failure_evidence(c.kind), c.expected) << static_cast<int>(c.kind);
}

TEST(RoutingPolicy, FollowersForwardAtMostOneSignalPerPoll) {
  EXPECT_TRUE(forward_signal(1000, 950, 50));
  EXPECT_FALSE(forward_signal(1000, 951, 50));
  EXPECT_TRUE(forward_signal(1000, INT64_MIN / 2, 50));  // never forwarded yet
}

}  // namespace
}  // namespace rinha
