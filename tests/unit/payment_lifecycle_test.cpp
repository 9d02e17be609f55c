// The life of a taken payment, one table per event (src/payment_lifecycle.hpp).
#include "payment_lifecycle.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

using Kind = LifeAction::Kind;
using Signal = LifeAction::Signal;
using DoubtChange = LifeAction::DoubtChange;
using Out = SendOutcome::Kind;
using Found = LookupResult::Kind;

constexpr LifecycleRules kRules{.backoff_base_ms = 10, .backoff_max_ms = 80, .hold_retry_ms = 1000,
                                .doubt_lookup_after_ms = 5000};
constexpr int64_t kNow = 100000;

Payment pinned(uint32_t attempts = 0) {
  Payment p;
  p.id = *parse_correlation_id("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3");
  p.amount_cents = 1990;
  p.accepted_at_ms = 1;
  p.pin = Processor::default_;
  p.requested_at_ms = 500;
  p.in_doubt = true;  // take() marks every payment it hands over
  p.attempts = attempts;
  return p;
}

PaymentState taken(bool prior_doubt, std::optional<Doubt> doubt = std::nullopt, bool probe = false) {
  return PaymentState{pinned(), prior_doubt, doubt, probe, false};
}

TEST(PaymentLifecycle, WhenTaken) {
  Payment unpinned = pinned();
  unpinned.pin = Processor::none;
  struct Case {
    const char* name;
    PaymentState state;
    Kind kind;
    LifeReason reason;
    int64_t due_ms = 0;
  };
  const Case cases[] = {
      {"undecodable", PaymentState{}, Kind::dead_letter, LifeReason::undecodable},
      {"not pinned by the take", PaymentState{unpinned}, Kind::dead_letter, LifeReason::undecodable},
      {"first send", taken(false), Kind::send, LifeReason::send},
      {"in doubt, nothing remembered (a restart)", taken(true), Kind::send, LifeReason::send},
      {"in doubt, not yet long enough", taken(true, Doubt{kNow - 4999, kNow - 6000}), Kind::send, LifeReason::send},
      {"in doubt long enough, last send quiet long enough", taken(true, Doubt{kNow - 5000, kNow - 5000}), Kind::lookup,
       LifeReason::look_up},
      {"in doubt long enough, last send too recent", taken(true, Doubt{kNow - 9000, kNow - 100}), Kind::hold,
       LifeReason::quiet, kNow - 100 + 5000},
      {"doubt remembered but not in doubt any more", taken(false, Doubt{kNow - 9000, kNow - 9000}), Kind::send,
       LifeReason::send},
  };
  for (const Case& c : cases) {
    const LifeAction a = next_life_action(c.state, LifeEvent::taken(), kNow, kRules);
    EXPECT_EQ(a.kind, c.kind) << c.name;
    EXPECT_EQ(a.reason, c.reason) << c.name;
    EXPECT_EQ(a.due_ms, c.due_ms) << c.name;
    if (c.kind == Kind::hold) {
      EXPECT_EQ(encode_payment(a.payment), encode_payment(pinned())) << c.name;  // unchanged
    }
  }
}

TEST(PaymentLifecycle, WhenSent) {
  struct Case {
    const char* name;
    bool prior_doubt;
    bool probe;
    Out outcome;
    Kind kind;
    LifeReason reason;
    bool still_pinned;
    Signal signal;
    DoubtChange doubt;
    std::optional<int64_t> backoff_ms = std::nullopt;
    int64_t due_ms = 0;
    bool overloaded = false;
  };
  const Case cases[] = {
      {"200", false, false, Out::stored, Kind::record, LifeReason::stored, true, Signal::success, DoubtChange::unchanged},
      {"422", false, false, Out::duplicate, Kind::record, LifeReason::duplicate, true, Signal::success,
       DoubtChange::unchanged},
      {"200 ends a doubt", true, false, Out::stored, Kind::record, LifeReason::stored, true, Signal::success,
       DoubtChange::forget},
      {"422 ends a doubt", true, false, Out::duplicate, Kind::record, LifeReason::duplicate, true, Signal::success,
       DoubtChange::forget},
      {"4XX: held, unpinned", false, false, Out::invalid, Kind::hold, LifeReason::refused, false, Signal::none,
       DoubtChange::unchanged, std::nullopt, kNow + 1000},
      {"4XX after a doubt: held, pinned", true, false, Out::invalid, Kind::hold, LifeReason::refused, true, Signal::none,
       DoubtChange::track, std::nullopt, kNow + 1000},
      {"5XX: requeued unpinned", false, false, Out::rejected, Kind::requeue, LifeReason::failed, false, Signal::failure,
       DoubtChange::unchanged, 10},
      {"5XX after a doubt: pinned", true, false, Out::rejected, Kind::requeue, LifeReason::failed, true, Signal::failure,
       DoubtChange::track, 10},
      {"429: the pacer, not the breaker", false, false, Out::overloaded, Kind::requeue, LifeReason::failed, false,
       Signal::none, DoubtChange::unchanged, 10, 0, true},
      {"refused", false, false, Out::not_sent, Kind::requeue, LifeReason::failed, false, Signal::failure,
       DoubtChange::unchanged, 10},
      {"refused after a doubt", true, false, Out::not_sent, Kind::requeue, LifeReason::failed, true, Signal::failure,
       DoubtChange::track, 10},
      {"timeout: in doubt, pinned", false, false, Out::in_doubt, Kind::requeue, LifeReason::timed_out, true,
       Signal::failure, DoubtChange::track, 10},
      {"timeout again", true, false, Out::in_doubt, Kind::requeue, LifeReason::timed_out, true, Signal::failure,
       DoubtChange::track, 10},
      {"probe failed: no backoff", false, true, Out::rejected, Kind::requeue, LifeReason::failed, false, Signal::failure,
       DoubtChange::unchanged},
      {"probe timed out: no backoff", false, true, Out::in_doubt, Kind::requeue, LifeReason::timed_out, true,
       Signal::failure, DoubtChange::track},
  };
  for (const Case& c : cases) {
    const LifeAction a = next_life_action(taken(c.prior_doubt, std::nullopt, c.probe), LifeEvent::sent(c.outcome), kNow, kRules);
    EXPECT_EQ(a.kind, c.kind) << c.name;
    EXPECT_EQ(a.reason, c.reason) << c.name;
    EXPECT_EQ(a.signal, c.signal) << c.name;
    EXPECT_EQ(a.doubt, c.doubt) << c.name;
    EXPECT_EQ(a.backoff_ms, c.backoff_ms) << c.name;
    EXPECT_EQ(a.due_ms, c.due_ms) << c.name;
    EXPECT_EQ(a.overloaded, c.overloaded) << c.name;
    EXPECT_EQ(a.payment.attempts, 1u) << c.name;  // every answer counts an attempt
    if (c.still_pinned) {
      EXPECT_EQ(a.payment.pin, Processor::default_) << c.name;
      EXPECT_EQ(a.payment.requested_at_ms, 500) << c.name;
      EXPECT_TRUE(a.payment.in_doubt) << c.name;
    } else {
      EXPECT_EQ(a.payment.pin, Processor::none) << c.name;
      EXPECT_EQ(a.payment.requested_at_ms, 0) << c.name;
      EXPECT_FALSE(a.payment.in_doubt) << c.name;
    }
  }
}

