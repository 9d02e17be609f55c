// Logger implementation: a timestamp, the level, the event name, then key=value fields.
#include "log.hpp"

#include <chrono>
#include <cstdio>

#include "timefmt.hpp"

namespace rinha {
namespace {
LogLevel g_level = LogLevel::info;
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
}  // namespace

void log_set_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

bool log_parse_level(std::string_view text, LogLevel& out) {
  for (int i = 0; i < 4; ++i) {
    if (text == kNames[i]) {
      out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

void log_write(LogLevel level, std::string_view event, std::string_view fields) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  IsoBuffer ts;
  const auto when = format_iso8601_ms(now_ms, ts);
  std::fprintf(stderr, "ts=%.*s level=%s event=%.*s%s%.*s\n", static_cast<int>(when.size()), when.data(),
               kNames[static_cast<int>(level)], static_cast<int>(event.size()), event.data(),
               fields.empty() ? "" : " ", static_cast<int>(fields.size()), fields.data());
}

}  // namespace rinha
