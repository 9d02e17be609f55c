// All four store fakes over one in-memory keyspace, as RedisStore implements all four
// interfaces over one Redis: a record leaves the queue's processing list, a purge empties
// the queue, a claim fills it, and fail_next_ops counts the operations of all of them.
#pragma once
#include "fake_ledger.hpp"
#include "fake_membership_store.hpp"
#include "fake_payment_queue.hpp"
#include "fake_routing_state.hpp"

namespace rinha::testing {

class FakeStore final : public FakePaymentQueue, public FakeLedger, public FakeRoutingState, public FakeMembershipStore {};

}  // namespace rinha::testing
