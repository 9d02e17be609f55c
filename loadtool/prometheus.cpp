// Line-oriented scan: comments (#) skipped; a sample line is `name[{labels}] value [ts]`.
// The name must match exactly, so `rinha_backlog_total_x` does not count as the gauge.
#include "prometheus.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

namespace loadtool {

std::optional<double> prometheus_gauge(std::string_view text, std::string_view name) {
  std::optional<double> total;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, name.size()) != name) continue;
    std::string_view rest = line.substr(name.size());
    if (!rest.empty() && rest.front() == '{') {
      size_t close = rest.find('}');
      if (close == std::string_view::npos) continue;
      rest = rest.substr(close + 1);
    }
    if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) continue;
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    std::string value(rest.substr(0, rest.find_first_of(" \t\r")));
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (end == value.c_str()) continue;
    total = total.value_or(0.0) + v;
  }
  return total;
}

}  // namespace loadtool
