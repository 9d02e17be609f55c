// One logger for the whole process: one line per event, key=value fields, on stderr.
// Nothing is logged per request at the default level (info); per-request detail is debug.
#pragma once
#include <fmt/format.h>
#include <string_view>

namespace rinha {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

void log_set_level(LogLevel level);
LogLevel log_level();
bool log_parse_level(std::string_view text, LogLevel& out);
void log_write(LogLevel level, std::string_view event, std::string_view fields);

template <typename... Args>
void log_at(LogLevel level, std::string_view event, fmt::format_string<Args...> fields, Args&&... args) {
  if (level < log_level()) return;
  log_write(level, event, fmt::format(fields, std::forward<Args>(args)...));
}

#define LOG_DEBUG(event, ...) ::rinha::log_at(::rinha::LogLevel::debug, event, __VA_ARGS__)
#define LOG_INFO(event, ...) ::rinha::log_at(::rinha::LogLevel::info, event, __VA_ARGS__)
#define LOG_WARN(event, ...) ::rinha::log_at(::rinha::LogLevel::warn, event, __VA_ARGS__)
#define LOG_ERROR(event, ...) ::rinha::log_at(::rinha::LogLevel::error, event, __VA_ARGS__)

}  // namespace rinha
