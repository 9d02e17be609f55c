// The routing decision of the seed's circuit breaker, as a pure function.
#include "breaker.hpp"

#include <algorithm>

namespace rinha {

bool view_healthy(const ProcessorView& v) {
  constexpr int64_t kNever = INT64_MIN;
  int64_t bad = v.last_failure_ms >= 0 ? v.last_failure_ms : kNever;
  int64_t good = v.last_success_ms >= 0 ? v.last_success_ms : kNever;
  if (v.health_known) {
    if (v.health_failing) {
      bad = std::max(bad, v.checked_at_ms);
    } else {
      good = std::max(good, v.checked_at_ms);
    }
  }
  return bad == kNever || good > bad;
}

ProcessorView merge_views(const ProcessorView& a, const ProcessorView& b) {
  ProcessorView out = a;
  if (b.health_known && (!a.health_known || b.checked_at_ms > a.checked_at_ms)) {
    out.health_known = true;
    out.health_failing = b.health_failing;
    out.min_response_ms = b.min_response_ms;
    out.checked_at_ms = b.checked_at_ms;
  }
  out.last_failure_ms = std::max(a.last_failure_ms, b.last_failure_ms);
  out.last_success_ms = std::max(a.last_success_ms, b.last_success_ms);
  return out;
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
