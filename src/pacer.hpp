// Pacer: how many payments per second the feeder may take from the queue. It adapts to
// what this instance sees, never to a constant tuned for one machine:
//   - the round-trip time of its own Redis calls: a Redis near its CPU quota answers late
//     (queueing first, then throttling stalls of up to a quota period), and the intake
//     shares that Redis, so a smoothed round trip far above the recent minimum halves the
//     rate. Smoothed (TCP's SRTT, 1/8 gain) and with a slack of milliseconds: one reply
//     that waited behind a batch, or for this instance's own busy event loop, is no
//     congestion (seen: a 2 ms threshold on raw samples held a preview's backlog at 50/s);
//   - how late its own timers fire: a sleep that overshoots by PACER_LAG_LIMIT (3 ms) means this
//     instance's event loop was held (its CPU quota exhausted, or its loop busy), and every
//     request arriving meanwhile waited as long; that halves the rate too (seen: at half the
//     CPU, a preview's 5,600-payment drain ran the APIs at 100 % of their quota and the
//     intake's p99 of those 10 s to 29 ms, while Redis's round trip stayed short; and at 3x
//     the preview's load, with a 10 ms limit the drain never cut, and the drain's 10 s had
//     p99 13-18 ms against 7-8 ms with 3 ms (README, "Pacing the drain, A/B"));
//   - its own sends' outcomes: a processor answering 429 (too many requests) halves it too;
//   - otherwise, while the rate is what holds the feeder back (a backlog), the rate grows
//     by half of itself per second, but by a quarter above the rate a cut last left (as
//     TCP grows slower above ssthresh: the trouble was at twice that), up to the ceiling;
//     10 s without a cut forget that rate.
// A cut needs the rate to have held a backlog within the last second: with nothing to
// drain, the pacer caused no congestion and a cut would only slow the next drain.
// The rate never falls below twice the rate at which work arrived in this instance's queue
// over the last full second: a backlog always shrinks, by at least what arrives (seen: with
// a 3 ms lag limit on a slow minute, every sleep was late, cuts held the rate at the 50/s
// minimum, and a 3x load's backlog grew to 40,000 with the processors healthy).
// A token bucket with a burst of 50 ms at the current rate turns the rate into takes; a
// rate-bound take waits for a whole burst (batch()), so a drain takes 50 ms' worth per call.
// Pure: time comes in as arguments; every rule has a table-driven test.
#pragma once
#include <cstdint>

namespace rinha {

struct PacerSettings {
  double start_rate = 500;     // payments/s before anything was observed
  double min_rate = 50;        // never below: a backlog always drains
  double max_rate = 0;         // ceiling (0: none)
  double rtt_factor = 4;       // a smoothed round trip over factor x the recent minimum ...
  double rtt_slack_ms = 5;     // ... and over the minimum plus this is congestion
  int64_t cut_spacing_ms = 500;  // one cut per congestion episode, not one per late reply
  int64_t min_window_ms = 5000;  // the recent minimum covers the last 5-10 s
  int64_t lag_limit_ms = 3;      // a timer this late is a held event loop
  int64_t forget_cut_ms = 10000; // after this long without a cut, grow fast again
  int64_t limited_recently_ms = 1000;  // cuts only while the rate held a backlog this recently
  double arrival_factor = 2;     // the rate stays at least this multiple of the arrival rate
};

class Pacer {
 public:
  explicit Pacer(PacerSettings s = {});

  // Payments that may be taken now (whole tokens), after refilling at the current rate.
  int64_t available(int64_t now_ms);
  // `n` payments were taken; `limited`: the feeder wanted more than available() allowed.
  void taken(int64_t now_ms, int64_t n, bool limited);
  // Milliseconds until `n` tokens are available (0 if they are now).
  int64_t wait_ms(int64_t n = 1) const;
  // How many tokens one take should wait for when it wants `want`: `want`, or a whole burst
  // if that is less (at least 1). Taking each token as it refills made a rate-bound drain
  // one Redis call per payment (seen: 0.28 takes per payment in final-2025).
  int64_t batch(int64_t want) const;

  // One measured Redis round trip of this instance, in microseconds.
  void observe_rtt(int64_t now_ms, int64_t rtt_us);
  // A processor refused for load (429).
  void observe_overload(int64_t now_ms);
  // A timer of this instance fired `lag_us` after its due time.
  void observe_lag(int64_t now_ms, int64_t lag_us);
  // `n` new payments arrived in this instance's queue (accepted by its intake; not requeued,
  // released from hold or taken over: those arrived once already, or come as one burst).
  void observe_arrivals(int64_t now_ms, int64_t n);

  double rate() const;          // what it enforces: the adapted rate, or the floor if higher
  double base_rtt_ms() const;  // the recent minimum (0 before any sample)
  double floor_rate() const;   // what cuts cannot go below: the minimum, or the arrivals'
  uint64_t cuts() const { return cuts_; }

 private:
  void cut(int64_t now_ms);
  void refill(int64_t now_ms);
  void roll_arrivals(int64_t now_ms);
  double burst() const;

  PacerSettings s_;
  double rate_;
  double tokens_ = 0;
  int64_t last_refill_ms_ = -1;
  int64_t last_cut_ms_ = INT64_MIN / 2;
  int64_t last_grow_ms_ = -1;
  // Windowed minimum of the round trip: the minimum of the current and the previous window.
  int64_t min_cur_us_ = -1, min_prev_us_ = -1;
  int64_t window_start_ms_ = -1;
  double srtt_us_ = -1;  // smoothed round trip
  uint64_t cuts_ = 0;
  double cut_rate_ = 0;  // the rate right after the last cut (0: none remembered)
  int64_t last_limited_ms_ = INT64_MIN / 2;  // the last take the rate held back
  // Arrivals counted per second: the last full second's rate, and the second being counted.
  double arrival_rate_ = 0;
  int64_t arrivals_ = 0;
  int64_t arrivals_since_ms_ = -1;
};

}  // namespace rinha
