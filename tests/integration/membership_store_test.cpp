// The MembershipStore contract (src/membership_store.hpp), the same checks on
// FakeMembershipStore and on RedisStore (store_contract.hpp). The fake models one other
// instance, already dead; that a live instance's work is not claimed is RedisStore's alone
// (redis_store_test.cpp, ADeadInstancesWorkIsClaimedInOrderWithItsPins).
#include "membership_store.hpp"

#include "store_contract.hpp"

namespace rinha::testing {
namespace {

template <typename Backend>
class MembershipStoreContract : public StoreContract<Backend> {
 protected:
  std::optional<bool> heartbeat(int64_t ttl_ms) { return this->be_.run(this->be_.membership().heartbeat(ttl_ms)); }
  std::optional<int64_t> claim() { return this->be_.run(this->be_.membership().claim_dead_instances()); }
};
TYPED_TEST_SUITE(MembershipStoreContract, Backends, BackendNames);

// true only while this instance's previous heartbeat still stands.
TYPED_TEST(MembershipStoreContract, AHeartbeatTellsWhetherTheInstanceWasStillAlive) {
  EXPECT_EQ(this->heartbeat(1000), false);  // the first: it had not been alive
  this->be_.pass(500);
  EXPECT_EQ(this->heartbeat(300), true);
  this->be_.pass(800);  // lapsed: its work may have been claimed meanwhile
  EXPECT_EQ(this->heartbeat(1000), false);
  EXPECT_EQ(this->heartbeat(1000), true);
}

// A dead instance's payments in flight (earliest accepted first), then its queue (in order),
// go to the head of this instance's queue, pins and doubt kept; its held payments join this
// instance's held set with their retry times; nothing is claimed twice.
TYPED_TEST(MembershipStoreContract, ADeadInstancesWorkIsClaimedOnceInOrderWithItsPins) {
  this->enqueue({this->payment(6, 60)});  // this instance's own
  EXPECT_EQ(this->heartbeat(5000), false);
  const Payment late = this->pinned(2, Processor::fallback, 42, 20);
  const Payment early = this->pinned(1, Processor::default_, 41, 10);
  const Payment held = this->pinned(5, Processor::default_, 43, 50);
  this->be_.plant_dead_peer(DeadPeer{{this->payment(3, 30), this->payment(4, 40)}, {late, early}, {{held, 99000}}});
  EXPECT_EQ(this->claim(), 5);
  EXPECT_EQ(this->claim(), 0);
  EXPECT_EQ(this->backlog(), (Backlog{5, 5, 0, 1}));
  auto r = this->take(5, Processor::fallback, 5000);
  ASSERT_EQ(r.items.size(), 5u);
  EXPECT_EQ(r.items[0].item, encode_payment(early));
  EXPECT_TRUE(r.items[0].prior_doubt);
  EXPECT_EQ(r.items[1].item, encode_payment(late));
  EXPECT_EQ(this->number(r.items[2].item), 3);
  EXPECT_EQ(this->number(r.items[3].item), 4);
  EXPECT_EQ(this->number(r.items[4].item), 6);
  auto early_release = this->be_.run(this->be_.queue().release_held(98999, 10));
  ASSERT_TRUE(early_release);
  EXPECT_EQ(early_release->released, 0);
  EXPECT_EQ(this->be_.run(this->be_.queue().release_held(99000, 10))->released, 1);
  auto back = this->take(1);
  ASSERT_EQ(back.items.size(), 1u);
  EXPECT_EQ(back.items[0].item, encode_payment(held));
}

}  // namespace
}  // namespace rinha::testing
