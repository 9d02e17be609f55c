// Percentiles over stored samples. Sorting 100k integers at the end costs a few ms, far
// less than keeping a histogram precise to the 0.01 ms the bonus formula resolves.
#include "latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace loadtool {

double latency_percentile_sorted(const std::vector<uint32_t>& sorted_us, double fraction) {
  if (sorted_us.empty()) return 0;
  const double pos = fraction * static_cast<double>(sorted_us.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = static_cast<size_t>(std::ceil(pos));
  const double lo_v = sorted_us[lo];
  const double hi_v = sorted_us[hi];
  return (lo_v + (hi_v - lo_v) * (pos - static_cast<double>(lo))) / 1000.0;
}

LatencySummary latency_summarize(std::vector<uint32_t> samples_us) {
  LatencySummary s;
  s.count = static_cast<int64_t>(samples_us.size());
  if (samples_us.empty()) return s;
  std::sort(samples_us.begin(), samples_us.end());
  s.p50_ms = latency_percentile_sorted(samples_us, 0.50);
  s.p90_ms = latency_percentile_sorted(samples_us, 0.90);
  s.p99_ms = latency_percentile_sorted(samples_us, 0.99);
  s.p999_ms = latency_percentile_sorted(samples_us, 0.999);
  s.max_ms = samples_us.back() / 1000.0;
  const double sum = std::accumulate(samples_us.begin(), samples_us.end(), 0.0);
  s.mean_ms = sum / static_cast<double>(samples_us.size()) / 1000.0;
  return s;
}

void LatencyRecorder::record(int64_t start_offset_ms, uint32_t latency_us) {
  all_us_.push_back(latency_us);
  const size_t second = start_offset_ms < 0 ? 0 : static_cast<size_t>(start_offset_ms / 1000);
  if (per_second_us_.size() <= second) per_second_us_.resize(second + 1);
  per_second_us_[second].push_back(latency_us);
}

}  // namespace loadtool
