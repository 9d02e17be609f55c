// SimLog writes whole lines with a single fwrite so lines from concurrent processes
// sharing a terminal do not interleave mid-line.
#include "log.hpp"

#include <chrono>
#include <cstdio>

#include "iso_time.hpp"

namespace sim {

void SimLog::log_event(std::string_view event, std::string_view fields) const {
  if (!enabled_) return;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string line = "ts=" + iso_format_utc_ms(now_ms) + " sim=" + name_ + " event=";
  line += event;
  if (!fields.empty()) {
    line += ' ';
    line += fields;
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sim
