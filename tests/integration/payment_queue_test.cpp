// The PaymentQueue contract (src/payment_queue.hpp), the same checks on FakePaymentQueue and
// on RedisStore (store_contract.hpp).
#include "payment_queue.hpp"

#include "store_contract.hpp"

namespace rinha::testing {
namespace {

template <typename Backend>
class PaymentQueueContract : public StoreContract<Backend> {};
TYPED_TEST_SUITE(PaymentQueueContract, Backends, BackendNames);

// One acceptance per correlationId, whichever way it came in (queued or handed to a worker).
TYPED_TEST(PaymentQueueContract, EnqueueIsIdempotentPerIdAcrossBothPaths) {
  auto& q = this->be_.queue();
  EXPECT_EQ(this->be_.run(q.enqueue(this->payment(1))), EnqueueStatus::accepted);
  EXPECT_EQ(this->be_.run(q.enqueue(this->payment(1, 1, 5))), EnqueueStatus::duplicate);
  EXPECT_EQ(this->be_.run(q.enqueue_taken(this->pinned(1, Processor::default_, 7))), EnqueueStatus::duplicate);
  EXPECT_EQ(this->be_.run(q.enqueue_taken(this->pinned(2, Processor::fallback, 7))), EnqueueStatus::accepted);
  EXPECT_EQ(this->be_.run(q.enqueue_taken(this->pinned(2, Processor::fallback, 7))), EnqueueStatus::duplicate);
  EXPECT_EQ(this->be_.run(q.enqueue(this->payment(2))), EnqueueStatus::duplicate);
  EXPECT_EQ(this->backlog(), (Backlog{1, 1, 1, 0}));  // 1 queued, 2 in flight
}

// FIFO; an unpinned payment is pinned by the take (pin, requestedAt), a pinned one keeps
// both; every one leaves in doubt, and prior_doubt tells which were in doubt before.
TYPED_TEST(PaymentQueueContract, TakeIsFifoAndPinsOnlyTheUnpinned) {
  this->enqueue({this->payment(1), this->pinned(2, Processor::fallback, 42), this->payment(3)});
  auto r = this->take(2, Processor::default_, 7777);
  ASSERT_EQ(r.kind, TakeResult::Kind::items);
  ASSERT_EQ(r.items.size(), 2u);
  Payment first = this->payment(1);
  first.pin = Processor::default_;
  first.requested_at_ms = 7777;
  first.in_doubt = true;
  EXPECT_EQ(r.items[0].item, encode_payment(first));
  EXPECT_FALSE(r.items[0].prior_doubt);
  EXPECT_EQ(r.items[1].item, encode_payment(this->pinned(2, Processor::fallback, 42)));
  EXPECT_TRUE(r.items[1].prior_doubt);
  EXPECT_EQ(this->backlog(), (Backlog{1, 1, 2, 0}));
  EXPECT_EQ(this->drain(), std::vector<int>{3});
  EXPECT_EQ(this->take(5).kind, TakeResult::Kind::empty);
}

// A payment handed straight to a worker is in flight in the given form, as a take leaves it:
// the recovery puts it back, and it is recorded like any taken one.
TYPED_TEST(PaymentQueueContract, EnqueueTakenIsInFlightAsGiven) {
  const Payment p = this->pinned(1, Processor::fallback, 7);
  EXPECT_EQ(this->be_.run(this->be_.queue().enqueue_taken(p)), EnqueueStatus::accepted);
  EXPECT_EQ(this->backlog(), (Backlog{0, 0, 1, 0}));
  EXPECT_EQ(this->be_.run(this->be_.queue().recover_in_flight()), 1);
  auto r = this->take(1);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].item, encode_payment(p));  // pin and requestedAt kept
  EXPECT_TRUE(r.items[0].prior_doubt);
}

