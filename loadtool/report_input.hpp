// Everything the JSON results file and the HTML report are made from, gathered once in
// main after a run: the scenario, the raw run, the score and the tool's own resource use.
#pragma once

#include "latency.hpp"
#include "runner.hpp"
#include "scenario.hpp"
#include "score.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace loadtool {

struct ToolUsage {
  double cpu_user_s = 0;
  double cpu_sys_s = 0;
  double wall_s = 0;
  long max_rss_kb = 0;
};
// This process's CPU and peak RSS so far (getrusage), and the wall time since `started`.
ToolUsage tool_usage(std::chrono::steady_clock::time_point started);

struct ReportInput {
  const Scenario* scenario = nullptr;
  const RunOptions* options = nullptr;
  const RunResult* run = nullptr;
  ScoreInput score_input;
  ScoreResult score;
  bool fees_from_processors = false;
  LatencySummary official;  // the p99 population
  LatencySummary posts;
  ToolUsage tool;
  std::optional<double> floor_p99_ms;  // from --compare-floor
  std::string generated_at_iso;
};

}  // namespace loadtool
