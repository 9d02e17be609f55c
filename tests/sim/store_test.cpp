// PaymentStore: once per correlationId, lookups, inclusive time-range totals, purge.
#include "store.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

PaymentRecord payment(std::string id, int64_t amount_cents, int64_t at_ms) {
  return {std::move(id), amount_cents, at_ms};
}

TEST(SimStore, SecondInsertOfSameIdIsDuplicateAndKeepsFirst) {
  PaymentStore store;
  EXPECT_EQ(store.store_insert(payment("a", 1990, 1000)), StoreResult::stored);
  EXPECT_EQ(store.store_insert(payment("a", 5000, 2000)), StoreResult::duplicate);
  ASSERT_NE(store.store_find("a"), nullptr);
  EXPECT_EQ(store.store_find("a")->amount_cents, 1990);
  EXPECT_EQ(store.store_find("a")->requested_at_ms, 1000);
  EXPECT_EQ(store.store_size(), 1u);
  const PaymentTotals totals = store.store_totals(std::nullopt, std::nullopt);
  EXPECT_EQ(totals.count, 1);
  EXPECT_EQ(totals.amount_cents, 1990);
  EXPECT_EQ(store.store_find("b"), nullptr);
}

TEST(SimStore, RangeIsInclusiveAtMillisecondPrecision) {
  PaymentStore store;
  // Out of order on purpose: the time index must stay sorted.
  store.store_insert(payment("c", 300, 3000));
  store.store_insert(payment("a", 100, 1000));
  store.store_insert(payment("b", 200, 2000));
  store.store_insert(payment("b2", 250, 2000));
  store.store_insert(payment("d", 400, 4000));

  auto totals = store.store_totals(2000, 3000);
  EXPECT_EQ(totals.count, 3);
  EXPECT_EQ(totals.amount_cents, 750);
  totals = store.store_totals(2001, 2999);
  EXPECT_EQ(totals.count, 0);
  totals = store.store_totals(std::nullopt, 1000);
  EXPECT_EQ(totals.count, 1);
  totals = store.store_totals(3000, std::nullopt);
  EXPECT_EQ(totals.count, 2);
  EXPECT_EQ(totals.amount_cents, 700);
  totals = store.store_totals(5000, 1000);
  EXPECT_EQ(totals.count, 0);
}

TEST(SimStore, PurgeForgetsEverything) {
  PaymentStore store;
  store.store_insert(payment("a", 100, 1000));
  store.store_purge();
  EXPECT_EQ(store.store_size(), 0u);
  EXPECT_EQ(store.store_find("a"), nullptr);
  EXPECT_EQ(store.store_totals(std::nullopt, std::nullopt).count, 0);
  EXPECT_EQ(store.store_insert(payment("a", 100, 1000)), StoreResult::stored);
}

TEST(SimStore, HandlesAHundredThousandPayments) {
  PaymentStore store;
  for (int i = 0; i < 100000; ++i) {
    store.store_insert(payment("id" + std::to_string(i), 1990, 1000 + i / 10));
  }
  const PaymentTotals totals = store.store_totals(1000, 1000 + 4999);
  EXPECT_EQ(totals.count, 50000);
  EXPECT_EQ(totals.amount_cents, 50000 * 1990);
}

}  // namespace
}  // namespace sim
