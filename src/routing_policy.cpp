// The routing policy's rules (see routing_policy.hpp).
#include "routing_policy.hpp"

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

bool latency_known(const ProcessorView& v) { return v.health_known && !v.health_failing; }

Colour decide_colour(const ProcessorView& def, const ProcessorView& fb, const RoutingPolicy& policy,
                     int64_t default_down_for_ms) {
  const bool d = view_healthy(def);
  const bool f = view_healthy(fb);
  if (d && f) {
    if (latency_known(def) && latency_known(fb) && def.min_response_ms > fb.min_response_ms + policy.latency_diff_ms) {
      return Colour::yellow;
    }
    return Colour::green;
  }
  if (d) return Colour::green;
  if (f) return default_down_for_ms < policy.default_outage_wait_ms ? Colour::red : Colour::yellow;
  return Colour::red;
}

int64_t next_down_since(int64_t down_since_ms, bool default_healthy, int64_t now_ms) {
  if (default_healthy) return -1;
  return down_since_ms < 0 ? now_ms : down_since_ms;
}

Processor probe_target(const ProcessorView& def, const ProcessorView& fb, Colour decided) {
  // A failed try stores nothing (5XX) or stays pinned to that processor (in doubt), so it
  // costs nothing; a stored one proves recovery before the next health call could.
  if (!view_healthy(def)) return Processor::default_;
  if (decided == Colour::red && !view_healthy(fb)) return Processor::fallback;
  return Processor::none;
}

bool probe_due(Processor target, Colour colour, bool probing, int64_t since_last_probe_ms) {
  return target != Processor::none && target != colour_target(colour) && !probing &&
         since_last_probe_ms >= kProbeIntervalMs;
}

int64_t next_red_wait_ms(int64_t current_ms, int64_t breaker_poll_ms) {
  return std::min<int64_t>(current_ms * 2, std::min<int64_t>(breaker_poll_ms * 4, kProbeIntervalMs));
}

SendOutcome::Kind classify_send(int status, bool request_written, bool unanswered_before) {
  if (status >= 200 && status < 300) return SendOutcome::Kind::stored;
  if (status == 422) return SendOutcome::Kind::duplicate;
  if (status == 0 || unanswered_before) {
    // No answer, or an answer (5XX, 429, ...) about the retry only, while the first
    // request may have been stored: only this processor can settle it.
    return request_written || unanswered_before ? SendOutcome::Kind::in_doubt : SendOutcome::Kind::not_sent;
  }
  if (status == 429) return SendOutcome::Kind::overloaded;
  if (status >= 500) return SendOutcome::Kind::rejected;
  return SendOutcome::Kind::invalid;
}

bool is_failure_evidence(SendOutcome::Kind kind) {
  return kind == SendOutcome::Kind::rejected || kind == SendOutcome::Kind::not_sent ||
         kind == SendOutcome::Kind::in_doubt;
}

bool forward_signal(int64_t now_ms, int64_t last_forwarded_ms, int64_t breaker_poll_ms) {
  return now_ms - last_forwarded_ms >= breaker_poll_ms;
}

}  // namespace rinha
