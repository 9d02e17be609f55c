// Health polling, the health lease, failure signals and the routing record (see header).
#include "health_monitor.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "instance_token.hpp"
#include "log.hpp"

namespace rinha {

using asio::as_tuple;
using asio::use_awaitable;

namespace {
constexpr int64_t kRepublishMs = 1000;     // re-assert the decision: followers see it is fresh
constexpr int64_t kReserveRetryMs = 250;   // a health call reserved elsewhere: ask again after this
}

HealthMonitor::HealthMonitor(const RouterParts& parts, RoutingState& routing)
    : parts_(parts),
      routing_(routing),
      holder_(instance_token(parts.cfg.app_name)),
      timer_(parts.ex),
      listen_pause_(parts.ex),
      policy_{parts.cfg.latency_diff_ms, parts.cfg.default_outage_wait_ms} {}

Colour HealthMonitor::decide() {
  const int64_t now = parts_.clock.now_ms();
  default_down_since_ms_ = next_down_since(default_down_since_ms_, view_healthy(view(Processor::default_)), now);
  const int64_t down_for = default_down_since_ms_ < 0 ? 0 : now - default_down_since_ms_;
  const Colour c = decide_colour(view(Processor::default_), view(Processor::fallback), policy_, down_for);
  parts_.breaker.set_probe(probe_target(view(Processor::default_), view(Processor::fallback), c));
  return c;
}

void HealthMonitor::start() {
  asio::co_spawn(parts_.ex, loop(), asio::detached);
  asio::co_spawn(parts_.ex, listen(), asio::detached);
}

void HealthMonitor::stop() {
  stopped_ = true;
  timer_.cancel();
  listen_pause_.cancel();
}

void HealthMonitor::on_failure(const FailureSignal& signal) {
  if (signal.processor == Processor::none) return;
  local_signals_.push_back(signal);
  if (owner_) {
    timer_.cancel();  // react now rather than at the next poll
    return;
  }
  // The owner hears of it through Redis, at most once per processor per poll period.
  const int64_t now = parts_.clock.now_ms();
  int64_t& last = last_remote_signal_ms_[static_cast<int>(signal.processor)];
  if (!forward_signal(now, last, parts_.cfg.breaker_poll_ms)) return;
  last = now;
  asio::co_spawn(parts_.ex, [this, signal]() -> asio::awaitable<void> { co_await routing_.push_signal(signal); }, asio::detached);
}

void HealthMonitor::on_success(const FailureSignal& signal) {
  if (signal.processor == Processor::none) return;
  ProcessorView& v = views_[static_cast<int>(signal.processor)];
  if (view_healthy(v)) return;  // the common case: nothing to learn, nothing to do
  v.last_success_ms = std::max(v.last_success_ms, signal.sent_at_ms);
  if (view_healthy(v)) {
    LOG_INFO("processor_recovered", "processor={} evidence=stored_payment", processor_name(signal.processor));
    timer_.cancel();  // decide at once
  }
}

void HealthMonitor::apply_failure(const FailureSignal& signal) {
  if (signal.processor == Processor::none) return;
  // view_healthy() compares this with the last health answer: a send that started before
  // a healthy answer and failed after it says nothing new (seen: in-flight sends of a
  // failure period answering 500 just after the processor recovered made it flap to RED).
  int64_t& last = views_[static_cast<int>(signal.processor)].last_failure_ms;
  last = std::max(last, signal.sent_at_ms);
}

asio::awaitable<void> HealthMonitor::loop() {
  while (!stopped_) {
    co_await tick();
    timer_.expires_after(std::chrono::milliseconds(parts_.cfg.breaker_poll_ms));
    co_await timer_.async_wait(as_tuple(use_awaitable));
  }
}

asio::awaitable<void> HealthMonitor::listen() {
  while (!stopped_) {
    const int64_t began = parts_.clock.now_ms();
    bool news = false;
    if (owner_) {
      listening_ = Listening::signals;
      std::vector<FailureSignal> signals = co_await routing_.wait_signals(kListenWaitMs);
      listening_ = Listening::none;
      news = !signals.empty();
      local_signals_.insert(local_signals_.end(), signals.begin(), signals.end());
      if (!owner_) {
        // No longer the owner (the lease went while this waited): the new one needs them.
        for (const FailureSignal& sig : signals) co_await routing_.push_signal(sig);
      }
    } else {
      listening_ = Listening::routing;
      std::optional<RoutingRecord> record = co_await routing_.wait_routing(routing_cursor_, kListenWaitMs);
      listening_ = Listening::none;
      news = record.has_value();
      if (record) heard_ = std::move(record);
    }
    if (news) {
      timer_.cancel();  // act on it now rather than at the next poll
    } else if (parts_.clock.now_ms() - began < kListenWaitMs / 2 && !stopped_) {
      // Answered at once with nothing (Redis unreachable, a store that cannot wait): the
      // loop polls meanwhile; do not spin.
      listen_pause_.expires_after(std::chrono::milliseconds(kLeaseTryMs));
      co_await listen_pause_.async_wait(as_tuple(use_awaitable));
    }
  }
}

asio::awaitable<void> HealthMonitor::keep_lease() {
  const int64_t now = parts_.clock.now_ms();
  // A follower tries often only once the owner's record is late (the owner may be gone).
  const bool record_late = now - record_decided_ms_ >= kRepublishMs + kLeaseTryMs;
  const int64_t every = owner_ ? kLeaseRenewMs : record_late ? kLeaseTryMs : kLeaseIdleTryMs;
  if (now - last_lease_try_ms_ < every) co_return;
  last_lease_try_ms_ = now;
  const auto state = co_await routing_.hold_health_lease(holder_, kLeaseTtlMs);
  const bool was_owner = owner_;
  if (!state) {
    // Unconfirmed: once the lease may have expired, someone else may own it.
    if (owner_ && now - lease_confirmed_ms_ >= kLeaseTtlMs) owner_ = false;
  } else if (*state == LeaseState::held_by_other) {
    owner_ = false;
  } else {
    lease_confirmed_ms_ = now;
    owner_ = true;
    if (*state == LeaseState::acquired) co_await adopt_published();
  }
  if (owner_ != was_owner) {
    heard_.reset();  // from before the change: not to be mistaken for the new owner's
    LOG_INFO("health_owner", "instance={} owner={}", parts_.cfg.app_name, owner_);
    parts_.metrics.health_owner = owner_ ? 1 : 0;
    if (owner_) {
      stale_ = false;
      parts_.metrics.routing_stale = 0;
    }
  }
}

asio::awaitable<void> HealthMonitor::adopt_published() {
  const auto record = co_await routing_.load_routing();
  if (!record || record->decided_at_ms == 0) co_return;
  views_[static_cast<int>(Processor::default_)] = merge_views(view(Processor::default_), record->default_view);
  views_[static_cast<int>(Processor::fallback)] = merge_views(view(Processor::fallback), record->fallback_view);
  if (record->default_down_since_ms >= 0 &&
      (default_down_since_ms_ < 0 || record->default_down_since_ms < default_down_since_ms_)) {
    default_down_since_ms_ = record->default_down_since_ms;
  }
  LOG_INFO("routing_adopted", "colour={} decided_at_ms={} default_down_since_ms={}", colour_name(record->colour),
           record->decided_at_ms, record->default_down_since_ms);
}

asio::awaitable<void> HealthMonitor::check(Processor p) {
  const int i = static_cast<int>(p);
  const int64_t now = parts_.clock.now_ms();
  if (checking_[i] || now - last_call_ms_[i] < parts_.cfg.health_interval_ms) co_return;
  checking_[i] = true;
  // The whole system's limit: a previous owner may have called less than an interval ago.
  // The reservation covers the interval and the call's own deadline (this one may die in it).
  const bool reserved = co_await routing_.reserve_health_call(p, parts_.cfg.health_interval_ms + parts_.cfg.health_timeout_ms, true);
  if (!reserved) {
    checking_[i] = false;
    last_call_ms_[i] = parts_.clock.now_ms() - parts_.cfg.health_interval_ms + kReserveRetryMs;
    co_return;
  }
  last_call_ms_[i] = now;
  ++parts_.metrics.health_calls;
  auto result = co_await parts_.client(p).health(std::chrono::milliseconds(parts_.cfg.health_timeout_ms));
  checking_[i] = false;
  ProcessorView& v = views_[i];
  const int64_t answered = parts_.clock.now_ms();
  // The processor's limiter queues a call that arrives in an already used window and serves
  // it at the next window. So the interval counts from the answer (when the window was
  // taken), and after an unanswered call one more interval is skipped: the abandoned call
  // still takes the next window, and calling into that window again would queue and be
  // abandoned again, for ever (seen after instance 1 restarted: RED with both processors up).
  const bool unanswered = result.kind == HealthResult::Kind::error;
  last_call_ms_[i] = unanswered ? answered + parts_.cfg.health_interval_ms : answered;
  // The same for whoever calls next, this instance or a new owner.
  co_await routing_.reserve_health_call(p, unanswered ? 2 * parts_.cfg.health_interval_ms : parts_.cfg.health_interval_ms, false);
  switch (result.kind) {
    case HealthResult::Kind::ok:
      if (!v.health_known || v.health_failing != result.failing || v.min_response_ms != result.min_response_ms) {
        LOG_INFO("health_changed", "processor={} failing={} min_response_ms={} latency_ms={}", processor_name(p),
                 result.failing, result.min_response_ms, result.latency_ms);
      }
      v.health_known = true;
      v.health_failing = result.failing;
      v.min_response_ms = result.min_response_ms;
      v.checked_at_ms = answered;
      break;
    case HealthResult::Kind::rate_limited:
      LOG_WARN("health_rate_limited", "processor={}", processor_name(p));
      break;  // nothing learnt; the next call waits a full interval
    case HealthResult::Kind::error:
      LOG_WARN("health_unanswered", "processor={} timeout_ms={}", processor_name(p), parts_.cfg.health_timeout_ms);
      v.last_failure_ms = answered;  // an unanswered health check counts as a failure
      break;
  }
  if (owner_) co_await publish(decide(), false);
}

void HealthMonitor::set_colour(Colour c, const char* source) {
  if (c == parts_.breaker.colour()) return;
  LOG_INFO("breaker_colour", "from={} to={} source={} default_healthy={} fallback_healthy={}",
           colour_name(parts_.breaker.colour()), colour_name(c), source, view_healthy(view(Processor::default_)),
           view_healthy(view(Processor::fallback)));
  parts_.breaker.set_colour(c);
  parts_.metrics.colour = c;
  ++parts_.metrics.colour_changes;
}

asio::awaitable<void> HealthMonitor::publish(Colour c, bool force) {
  const int64_t now = parts_.clock.now_ms();
  if (c != parts_.breaker.colour()) {
    set_colour(c, "decided");
    force = true;
  }
  if (force || now - last_publish_ms_ >= kRepublishMs) {
    RoutingRecord record{c, now, default_down_since_ms_, view(Processor::default_), view(Processor::fallback)};
    const bool saved = co_await routing_.save_routing(record);
    if (saved) last_publish_ms_ = now;
  }
}

asio::awaitable<void> HealthMonitor::follow() {
  int64_t now = parts_.clock.now_ms();
  std::optional<RoutingRecord> record;
  // What the listener heard, while it is as recent as the owner's republishing makes it
  // (older: the listener may be stuck, so read).
  if (listening_ == Listening::routing && heard_ && now - heard_->decided_at_ms < kRepublishMs + kLeaseTryMs) {
    record = heard_;  // no call
  } else {
    record = co_await routing_.load_routing();
    now = parts_.clock.now_ms();
  }
  if (record) record_decided_ms_ = std::max(record_decided_ms_, record->decided_at_ms);
  if (record && record->fresh(now)) {
    if (stale_) LOG_INFO("routing_fresh_again", "colour={}", colour_name(record->colour));
    stale_ = false;
    parts_.metrics.routing_stale = 0;
    parts_.breaker.set_probe(Processor::none);  // probing is the owner's
    set_colour(record->colour, "redis");
    co_return;
  }
  // Nobody has decided for a while (no owner, or Redis out of reach): a frozen colour could
  // keep sending to a processor that fails, so decide on what this instance's sends saw.
  if (!stale_) {
    LOG_WARN("routing_decision_stale", "decided_at_ms={} bound_ms={} note=deciding_on_own_evidence",
             record ? record->decided_at_ms : -1, kRoutingStaleMs);
  }
  stale_ = true;
  parts_.metrics.routing_stale = 1;
  set_colour(decide(), "own_evidence");
}

asio::awaitable<void> HealthMonitor::tick() {
  co_await keep_lease();
  bool signalled = !local_signals_.empty();
  for (const FailureSignal& sig : local_signals_) apply_failure(sig);
  local_signals_.clear();
  if (!owner_) {
    co_await follow();
    co_return;
  }
  const int64_t now = parts_.clock.now_ms();
  if (listening_ != Listening::signals) {  // else the listener brings them
    for (const FailureSignal& sig : co_await routing_.take_signals()) {
      apply_failure(sig);
      signalled = true;
    }
  }
  // Health checks run beside the loop, so a hanging endpoint never delays a decision.
  for (Processor p : {Processor::default_, Processor::fallback}) {
    const int i = static_cast<int>(p);
    if (!checking_[i] && now - last_call_ms_[i] >= parts_.cfg.health_interval_ms) {
      asio::co_spawn(parts_.ex, check(p), asio::detached);
    }
  }
  co_await publish(decide(), signalled);
}

}  // namespace rinha
