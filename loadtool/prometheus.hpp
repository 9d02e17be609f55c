// Reads one gauge out of a Prometheus text exposition (GET /metrics), summing its series
// across label sets. Pure; used for the backend's `rinha_backlog_total` queue depth.
#pragma once

#include <optional>
#include <string_view>

namespace loadtool {

std::optional<double> prometheus_gauge(std::string_view text, std::string_view name);

}  // namespace loadtool
