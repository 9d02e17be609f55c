// The life of a taken payment: the transitions listed in the header.
#include "payment_lifecycle.hpp"

#include <algorithm>

#include "routing_policy.hpp"

namespace rinha {

int64_t lifecycle_backoff_ms(uint32_t attempts, const LifecycleRules& rules) {
  const uint32_t shift = std::min<uint32_t>(attempts, 20);
  return std::min<int64_t>(rules.backoff_base_ms << shift, rules.backoff_max_ms);
}

Doubt lifecycle_track_doubt(const std::optional<Doubt>& known, int64_t sent_at_ms, int64_t returned_ms) {
  Doubt d = known.value_or(Doubt{sent_at_ms, returned_ms});
  d.last_send_ms = returned_ms;
  return d;
}

const char* life_reason_name(LifeReason r) {
  switch (r) {
    case LifeReason::undecodable: return "undecodable";
    case LifeReason::send: return "send";
    case LifeReason::quiet: return "quiet";
    case LifeReason::look_up: return "look_up";
    case LifeReason::stored: return "stored";
    case LifeReason::duplicate: return "duplicate";
    case LifeReason::refused: return "refused";
    case LifeReason::failed: return "failed";
    case LifeReason::timed_out: return "timed_out";
    case LifeReason::found: return "found";
    case LifeReason::check_control: return "check_control";
    case LifeReason::not_found: return "not_found";
    case LifeReason::unverified: return "not_found_unverified";
    case LifeReason::no_answer: return "no_answer";
  }
  return "?";
}

namespace {

using Kind = LifeAction::Kind;

LifeAction act(Kind kind, LifeReason reason, const Payment& p) {
  LifeAction a;
  a.kind = kind;
  a.reason = reason;
  a.payment = p;
  return a;
}

void unpin(Payment& p) {
  p.pin = Processor::none;
  p.in_doubt = false;
  p.requested_at_ms = 0;
}

// Just taken: dead letter, lookup mode, or a send to its pin.
LifeAction on_taken(const PaymentState& s, int64_t now_ms, const LifecycleRules& rules) {
  if (!s.payment || s.payment->pin == Processor::none) return act(Kind::dead_letter, LifeReason::undecodable, Payment{});
  const Payment& p = *s.payment;
  // Lookup mode: in doubt here, and its processor has failed to settle it for long enough.
  if (s.prior_doubt && s.doubt && now_ms - s.doubt->since_ms >= rules.doubt_lookup_after_ms) {
    const int64_t quiet_until = s.doubt->last_send_ms + rules.doubt_lookup_after_ms;
    if (now_ms < quiet_until) {  // a send is too recent: wait, without sending
      LifeAction a = act(Kind::hold, LifeReason::quiet, p);
      a.due_ms = quiet_until;
      return a;
    }
    return act(Kind::lookup, LifeReason::look_up, p);
  }
  return act(Kind::send, LifeReason::send, p);
}

// A send's answer. Every answer counts an attempt; the doubt is tracked while unsettled.
LifeAction on_sent(const PaymentState& s, SendOutcome::Kind outcome, int64_t now_ms, const LifecycleRules& rules) {
  Payment p = *s.payment;
  ++p.attempts;
  const bool settled = outcome == SendOutcome::Kind::stored || outcome == SendOutcome::Kind::duplicate;
  LifeAction a;
  if (!settled && (s.prior_doubt || outcome == SendOutcome::Kind::in_doubt)) {
    a.doubt = LifeAction::DoubtChange::track;  // still in doubt: this send is the latest that might land
  } else if (s.prior_doubt) {
    a.doubt = LifeAction::DoubtChange::forget;
  }
  switch (outcome) {
    case SendOutcome::Kind::stored:
    case SendOutcome::Kind::duplicate:
      a.kind = Kind::record;
      a.reason = outcome == SendOutcome::Kind::duplicate ? LifeReason::duplicate : LifeReason::stored;
      a.signal = LifeAction::Signal::success;
      a.payment = p;
      return a;
    case SendOutcome::Kind::invalid:
      // A 4XX other than 422/429 is no reason to drop an accepted payment: it is most often
      // the deployment (a wrong URL, an auth proxy), fixed by a person in minutes. Hold it.
      if (!s.prior_doubt) unpin(p);  // refused outright and never in doubt: no processor holds it
      a.kind = Kind::hold;
      a.reason = LifeReason::refused;
      a.due_ms = now_ms + rules.hold_retry_ms;
      a.payment = p;
      return a;
    case SendOutcome::Kind::rejected:
    case SendOutcome::Kind::overloaded:
    case SendOutcome::Kind::not_sent:
      if (!s.prior_doubt) unpin(p);  // this call stored nothing and no earlier call is pending
      a.reason = LifeReason::failed;
      a.overloaded = outcome == SendOutcome::Kind::overloaded;
      break;
    case SendOutcome::Kind::in_doubt:
      a.reason = LifeReason::timed_out;  // stays pinned, in doubt
      break;
  }
  a.kind = Kind::requeue;
  if (is_failure_evidence(outcome)) a.signal = LifeAction::Signal::failure;
  // A probe's pace is the probe interval; backing off would stretch it (to BACKOFF_MAX
  // after a few failures) and delay noticing the recovery.
  if (!s.probe) a.backoff_ms = lifecycle_backoff_ms(p.attempts - 1, rules);
  a.payment = p;
  return a;
}

LifeAction still_pinned(const Payment& p, LifeReason reason, int64_t now_ms, const LifecycleRules& rules) {
  LifeAction a = act(Kind::hold, reason, p);
  a.due_ms = now_ms + rules.hold_retry_ms;
  return a;
}

// Lookup mode's answers: only a found payment, or a believable "not found", ends the doubt.
LifeAction on_looked_up(const PaymentState& s, const LifeEvent& e, int64_t now_ms, const LifecycleRules& rules) {
  Payment p = *s.payment;
  switch (e.lookup) {
    case LookupResult::Kind::found: {
      p.requested_at_ms = e.found_requested_at_ms;
      LifeAction a = act(Kind::record, LifeReason::found, p);
      a.doubt = LifeAction::DoubtChange::forget;
      return a;
    }
    case LookupResult::Kind::not_found:
      if (!s.have_control) return still_pinned(p, LifeReason::unverified, now_ms, rules);
      return act(Kind::lookup_control, LifeReason::check_control, p);
    case LookupResult::Kind::error:
      break;
  }
  return still_pinned(p, LifeReason::no_answer, now_ms, rules);
}

LifeAction on_control_looked_up(const PaymentState& s, LookupResult::Kind control, int64_t now_ms,
                                const LifecycleRules& rules) {
  Payment p = *s.payment;
  if (control != LookupResult::Kind::found) return still_pinned(p, LifeReason::unverified, now_ms, rules);
  unpin(p);
  LifeAction a = act(Kind::requeue, LifeReason::not_found, p);
  a.doubt = LifeAction::DoubtChange::forget;
  return a;
}

}  // namespace

LifeAction next_life_action(const PaymentState& state, const LifeEvent& event, int64_t now_ms,
                            const LifecycleRules& rules) {
  if (event.kind != LifeEvent::Kind::taken && !state.payment) return act(Kind::dead_letter, LifeReason::undecodable, Payment{});
  switch (event.kind) {
    case LifeEvent::Kind::taken: return on_taken(state, now_ms, rules);
    case LifeEvent::Kind::sent: return on_sent(state, event.send, now_ms, rules);
    case LifeEvent::Kind::looked_up: return on_looked_up(state, event, now_ms, rules);
    case LifeEvent::Kind::control_looked_up: return on_control_looked_up(state, event.lookup, now_ms, rules);
  }
  return act(Kind::dead_letter, LifeReason::undecodable, Payment{});
}

}  // namespace rinha