TEST(PaymentLifecycle, BackoffDoublesPerAttemptUpToTheMax) {
  const std::pair<uint32_t, int64_t> cases[] = {{0, 10}, {1, 20}, {2, 40}, {3, 80}, {4, 80}, {63, 80}};
  for (const auto& [attempts, expected] : cases) {
    EXPECT_EQ(lifecycle_backoff_ms(attempts, kRules), expected) << attempts;
    PaymentState s = taken(false);
    s.payment->attempts = attempts;
    EXPECT_EQ(next_life_action(s, LifeEvent::sent(Out::rejected), kNow, kRules).backoff_ms, expected) << attempts;
  }
}

TEST(PaymentLifecycle, WhenLookedUp) {
  struct Case {
    const char* name;
    LifeEvent event;
    bool have_control;
    Kind kind;
    LifeReason reason;
    bool still_pinned;
    DoubtChange doubt;
    int64_t due_ms = 0;
    int64_t requested_at_ms = 500;
  };
  const Case cases[] = {
      {"found: recorded with its requestedAt", LifeEvent::looked_up({Found::found, 777}), false, Kind::record,
       LifeReason::found, true, DoubtChange::forget, 0, 777},
      {"not found, no control: not believed", LifeEvent::looked_up({Found::not_found, 0}), false, Kind::hold,
       LifeReason::unverified, true, DoubtChange::unchanged, kNow + 1000},
      {"not found: ask for the control", LifeEvent::looked_up({Found::not_found, 0}), true, Kind::lookup_control,
       LifeReason::check_control, true, DoubtChange::unchanged},
      {"no answer", LifeEvent::looked_up({Found::error, 0}), true, Kind::hold, LifeReason::no_answer, true,
       DoubtChange::unchanged, kNow + 1000},
      {"control found: unpinned", LifeEvent::control_looked_up(Found::found), true, Kind::requeue, LifeReason::not_found,
       false, DoubtChange::forget, 0, 0},
      {"control not found either", LifeEvent::control_looked_up(Found::not_found), true, Kind::hold,
       LifeReason::unverified, true, DoubtChange::unchanged, kNow + 1000},
      {"control unanswered", LifeEvent::control_looked_up(Found::error), true, Kind::hold, LifeReason::unverified, true,
       DoubtChange::unchanged, kNow + 1000},
  };
  for (const Case& c : cases) {
    PaymentState s = taken(true, Doubt{kNow - 9000, kNow - 9000});
    s.have_control = c.have_control;
    const LifeAction a = next_life_action(s, c.event, kNow, kRules);
    EXPECT_EQ(a.kind, c.kind) << c.name;
    EXPECT_EQ(a.reason, c.reason) << c.name;
    EXPECT_EQ(a.doubt, c.doubt) << c.name;
    EXPECT_EQ(a.due_ms, c.due_ms) << c.name;
    EXPECT_EQ(a.backoff_ms, std::nullopt) << c.name;  // no send was made: nothing to back off from
    EXPECT_EQ(a.payment.attempts, 0u) << c.name;
    EXPECT_EQ(a.payment.requested_at_ms, c.requested_at_ms) << c.name;
    EXPECT_EQ(a.payment.pin, c.still_pinned ? Processor::default_ : Processor::none) << c.name;
  }
}

TEST(PaymentLifecycle, TheDoubtStartsWithTheFirstSendInDoubt) {
  EXPECT_EQ(lifecycle_track_doubt(std::nullopt, 100, 150), (Doubt{100, 150}));
  EXPECT_EQ(lifecycle_track_doubt(Doubt{100, 150}, 2000, 2100), (Doubt{100, 2100}));  // the latest send that might land
}

}  // namespace
}  // namespace rinha
