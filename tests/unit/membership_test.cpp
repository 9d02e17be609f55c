#include "membership.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "fake_clock.hpp"
#include "fake_membership_store.hpp"
#include "run_coro.hpp"

namespace rinha {
namespace {

using testing::FakeClock;
using testing::FakeMembershipStore;
using testing::run_coro;

Payment payment(int n, int64_t accepted_ms) {
  Payment p;
  p.id = *parse_correlation_id(fmt::format("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60{:02d}", n));
  p.amount_cents = 1990;
  p.accepted_at_ms = accepted_ms;
  return p;
}

class MembershipTest : public ::testing::Test {
 protected:
  void tick() { run_coro(io_, membership_.tick()); }

  boost::asio::io_context io_;
  FakeMembershipStore store_;
  FakeClock clock_;
  Metrics metrics_;
  int woken_ = 0;
  Membership membership_{io_.get_executor(), store_, clock_, metrics_, [this] { ++woken_; }};
};

TEST_F(MembershipTest, ClaimsADeadInstancesWorkInFlightFirstWithPinsKept) {
  Payment in_flight = payment(1, 10);
  in_flight.pin = Processor::fallback;
  in_flight.requested_at_ms = 77;
  in_flight.in_doubt = true;
  store_.dead_peer_processing = {encode_payment(in_flight)};
  store_.dead_peer_queue = {encode_payment(payment(3, 30)), encode_payment(payment(2, 20))};  // front = newest
  store_.queue = {encode_payment(payment(4, 40))};  // this instance's own
  tick();
  EXPECT_EQ(metrics_.claimed, 3);
  EXPECT_EQ(woken_, 1);
  ASSERT_EQ(store_.queue.size(), 4u);
  EXPECT_EQ(store_.queue.back(), encode_payment(in_flight));  // the head: in flight, pinned, in doubt
  EXPECT_EQ(decode_payment(store_.queue[2])->accepted_at_ms, 20);
  EXPECT_EQ(decode_payment(store_.queue[1])->accepted_at_ms, 30);
  EXPECT_EQ(decode_payment(store_.queue[0])->accepted_at_ms, 40);
}

TEST_F(MembershipTest, BeatsEveryTickAndClaimsAtMostOncePerClaimPeriod) {
  tick();
  EXPECT_EQ(store_.heartbeats, 1);
  store_.dead_peer_queue = {encode_payment(payment(1, 1))};
  clock_.advance(kHeartbeatMs);
  tick();  // too soon after the last claim
  EXPECT_EQ(store_.heartbeats, 2);
  EXPECT_EQ(metrics_.claimed, 0);
  clock_.advance(kClaimMs);
  tick();
  EXPECT_EQ(metrics_.claimed, 1);
  EXPECT_EQ(woken_, 1);
}

TEST_F(MembershipTest, AnExpiredOwnHeartbeatIsCountedAsALapse) {
  tick();
  EXPECT_EQ(metrics_.membership_lapses, 0);  // the first beat of a new process is no lapse
  store_.lapse_next_heartbeat = true;
  clock_.advance(kHeartbeatMs);
  tick();
  EXPECT_EQ(metrics_.membership_lapses, 1);
}

TEST_F(MembershipTest, RedisUnreachableClaimsNothing) {
  store_.dead_peer_queue = {encode_payment(payment(1, 1))};
  store_.fail_next_ops = 1;
  tick();
  EXPECT_EQ(metrics_.claimed, 0);
  EXPECT_EQ(store_.dead_peer_queue.size(), 1u);
  clock_.advance(kClaimMs);
  tick();
  EXPECT_EQ(metrics_.claimed, 1);
}

}  // namespace
}  // namespace rinha
