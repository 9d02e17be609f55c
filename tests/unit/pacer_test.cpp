#include "pacer.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

PacerSettings settings(double start = 1000, double min = 50, double max = 0) {
  PacerSettings s;
  s.start_rate = start;
  s.min_rate = min;
  s.max_rate = max;
  s.limited_recently_ms = 1'000'000'000;  // a backlog all along (tests below mark it at t=0)
  return s;
}

// Round trips as (ms since start, rtt us); `run(from, n, step, rtt)` is n of them.
using Samples = std::vector<std::pair<int64_t, int64_t>>;
Samples run(int64_t from_ms, int n, int64_t step_ms, int64_t rtt_us) {
  Samples out;
  for (int i = 0; i < n; ++i) out.emplace_back(from_ms + i * step_ms, rtt_us);
  return out;
}
Samples operator+(Samples a, const Samples& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct RttCase {
  const char* name;
  Samples rtts;
  double expected_rate;
};

TEST(Pacer, RoundTripRules) {
  const RttCase cases[] = {
      {"steady round trips keep the rate", Samples{{0, 200}, {10, 210}, {20, 190}, {30, 250}}, 1000},
      {"one late reply is smoothed away", run(0, 2, 10, 200) + Samples{{20, 20000}}, 1000},
      {"a run of late replies halves it", run(0, 2, 10, 200) + run(20, 8, 10, 20000), 500},
      {"late but within the slack: no cut", run(0, 2, 10, 200) + run(20, 20, 10, 4000), 1000},
      {"slow but within the factor: no cut", run(0, 2, 10, 2000) + run(20, 20, 10, 7500), 1000},
      {"two episodes apart: two cuts", run(0, 2, 10, 200) + run(20, 5, 10, 20000) + run(600, 5, 10, 20000), 250},
      {"the first sample alone decides nothing", Samples{{0, 90000}}, 1000},
      {"cuts stop at the minimum", Samples{{0, 100}} + run(1, 9, 500, 50000), 50},
  };
  for (const RttCase& c : cases) {
    Pacer p(settings());
    p.taken(0, 0, true);  // a backlog is waiting
    for (auto [at, rtt] : c.rtts) p.observe_rtt(at, rtt);
    EXPECT_DOUBLE_EQ(p.rate(), c.expected_rate) << c.name;
  }
}

TEST(Pacer, TheMinimumIsRecentNotAllTime) {
  PacerSettings s = settings();
  s.min_window_ms = 1000;
  const Samples slower = run(3100, 8, 10, 8000);  // 8 ms round trips
  Pacer fresh(s);  // its minimum is 0.1 ms: 8 ms is congestion
  fresh.taken(0, 0, true);
  for (auto [at, rtt] : Samples{{3000, 100}} + slower) fresh.observe_rtt(at, rtt);
  EXPECT_DOUBLE_EQ(fresh.rate(), 500);
  Pacer p(s);  // 0.1 ms long ago, 3 ms for the last two windows: 8 ms is within 4x
  p.taken(0, 0, true);
  for (auto [at, rtt] : Samples{{0, 100}} + run(2000, 100, 10, 3000) + slower) p.observe_rtt(at, rtt);
  EXPECT_DOUBLE_EQ(p.base_rtt_ms(), 3.0);
  EXPECT_DOUBLE_EQ(p.rate(), 1000);
}

TEST(Pacer, OverloadHalvesTheRate) {
  Pacer p(settings());
  p.observe_overload(0);
  EXPECT_DOUBLE_EQ(p.rate(), 500);
  p.observe_overload(400);  // within the spacing: the same episode
  EXPECT_DOUBLE_EQ(p.rate(), 500);
  EXPECT_EQ(p.cuts(), 1u);
}

TEST(Pacer, GrowsOnlyWhileItIsTheBottleneck) {
  Pacer p(settings(1000, 50, 4000));
  p.taken(0, 10, false);
  p.taken(1000, 10, false);  // not limited: the feeder had less work than tokens
  EXPECT_DOUBLE_EQ(p.rate(), 1000);
  p.taken(2000, 10, true);   // limited for a second: +50 %
  EXPECT_DOUBLE_EQ(p.rate(), 1500);
  for (int64_t t = 3000; t < 10000; t += 1000) p.taken(t, 10, true);
  EXPECT_DOUBLE_EQ(p.rate(), 4000);  // the ceiling
}

TEST(Pacer, NoGrowthRightAfterACut) {
  Pacer p(settings());
  p.taken(0, 1, true);
  p.observe_overload(100);
  p.taken(400, 1, true);  // 300 ms after the cut: held
  EXPECT_DOUBLE_EQ(p.rate(), 500);
}

TEST(Pacer, TokenBucketAllowsFiftyMillisecondsOfBurst) {
  Pacer p(settings(1000));
  EXPECT_EQ(p.available(0), 50);
  p.taken(0, 50, true);
  EXPECT_EQ(p.available(0), 0);
  EXPECT_EQ(p.wait_ms(), 1);
  EXPECT_EQ(p.available(10), 10);      // 1000/s refills 10 in 10 ms
  EXPECT_EQ(p.available(10'000), 50);  // never more than the burst
}

// A rate-bound take waits for a whole burst (or for what it wants, if less), so a drain is
// one take per 50 ms, not one per token.
TEST(Pacer, ARateBoundTakeWaitsForAWholeBurst) {
  const struct {
    double rate;
    int64_t want, batch;
  } cases[] = {
      {1000, 64, 50},  // the burst (50 ms at 1000/s) is less than the room
      {1000, 20, 20},  // the room is less than the burst
      {500, 64, 25},
      {50, 64, 2},     // 2.5 tokens of burst: whole tokens only
      {10, 64, 1},     // the burst is at least one token
      {1000, 0, 1},    // at least one
  };
  for (const auto& c : cases) {
    Pacer p(settings(c.rate, 1));
    EXPECT_EQ(p.batch(c.want), c.batch) << "rate " << c.rate << " want " << c.want;
  }
  Pacer p(settings(1000));
  EXPECT_EQ(p.available(0), 50);
  p.taken(0, 50, true);
  EXPECT_EQ(p.wait_ms(p.batch(64)), 50);  // 50 tokens at 1/ms
  EXPECT_EQ(p.available(p.wait_ms(50)), 50);
  EXPECT_EQ(p.wait_ms(50), 0);
  p.taken(50, 40, true);
  (void)p.available(50);
  EXPECT_EQ(p.wait_ms(20), 10);  // 10 left, 10 more in 10 ms
}

TEST(Pacer, ALateTimerIsAHeldLoop) {
  const struct {
    const char* name;
    std::vector<int64_t> lags_us;  // one per 600 ms, past the cut spacing
    double expected_rate;
  } cases[] = {
      {"on time", {0, 50, 300}, 1000},
      {"a few ms late: scheduling noise", {1000, 2500, 3000}, 1000},
      {"over the limit once", {100, 3001}, 500},
      {"over the limit twice", {20000, 80000}, 250},
      {"early (a cancelled or fake timer)", {-5000}, 1000},
  };
  for (const auto& c : cases) {
    Pacer p(settings());
    p.taken(0, 0, true);
    int64_t at = 0;
    for (int64_t lag : c.lags_us) p.observe_lag(at += 600, lag);
    EXPECT_DOUBLE_EQ(p.rate(), c.expected_rate) << c.name;
  }
}

TEST(Pacer, AfterACutItGrowsSlowlyAboveTheRateTheCutLeft) {
  Pacer p(settings(1000));
  p.taken(0, 1, true);
  p.observe_lag(0, 50000);          // 1000 -> 500, the remembered rate
  p.taken(1000, 1, true);           // at the remembered rate: +25 %/s, not +50 %/s
  EXPECT_DOUBLE_EQ(p.rate(), 625);
  p.taken(11'000, 1, true);         // 10 s without a cut: forgotten, fast again
  EXPECT_DOUBLE_EQ(p.rate(), 937.5);
}

TEST(Pacer, NoCutWithoutABacklog) {
  PacerSettings s = settings();
  s.limited_recently_ms = 1000;
  Pacer p(s);
  p.observe_lag(100, 50000);   // nothing was ever held back: not the pacer's doing
  EXPECT_DOUBLE_EQ(p.rate(), 1000);
  p.taken(200, 5, true);       // now a backlog...
  p.observe_lag(300, 50000);   // ... and a held loop: cut
  EXPECT_DOUBLE_EQ(p.rate(), 500);
  p.observe_lag(5000, 50000);  // 4.8 s after the backlog was last held back: no cut
  EXPECT_DOUBLE_EQ(p.rate(), 500);
  p.observe_overload(6000);    // a processor's 429 always counts
  EXPECT_DOUBLE_EQ(p.rate(), 250);
}

// Cuts never take the rate below twice what arrives: the backlog shrinks whatever the lag says.
TEST(Pacer, CutsStopAtTwiceTheArrivals) {
  const struct {
    const char* name;
    int64_t arrivals_per_s;   // in bursts of a tenth of that, every 100 ms ...
    int64_t arrive_until_ms;  // ... until here
    int64_t first_cut_ms;     // four held loops, 600 ms apart, from here
    double expected_rate;
    uint64_t expected_cuts;
  } cases[] = {
      {"nothing arrives: down to the minimum", 0, 4000, 1600, 62.5, 4},
      {"300/s arrive: no lower than 600/s", 300, 4000, 1600, 600, 1},
      {"900/s arrive: the floor is over the rate: nothing to cut", 900, 4000, 1600, 1800, 0},
      {"arrivals stopped two seconds before: quiet, the minimum", 300, 1000, 3600, 62.5, 4},
  };
  for (const auto& c : cases) {
    Pacer p(settings());
    p.taken(0, 0, true);
    int64_t next_cut = c.first_cut_ms;
    const int64_t last_cut = c.first_cut_ms + 3 * 600;
    for (int64_t t = 0; t <= last_cut; t += 100) {
      if (t < c.arrive_until_ms && c.arrivals_per_s > 0) p.observe_arrivals(t, c.arrivals_per_s / 10);
      if (t == next_cut) {
        p.observe_lag(t, 50000);
        next_cut += 600;
      }
    }
    EXPECT_DOUBLE_EQ(p.rate(), c.expected_rate) << c.name;
    EXPECT_EQ(p.cuts(), c.expected_cuts) << c.name;
    (void)p.available(last_cut);  // a refill at the same moment changes nothing
    EXPECT_DOUBLE_EQ(p.rate(), c.expected_rate) << c.name;
  }
}

// The floor is enforced, not learned: once arrivals stop, the adapted rate is back.
TEST(Pacer, TheArrivalFloorLastsOnlyWhileArrivalsDo) {
  Pacer p(settings(100, 50, 0));
  for (int64_t t = 0; t < 1000; t += 100) p.observe_arrivals(t, 90);
  (void)p.available(1000);  // the second rolls: 900/s counted
  EXPECT_DOUBLE_EQ(p.rate(), 1800);
  EXPECT_EQ(p.available(1000), 90);  // a burst of 50 ms at the enforced rate
  (void)p.available(3500);           // nothing arrived for 2.5 s
  EXPECT_DOUBLE_EQ(p.rate(), 100);
}

TEST(Pacer, TheArrivalFloorRespectsTheCeiling) {
  Pacer p(settings(100, 50, 400));
  p.observe_arrivals(0, 900);
  p.observe_arrivals(1000, 1);  // the second rolls: 900/s counted
  EXPECT_DOUBLE_EQ(p.floor_rate(), 400);
  EXPECT_DOUBLE_EQ(p.rate(), 400);
}

TEST(Pacer, StartIsClampedToTheBounds) {
  EXPECT_DOUBLE_EQ(Pacer(settings(1000, 50, 200)).rate(), 200);
  EXPECT_DOUBLE_EQ(Pacer(settings(10, 50, 0)).rate(), 50);
}

}  // namespace
}  // namespace rinha
