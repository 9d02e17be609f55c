// The simulator's only logger: one key=value line per event on stderr, tagged with the
// processor's name. Nothing is logged per request; admin changes and lifecycle are.
#pragma once

#include <string>
#include <string_view>

namespace sim {

class SimLog {
 public:
  SimLog(std::string name, bool enabled) : name_(std::move(name)), enabled_(enabled) {}
  // fields: already formatted "key=value key=value" (may be empty).
  void log_event(std::string_view event, std::string_view fields = {}) const;

 private:
  std::string name_;
  bool enabled_;
};

}  // namespace sim
