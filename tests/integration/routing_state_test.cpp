// The RoutingState contract (src/routing_state.hpp), the same checks on FakeRoutingState (on
// a fake clock) and on RedisStore (store_contract.hpp; expiry in real time, with wide margins).
#include "routing_state.hpp"

#include "store_contract.hpp"

namespace rinha::testing {
namespace {

constexpr int64_t kTtl = 1000;
constexpr int64_t kStep = 600;  // less than kTtl; two of them more

template <typename Backend>
class RoutingStateContract : public StoreContract<Backend> {
 protected:
  std::optional<LeaseState> lease(const char* holder) {
    return this->be_.run(this->be_.routing().hold_health_lease(holder, kTtl));
  }
  bool reserve(Processor p, bool only_if_free) {
    return this->be_.run(this->be_.routing().reserve_health_call(p, kTtl, only_if_free));
  }
};
TYPED_TEST_SUITE(RoutingStateContract, Backends, BackendNames);

TYPED_TEST(RoutingStateContract, TheRoutingRecordIsUndecidedUntilSavedThenRoundTrips) {
  auto& rs = this->be_.routing();
  auto nothing = this->be_.run(rs.load_routing());
  ASSERT_TRUE(nothing);
  EXPECT_EQ(*nothing, RoutingRecord{});  // decided_at_ms 0: never fresh
  RoutingRecord r{Colour::red, 1752582896123, 1752582800000, {}, {}};
  r.default_view.last_failure_ms = 1752582896000;
  r.fallback_view.health_known = true;
  r.fallback_view.min_response_ms = 12;
  EXPECT_TRUE(this->be_.run(rs.save_routing(r)));
  EXPECT_EQ(this->be_.run(rs.load_routing()), r);
}

// One holder at a time; a renewal extends it; unrenewed, it expires and anyone may take it.
TYPED_TEST(RoutingStateContract, TheHealthLeaseHasOneHolderAndExpires) {
  EXPECT_EQ(this->lease("1:a"), LeaseState::acquired);
  EXPECT_EQ(this->lease("2:b"), LeaseState::held_by_other);
  this->be_.pass(kStep);
  EXPECT_EQ(this->lease("1:a"), LeaseState::renewed);
  this->be_.pass(kStep);  // past the first expiry, not the renewed one
  EXPECT_EQ(this->lease("2:b"), LeaseState::held_by_other);
  this->be_.pass(kStep);
  EXPECT_EQ(this->lease("2:b"), LeaseState::acquired);
  EXPECT_EQ(this->lease("1:a"), LeaseState::held_by_other);
}

// only_if_free fails while a reservation stands (per processor); without it, the reservation
// is re-dated, so it stands longer.
TYPED_TEST(RoutingStateContract, AHealthCallIsReservedOncePerInterval) {
  EXPECT_TRUE(this->reserve(Processor::default_, true));
  EXPECT_FALSE(this->reserve(Processor::default_, true));
  EXPECT_TRUE(this->reserve(Processor::fallback, true));
  this->be_.pass(kStep);
  EXPECT_TRUE(this->reserve(Processor::default_, false));  // re-dated
  this->be_.pass(kStep);
  EXPECT_FALSE(this->reserve(Processor::default_, true));
  EXPECT_TRUE(this->reserve(Processor::fallback, true));  // expired
  this->be_.pass(kStep);
  EXPECT_TRUE(this->reserve(Processor::default_, true));
}

// Taken oldest first, once; only the newest 64 are kept (a health owner that stopped
// reading must not let them grow without bound).
TYPED_TEST(RoutingStateContract, SignalsAreTakenOldestFirstOnceAndBounded) {
  auto& rs = this->be_.routing();
  std::vector<FailureSignal> pushed;
  for (int64_t i = 0; i < 70; ++i) {
    pushed.push_back(FailureSignal{i % 3 == 0 ? Processor::fallback : Processor::default_, 1752582896000 + i});
    EXPECT_TRUE(this->be_.run(rs.push_signal(pushed.back())));
  }
  const std::vector<FailureSignal> newest(pushed.end() - 64, pushed.end());
  EXPECT_EQ(this->be_.run(rs.take_signals()), newest);
  EXPECT_TRUE(this->be_.run(rs.take_signals()).empty());
}

// The listener's forms: wait_routing() gives each saved record once, the newest when several
// were saved meanwhile (only the newest is kept), and nothing once the wait ends with none;
// wait_signals() takes what take_signals() would, oldest first.
TYPED_TEST(RoutingStateContract, TheWaitsGiveTheNewestRecordOnceAndTheSignals) {
  auto& rs = this->be_.routing();
  std::string cursor;
  EXPECT_EQ(this->be_.run(rs.wait_routing(cursor, 50)), std::nullopt);  // nothing saved
  RoutingRecord r{Colour::yellow, 1752582896123, -1, {}, {}};
  ASSERT_TRUE(this->be_.run(rs.save_routing(r)));
  EXPECT_EQ(this->be_.run(rs.wait_routing(cursor, 50)), r);
  EXPECT_FALSE(cursor.empty());
  EXPECT_EQ(this->be_.run(rs.wait_routing(cursor, 50)), std::nullopt);  // heard already
  for (int64_t i = 1; i <= 3; ++i) {
    r.decided_at_ms += i;
    r.colour = i % 2 ? Colour::red : Colour::green;
    ASSERT_TRUE(this->be_.run(rs.save_routing(r)));
  }
  EXPECT_EQ(this->be_.run(rs.wait_routing(cursor, 50)), r);
  EXPECT_EQ(this->be_.run(rs.load_routing()), r);
  EXPECT_EQ(this->be_.run(rs.wait_routing(cursor, 50)), std::nullopt);

  EXPECT_TRUE(this->be_.run(rs.wait_signals(50)).empty());
  const std::vector<FailureSignal> pushed{{Processor::default_, 1752582896123}, {Processor::fallback, 7}};
  for (const FailureSignal& s : pushed) ASSERT_TRUE(this->be_.run(rs.push_signal(s)));
  EXPECT_EQ(this->be_.run(rs.wait_signals(50)), pushed);
  EXPECT_TRUE(this->be_.run(rs.wait_signals(50)).empty());
}

}  // namespace
}  // namespace rinha::testing
