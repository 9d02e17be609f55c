// Latency samples of the test's HTTP requests, kept whole (a 300 s final run stores about
// 100k uint32 microsecond values) so percentiles match k6's exact interpolation; also
// bucketed by the second the request started, for the report's time series.
#pragma once

#include <cstdint>
#include <vector>

namespace loadtool {

struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};

// k6's Trend percentile: linear interpolation between closest ranks of sorted samples.
double latency_percentile_sorted(const std::vector<uint32_t>& sorted_us, double fraction);
LatencySummary latency_summarize(std::vector<uint32_t> samples_us);

class LatencyRecorder {
 public:
  void record(int64_t start_offset_ms, uint32_t latency_us);
  const std::vector<uint32_t>& all_us() const { return all_us_; }
  // Per-second samples, index = second since t = 0 (negative offsets go to second 0).
  const std::vector<std::vector<uint32_t>>& per_second_us() const { return per_second_us_; }

 private:
  std::vector<uint32_t> all_us_;
  std::vector<std::vector<uint32_t>> per_second_us_;
};

}  // namespace loadtool
