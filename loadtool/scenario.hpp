// A load-test schedule read from scenarios/*.json: ramp, payment amount, processor stage
// table, consistency audit and teardown rules. Parsed once at start; start-up errors throw.
// Times are seconds/milliseconds from the start of the payment phase (t = 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loadtool {

struct ProcessorCondition {
  int64_t delay_ms = 0;
  bool failure = false;
};

struct Stage {
  int64_t at_s = 0;
  ProcessorCondition default_;
  ProcessorCondition fallback_;
};

enum class CompareMode { AbsOfSum, SumOfAbs };
enum class TeardownSource { Backend, Processors };

struct Scenario {
  std::string name;
  int64_t duration_s = 60;
  int64_t max_vus = 550;
  int64_t amount_cents = 1990;
  int64_t request_timeout_ms = 1500;
  int64_t vu_sleep_ms = 1000;
  // Fees as parts per million of the amount; used when a processor does not report one.
  int64_t default_fee_ppm = 50000;
  int64_t fallback_fee_ppm = 150000;
  std::vector<Stage> stages;
  int64_t consistency_period_s = 10;
  int64_t consistency_from_offset_ms = 15000;
  int64_t consistency_to_offset_ms = 2000;
  CompareMode compare = CompareMode::SumOfAbs;
  TeardownSource teardown_source = TeardownSource::Processors;
  int64_t teardown_window_s = 360;
  bool round_like_final = true;
};

// Parses the JSON text of a scenario; throws std::runtime_error naming the bad field.
Scenario scenario_parse(const std::string& json_text);
Scenario scenario_load(const std::string& path);

// Number of VUs active at `elapsed_ms` (k6 ramping-vus: linear from 1 to max_vus).
int64_t scenario_vus_at(const Scenario& s, int64_t elapsed_ms);
// Start offset of the 1-based VU number `vu` under that ramp.
int64_t scenario_vu_start_ms(const Scenario& s, int64_t vu);

}  // namespace loadtool
