// The results file: the official results' fields (names as in rinha-final.js's
// final-results.json, money in reais with 2 decimals) plus a "local" block with the extra
// figures this tool measures. Also reads back the p99 of a floor run for comparison.
#pragma once

#include "report_input.hpp"

#include <optional>
#include <string>

namespace loadtool {

std::string results_json(const ReportInput& in);
// p99 (ms) of a results.json written by results_json; nullopt if unreadable.
std::optional<double> results_read_p99(const std::string& path);

}  // namespace loadtool
