// The circuit breaker's colours, shared by every instance through Redis.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "payment.hpp"

namespace rinha {

enum class Colour { green, yellow, red };  // default / fallback / neither (wait)

inline std::string_view colour_name(Colour c) {
  return c == Colour::green ? "GREEN" : c == Colour::yellow ? "YELLOW" : "RED";
}
inline std::optional<Colour> parse_colour(std::string_view s) {
  if (s == "GREEN") return Colour::green;
  if (s == "YELLOW") return Colour::yellow;
  if (s == "RED") return Colour::red;
  return std::nullopt;
}
// A worker saw a send fail. `sent_at_ms` is when that send started: a failure of a send that
// started before the processor's last healthy health answer is old news and is ignored.
struct FailureSignal {
  Processor processor = Processor::none;
  int64_t sent_at_ms = 0;
  bool operator==(const FailureSignal&) const = default;
};

inline Processor colour_target(Colour c) {
  return c == Colour::green ? Processor::default_ : c == Colour::yellow ? Processor::fallback : Processor::none;
}

}  // namespace rinha