// Back to the head in the updated form; persist() repeats a move whose reply was lost, and
// the repeat changes nothing (requeue, dead letter and hold alike).
TYPED_TEST(PaymentQueueContract, RequeueDeadLetterAndHoldAreIdempotent) {
  auto& q = this->be_.queue();
  this->enqueue({this->payment(1), this->payment(2), this->payment(3)});
  const std::string one = this->take_one();
  Payment retried = *decode_payment(one);
  retried.attempts = 1;
  const std::string updated = encode_payment(retried);
  EXPECT_TRUE(this->be_.run(q.requeue_front(one, updated)));
  EXPECT_TRUE(this->be_.run(q.requeue_front(one, updated)));
  EXPECT_EQ(this->backlog(), (Backlog{3, 3, 0, 0}));
  auto again = this->take(1);
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_EQ(again.items[0].item, updated);  // at the head, before 2
  EXPECT_TRUE(again.items[0].prior_doubt);
  EXPECT_TRUE(this->be_.run(q.dead_letter(updated)));
  EXPECT_TRUE(this->be_.run(q.dead_letter(updated)));
  const std::string two = this->take_one();
  EXPECT_TRUE(this->be_.run(q.hold(two, two, 5000)));
  EXPECT_TRUE(this->be_.run(q.hold(two, two, 5000)));
  EXPECT_EQ(this->backlog(), (Backlog{1, 1, 0, 1}));  // 1 gone, 2 held once, 3 queued
  EXPECT_TRUE(this->be_.run(q.requeue_front(two, two)));  // no longer in flight: nothing moves
  EXPECT_EQ(this->backlog(), (Backlog{1, 1, 0, 1}));
}

// Due held payments go, earliest due first and at most `max` per call, to the TAIL of the
// queue (behind what waits), unchanged.
TYPED_TEST(PaymentQueueContract, ReleaseHeldMovesDueItemsEarliestFirstToTheTail) {
  auto& q = this->be_.queue();
  this->enqueue({this->payment(1), this->payment(2)});
  const std::string one = this->take_one(), two = this->take_one();
  EXPECT_TRUE(this->be_.run(q.hold(one, one, 3000)));
  EXPECT_TRUE(this->be_.run(q.hold(two, two, 2000)));
  this->enqueue({this->payment(3)});
  auto early = this->be_.run(q.release_held(1999, 10));
  ASSERT_TRUE(early);
  EXPECT_EQ(early->released, 0);
  EXPECT_EQ(early->remaining, 2);
  auto some = this->be_.run(q.release_held(3000, 1));
  ASSERT_TRUE(some);
  EXPECT_EQ(some->released, 1);  // 2, due first
  EXPECT_EQ(some->remaining, 1);
  this->enqueue({this->payment(4)});
  auto rest = this->be_.run(q.release_held(3000, 10));
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->released, 1);
  EXPECT_EQ(rest->remaining, 0);
  EXPECT_EQ(this->backlog(), (Backlog{4, 4, 0, 0}));
  auto r = this->take(4);
  ASSERT_EQ(r.items.size(), 4u);
  EXPECT_EQ(this->number(r.items[0].item), 3);
  EXPECT_EQ(r.items[1].item, two);  // unchanged: pin, requestedAt and doubt kept
  EXPECT_EQ(this->number(r.items[2].item), 4);
  EXPECT_EQ(r.items[3].item, one);
}

// A restart puts this instance's payments in flight back at the head of its queue, the
// earliest accepted at the very head, in their pinned form.
TYPED_TEST(PaymentQueueContract, RecoverInFlightPutsProcessingBackAtTheHead) {
  this->enqueue({this->payment(1, 10), this->payment(2, 20), this->payment(3, 30)});
  const std::string one = this->take_one(), two = this->take_one();
  const Payment handed = this->pinned(4, Processor::fallback, 9, 5);  // accepted before all
  EXPECT_EQ(this->be_.run(this->be_.queue().enqueue_taken(handed)), EnqueueStatus::accepted);
  EXPECT_EQ(this->be_.run(this->be_.queue().recover_in_flight()), 3);
  EXPECT_EQ(this->backlog(), (Backlog{4, 4, 0, 0}));
  auto r = this->take(4, Processor::fallback, 5000);
  ASSERT_EQ(r.items.size(), 4u);
  EXPECT_EQ(r.items[0].item, encode_payment(handed));
  EXPECT_EQ(r.items[1].item, one);
  EXPECT_EQ(r.items[2].item, two);
  EXPECT_EQ(this->number(r.items[3].item), 3);
  EXPECT_EQ(this->be_.run(this->be_.queue().recover_in_flight()), 4);
  EXPECT_EQ(this->be_.run(this->be_.queue().recover_in_flight()), 0);
}

}  // namespace
}  // namespace rinha::testing
