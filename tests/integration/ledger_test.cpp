// The Ledger contract (src/ledger.hpp), the same checks on FakeLedger and on RedisStore
// (store_contract.hpp). A record settles a payment taken from the queue, so these checks
// move payments through the PaymentQueue of the same backend. upkeep() is left out: the
// fake reports what a test sets (Redis's memory and the trim are RedisStore's alone,
// tested in redis_store_test.cpp and books_test.cpp).
#include "ledger.hpp"

#include "store_contract.hpp"

namespace rinha::testing {
namespace {

template <typename Backend>
class LedgerContract : public StoreContract<Backend> {
 protected:
  // Takes payment n and records it as stored by `where` at `requested_ms`: its processing item.
  std::string settle(int n, Processor where, int64_t requested_ms, int64_t cents = 1990) {
    this->enqueue({this->payment(n, 1, cents)});
    const std::string item = this->take_one();
    EXPECT_TRUE(this->be_.run(this->be_.ledger().record(item, paid(item, requested_ms), where)));
    return item;
  }
  static Payment paid(const std::string& item, int64_t requested_ms) {
    Payment p = *decode_payment(item);
    p.requested_at_ms = requested_ms;
    return p;
  }
  Summary summary(TimeRange range = {}) {
    auto s = this->be_.run(this->be_.ledger().summary(range));
    EXPECT_TRUE(s);
    return s.value_or(Summary{});
  }
};
TYPED_TEST_SUITE(LedgerContract, Backends, BackendNames);

// The record leaves the processing list; a repeat (a batch whose reply was lost) books nothing more.
TYPED_TEST(LedgerContract, ARecordBooksOnce) {
  const std::string item = this->settle(1, Processor::fallback, 1000);
  EXPECT_EQ(this->backlog(), (Backlog{0, 0, 0, 0}));
  EXPECT_TRUE(this->be_.run(this->be_.ledger().record(item, this->paid(item, 1000), Processor::fallback)));
  const Summary s = this->summary();
  EXPECT_EQ(s.fallback.count, 1);
  EXPECT_EQ(s.fallback.amount_cents, 1990);
  EXPECT_EQ(s.default_.count, 0);
}

// Only a payment still in flight is booked: one requeued meanwhile (or claimed by another
// instance) stays where it is, unbooked.
TYPED_TEST(LedgerContract, APaymentNoLongerInFlightIsNotBooked) {
  this->enqueue({this->payment(1)});
  const std::string item = this->take_one();
  EXPECT_TRUE(this->be_.run(this->be_.queue().requeue_front(item, item)));
  EXPECT_TRUE(this->be_.run(this->be_.ledger().record(item, this->paid(item, 1000), Processor::default_)));
  EXPECT_EQ(this->summary().default_.count, 0);
  EXPECT_EQ(this->backlog(), (Backlog{1, 1, 0, 0}));
}

TYPED_TEST(LedgerContract, SummaryBoundsAreInclusiveAndTotalsPerProcessor) {
  this->settle(1, Processor::default_, 999);
  this->settle(2, Processor::default_, 1000);
  this->settle(3, Processor::default_, 2000, 500);
  this->settle(4, Processor::fallback, 1500, 1234);
  Summary s = this->summary(TimeRange{1000, 2000});
  EXPECT_EQ(s.default_.count, 2);
  EXPECT_EQ(s.default_.amount_cents, 1990 + 500);
  EXPECT_EQ(s.fallback.count, 1);
  EXPECT_EQ(s.fallback.amount_cents, 1234);
  s = this->summary(TimeRange{1001, 1999});
  EXPECT_EQ(s.default_.count, 0);
  EXPECT_EQ(s.fallback.count, 1);
  s = this->summary();  // unbounded
  EXPECT_EQ(s.default_.count, 3);
  EXPECT_EQ(s.default_.amount_cents, 2 * 1990 + 500);
  EXPECT_EQ(s.fallback.count, 1);
}

// The purge forgets the books, the queue, the payments in flight and held, and the ids (a
// payment is accepted again). (The routing signals it also drops are left out: the fakes
// keep them in FakeRoutingState, which shares no keys with FakeLedger.)
TYPED_TEST(LedgerContract, PurgeForgetsEverything) {
  this->settle(1, Processor::default_, 1000);
  this->enqueue({this->payment(2), this->payment(3), this->payment(4)});
  const std::string two = this->take_one();
  this->take_one();  // 3, in flight
  EXPECT_TRUE(this->be_.run(this->be_.queue().hold(two, two, 9000)));
  EXPECT_EQ(this->backlog(), (Backlog{1, 1, 1, 1}));
  EXPECT_TRUE(this->be_.run(this->be_.ledger().purge()));
  EXPECT_EQ(this->backlog(), (Backlog{0, 0, 0, 0}));
  EXPECT_EQ(this->summary().default_.count, 0);
  EXPECT_EQ(this->be_.run(this->be_.queue().enqueue(this->payment(1))), EnqueueStatus::accepted);
  EXPECT_EQ(this->be_.run(this->be_.queue().enqueue(this->payment(3))), EnqueueStatus::accepted);
}

}  // namespace
}  // namespace rinha::testing
