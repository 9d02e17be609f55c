// The self-contained HTML report: score table, per-second charts drawn as inline SVG by
// this code (no scripts, no network), processor stages as shaded bands, results JSON embedded.
#pragma once

#include "report_input.hpp"

#include <string>

namespace loadtool {

std::string report_html(const ReportInput& in, const std::string& results_json);

}  // namespace loadtool
