// Pacer: multiplicative increase, multiplicative decrease on the feeder's take rate; see the header for the rules.
#include "pacer.hpp"

#include <algorithm>
#include <cmath>

namespace rinha {

Pacer::Pacer(PacerSettings s) : s_(s), rate_(s.start_rate) {
  if (s_.max_rate > 0) rate_ = std::min(rate_, s_.max_rate);
  rate_ = std::max(rate_, s_.min_rate);
}

double Pacer::burst() const { return std::max(1.0, rate() / 20.0); }  // 50 ms worth

void Pacer::roll_arrivals(int64_t now_ms) {
  if (arrivals_since_ms_ < 0) arrivals_since_ms_ = now_ms;
  const int64_t span = now_ms - arrivals_since_ms_;
  if (span < 1000) return;
  // A second or more without a roll: what was counted is spread over it; two or more, and
  // the counted stretch is stale (nothing arrived since), so it counts as quiet.
  arrival_rate_ = span >= 2000 ? 0.0 : static_cast<double>(arrivals_) * 1000.0 / static_cast<double>(span);
  arrivals_ = 0;
  arrivals_since_ms_ = now_ms;
}

double Pacer::floor_rate() const {
  double f = std::max(s_.min_rate, s_.arrival_factor * arrival_rate_);
  if (s_.max_rate > 0) f = std::min(f, s_.max_rate);
  return f;
}

void Pacer::observe_arrivals(int64_t now_ms, int64_t n) {
  roll_arrivals(now_ms);
  arrivals_ += n;
}

double Pacer::rate() const { return std::max(rate_, floor_rate()); }

void Pacer::refill(int64_t now_ms) {
  roll_arrivals(now_ms);
  if (last_refill_ms_ < 0) {
    tokens_ = burst();
  } else if (now_ms > last_refill_ms_) {
    tokens_ = std::min(burst(), tokens_ + static_cast<double>(now_ms - last_refill_ms_) * rate() / 1000.0);
  }
  last_refill_ms_ = std::max(last_refill_ms_, now_ms);
}

int64_t Pacer::available(int64_t now_ms) {
  refill(now_ms);
  return static_cast<int64_t>(std::floor(tokens_));
}

int64_t Pacer::wait_ms(int64_t n) const {
  const double want = static_cast<double>(std::max<int64_t>(1, n));
  if (tokens_ >= want) return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((want - tokens_) * 1000.0 / rate())));
}

int64_t Pacer::batch(int64_t want) const {
  return std::max<int64_t>(1, std::min(want, static_cast<int64_t>(std::floor(burst()))));
}

void Pacer::taken(int64_t now_ms, int64_t n, bool limited) {
  tokens_ = std::max(0.0, tokens_ - static_cast<double>(n));
  // Grow only while the rate is the bottleneck: an idle pacer keeps its rate, so a backlog
  // that appears after a quiet hour starts from what was last known to be safe.
  if (limited && last_grow_ms_ >= 0 && now_ms > last_grow_ms_ && now_ms - last_cut_ms_ >= s_.cut_spacing_ms) {
    const double dt_s = std::min<int64_t>(now_ms - last_grow_ms_, 1000) / 1000.0;
    if (cut_rate_ > 0 && now_ms - last_cut_ms_ >= s_.forget_cut_ms) cut_rate_ = 0;
    const double gain = cut_rate_ > 0 && rate_ >= cut_rate_ ? 0.25 : 0.5;
    rate_ *= 1.0 + gain * dt_s;
    if (s_.max_rate > 0) rate_ = std::min(rate_, s_.max_rate);
  }
  last_grow_ms_ = now_ms;
  if (limited) last_limited_ms_ = now_ms;
}

double Pacer::base_rtt_ms() const {
  int64_t m = min_cur_us_;
  if (min_prev_us_ >= 0 && (m < 0 || min_prev_us_ < m)) m = min_prev_us_;
  return m < 0 ? 0.0 : static_cast<double>(m) / 1000.0;
}

void Pacer::observe_rtt(int64_t now_ms, int64_t rtt_us) {
  if (window_start_ms_ < 0) window_start_ms_ = now_ms;
  if (now_ms - window_start_ms_ >= s_.min_window_ms) {
    min_prev_us_ = min_cur_us_;
    min_cur_us_ = -1;
    window_start_ms_ = now_ms;
  }
  const double base_ms = base_rtt_ms();
  srtt_us_ = srtt_us_ < 0 ? static_cast<double>(rtt_us) : srtt_us_ + (static_cast<double>(rtt_us) - srtt_us_) / 8.0;
  if (min_cur_us_ < 0 || rtt_us < min_cur_us_) min_cur_us_ = rtt_us;
  const double srtt_ms = srtt_us_ / 1000.0;
  if (base_ms > 0 && srtt_ms > base_ms * s_.rtt_factor && srtt_ms > base_ms + s_.rtt_slack_ms) cut(now_ms);
}

void Pacer::observe_overload(int64_t now_ms) {
  last_limited_ms_ = now_ms;  // a processor's "too many" is always ours to heed
  cut(now_ms);
}

void Pacer::observe_lag(int64_t now_ms, int64_t lag_us) {
  if (lag_us > s_.lag_limit_ms * 1000) cut(now_ms);
}

void Pacer::cut(int64_t now_ms) {
  // Only congestion this pacer may have caused: while nothing waits for it (no backlog),
  // a slow Redis or a held loop is the intake's or the machine's, and a lower rate would
  // only slow the next drain (seen: cut to 125/s during an outage, a drain then took 20 s).
  if (now_ms - last_limited_ms_ > s_.limited_recently_ms) return;
  if (now_ms - last_cut_ms_ < s_.cut_spacing_ms) return;
  roll_arrivals(now_ms);
  // Halves what it enforces, never below the floor; at the floor already, there is nothing
  // to cut (and no cut to remember or count).
  const double before = rate();
  if (before <= floor_rate()) return;
  last_cut_ms_ = now_ms;
  rate_ = std::max(floor_rate(), before / 2.0);
  cut_rate_ = rate_;
  tokens_ = std::min(tokens_, burst());
  ++cuts_;
}

}  // namespace rinha
