// The routing decision of the seed's circuit breaker, as a pure function.
#include "breaker.hpp"

namespace rinha {

bool view_healthy(const ProcessorView& v) {
  if (v.health_known && v.health_failing) return false;
  if (v.last_failure_ms >= 0 && (!v.health_known || v.last_failure_ms >= v.checked_at_ms)) return false;
  return true;
}

Colour decide_colour(const ProcessorView& def, const ProcessorView& fb, const RoutingPolicy& policy,
                     int64_t default_down_for_ms) {
  const bool d = view_healthy(def);
  const bool f = view_healthy(fb);
  if (d && f) {
    if (def.health_known && fb.health_known && def.min_response_ms > fb.min_response_ms + policy.latency_diff_ms) {
      return Colour::yellow;
    }
    return Colour::green;
  }
  if (d) return Colour::green;
  if (f) return default_down_for_ms < policy.default_outage_wait_ms ? Colour::red : Colour::yellow;
  return Colour::red;
}

}  // namespace rinha
