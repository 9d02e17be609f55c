// What the health owner publishes for every instance: the colour it decided, when, how long
// the default has been down, and the evidence behind it (the views of both processors).
// A follower uses the colour while it is fresh (decided within kRoutingStaleMs); an instance
// that takes the health lease over adopts the views and the down-since, so an outage's wait
// (DEFAULT_OUTAGE_WAIT) goes on counting across a takeover instead of starting again.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "breaker.hpp"
#include "colour.hpp"

namespace rinha {

// A decision older than this is unknown: the owner republishes every second, so three
// missed publications mean it is gone or cut off (the lease moves within 2 s).
constexpr int64_t kRoutingStaleMs = 3000;

struct RoutingRecord {
  Colour colour = Colour::green;
  int64_t decided_at_ms = 0;           // 0: nothing published yet
  int64_t default_down_since_ms = -1;  // -1: the default is healthy
  ProcessorView default_view{};
  ProcessorView fallback_view{};

  bool fresh(int64_t now_ms) const { return decided_at_ms > 0 && now_ms - decided_at_ms <= kRoutingStaleMs; }
  bool operator==(const RoutingRecord&) const = default;
};

// "r1|<COLOUR>|<decided>|<down_since>|<view>|<view>", a view being
// "<known>|<failing>|<min_rt>|<checked>|<last_failure>|<last_success>". A bare colour name
// (what older versions wrote) decodes as a record with decided_at_ms 0: never fresh.
std::string encode_routing(const RoutingRecord& r);
std::optional<RoutingRecord> decode_routing(std::string_view text);

}  // namespace rinha
