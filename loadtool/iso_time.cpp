// Wall clock only for the summary windows and report timestamps; durations use steady_clock.
#include "iso_time.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace loadtool {

int64_t iso_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso_format_ms(int64_t utc_ms) {
  std::time_t secs = static_cast<std::time_t>(utc_ms / 1000);
  int ms = static_cast<int>(utc_ms % 1000);
  if (ms < 0) { ms += 1000; secs -= 1; }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace loadtool
