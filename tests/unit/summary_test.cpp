#include "summary.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

TEST(Summary, NoBoundsMeansEverything) {
  auto r = parse_summary_query("/payments-summary");
  ASSERT_TRUE(std::holds_alternative<TimeRange>(r));
  EXPECT_EQ(std::get<TimeRange>(r).from_ms, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<TimeRange>(r).to_ms, std::numeric_limits<int64_t>::max());
}

TEST(Summary, ParsesBothBoundsInclusiveMs) {
  auto r = parse_summary_query("/payments-summary?from=2025-07-15T12:34:56.000Z&to=2025-07-15T12:35:56.999Z");
  ASSERT_TRUE(std::holds_alternative<TimeRange>(r));
  EXPECT_EQ(std::get<TimeRange>(r).from_ms, 1752582896000);
  EXPECT_EQ(std::get<TimeRange>(r).to_ms, 1752582956999);
}

TEST(Summary, PercentEncodedAndWithoutMillis) {
  auto r = parse_summary_query("/payments-summary?from=2025-07-15T12%3A34%3A56Z");
  ASSERT_TRUE(std::holds_alternative<TimeRange>(r));
  EXPECT_EQ(std::get<TimeRange>(r).from_ms, 1752582896000);
}

TEST(Summary, BadBoundsAreErrors) {
  for (const char* t : {"/payments-summary?from=", "/payments-summary?from=yesterday", "/payments-summary?to=2025-07-15",
                        "/payments-summary?from=2025-07-15T12:35:00Z&to=2025-07-15T12:34:00Z"}) {
    EXPECT_TRUE(std::holds_alternative<QueryError>(parse_summary_query(t))) << t;
  }
}

TEST(Summary, JsonHasExactCents) {
  Summary s;
  s.default_ = {43236, 41554234598};
  s.fallback = {3, 5970};
  EXPECT_EQ(summary_json(s),
            R"({"default":{"totalRequests":43236,"totalAmount":415542345.98},"fallback":{"totalRequests":3,"totalAmount":59.70}})");
}

TEST(Summary, LedgerMembersAddUp) {
  Totals t;
  EXPECT_TRUE(add_ledger_member(t, "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3:1990"));
  EXPECT_TRUE(add_ledger_member(t, "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b4:5"));
  EXPECT_FALSE(add_ledger_member(t, "garbage"));
  EXPECT_FALSE(add_ledger_member(t, "x:12a"));
  EXPECT_EQ(t.count, 2);
  EXPECT_EQ(t.amount_cents, 1995);
}

}  // namespace
}  // namespace rinha
