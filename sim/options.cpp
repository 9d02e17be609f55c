// options_parse: a table of flags, each with a setter that validates its value and
// names the flag in the error. Start-up only, so plain strings and early returns.
#include "options.hpp"

#include <charconv>
#include <functional>
#include <string_view>

#include "decimal.hpp"

namespace sim {
namespace {

template <typename Int>
bool parse_int(std::string_view text, Int min_value, Int max_value, Int& out) {
  Int value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  if (value < min_value || value > max_value) return false;
  out = value;
  return true;
}

bool parse_bool(std::string_view text, bool& out) {
  if (text == "true" || text == "1") return out = true, true;
  if (text == "false" || text == "0") return out = false, true;
  return false;
}

struct Flag {
  std::string_view name;
  bool takes_value;
  std::function<bool(SimOptions&, std::string_view)> apply;
};

const Flag kFlags[] = {
    {"--host", true, [](SimOptions& o, std::string_view v) { o.host = v; return !v.empty(); }},
    {"--port", true,
     [](SimOptions& o, std::string_view v) { return parse_int<uint16_t>(v, 0, 65535, o.port); }},
    {"--name", true, [](SimOptions& o, std::string_view v) { o.name = v; return !v.empty(); }},
    {"--fee", true,
     [](SimOptions& o, std::string_view v) {
       const auto ppm = decimal_parse_scaled(v, 6);
       if (!ppm || *ppm < 0 || *ppm > 1000000) return false;
       o.fee_ppm = *ppm;
       o.fee_text = v;
       return true;
     }},
    {"--token", true, [](SimOptions& o, std::string_view v) { o.token = v; return true; }},
    {"--delay-ms", true,
     [](SimOptions& o, std::string_view v) {
       return parse_int<int64_t>(v, 0, 3600000, o.delay_ms);
     }},
    {"--failure", true, [](SimOptions& o, std::string_view v) { return parse_bool(v, o.failure); }},
    {"--max-active", true,
     [](SimOptions& o, std::string_view v) {
       return parse_int<size_t>(v, 1, 1000000, o.max_active);
     }},
    {"--max-waiting", true,
     [](SimOptions& o, std::string_view v) {
       return parse_int<size_t>(v, 0, 1000000, o.max_waiting);
     }},
    {"--health-window-ms", true,
     [](SimOptions& o, std::string_view v) {
       return parse_int<int64_t>(v, 1, 3600000, o.health_window_ms);
     }},
    {"--health-queue", true,
     [](SimOptions& o, std::string_view v) {
       return parse_int<int>(v, 0, 1000, o.health_max_queued);
     }},
    {"--idle-timeout-ms", true,
     [](SimOptions& o, std::string_view v) {
       return parse_int<int64_t>(v, 1, 86400000, o.idle_timeout_ms);
     }},
    {"--quiet", false, [](SimOptions& o, std::string_view) { return !(o.log_enabled = false); }},
};

}  // namespace

const char* options_usage() {
  return "usage: payment-sim [--port 8080] [--fee 0.05] [--host 0.0.0.0] [--token 123]\n"
         "                   [--name default] [--delay-ms 0] [--failure false]\n"
         "                   [--max-active 800] [--max-waiting 500]\n"
         "                   [--health-window-ms 5000] [--health-queue 2]\n"
         "                   [--idle-timeout-ms 120000] [--quiet]\n"
         "  --port 0 picks a free port; the chosen port is printed as 'listening port=N'.\n";
}

OptionsResult options_parse(int argc, const char* const* argv) {
  OptionsResult result;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      result.help = true;
      return result;
    }
    std::string_view value;
    bool inline_value = false;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : kFlags) {
      if (f.name == arg) flag = &f;
    }
    if (flag == nullptr) {
      result.error = "unknown option " + std::string(arg);
      return result;
    }
    if (flag->takes_value && !inline_value) {
      if (i + 1 >= argc) {
        result.error = "option " + std::string(arg) + " needs a value";
        return result;
      }
      value = argv[++i];
    }
    if (!flag->apply(result.options, value)) {
      result.error = "invalid value '" + std::string(value) + "' for " + std::string(arg);
      return result;
    }
  }
  return result;
}

}  // namespace sim
