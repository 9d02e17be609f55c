// UTC milliseconds <-> the ISO-8601 form the summaries take (JavaScript toISOString()).
#pragma once

#include <cstdint>
#include <string>

namespace loadtool {

int64_t iso_now_ms();
std::string iso_format_ms(int64_t utc_ms);  // 2025-07-15T12:34:56.000Z

}  // namespace loadtool
