#include "payment.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace rinha {
namespace {

TEST(Payment, CorrelationIdIsCanonicalised) {
  auto id = parse_correlation_id("123E4567-E89B-12D3-A456-426614174000");
  ASSERT_TRUE(id);
  EXPECT_EQ(id_view(*id), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_FALSE(parse_correlation_id("123e4567-e89b-12d3-a456-42661417400"));
  EXPECT_FALSE(parse_correlation_id("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(parse_correlation_id("123e4567xe89b-12d3-a456-426614174000"));
  EXPECT_FALSE(parse_correlation_id(""));
}

// Every field set, none to its default.
Payment sample() {
  Payment p;
  p.id = *parse_correlation_id("123e4567-e89b-12d3-a456-426614174000");
  p.amount_cents = 1990;
  p.accepted_at_ms = 1752582896000;
  p.pin = Processor::fallback;
  p.requested_at_ms = 1752582896123;
  p.in_doubt = true;
  p.attempts = 3;
  return p;
}

TEST(Payment, EncodesAndDecodes) {
  const Payment p = sample();
  const std::string item = encode_payment(p);
  auto back = decode_payment(item);
  ASSERT_TRUE(back);
  EXPECT_EQ(encode_payment(*back), item);
  EXPECT_EQ(back->pin, Processor::fallback);
  EXPECT_EQ(back->requested_at_ms, 1752582896123);
  EXPECT_TRUE(back->in_doubt);
  EXPECT_EQ(back->attempts, 3u);
}

TEST(Payment, RejectsCorruptItems) {
  const std::string good = "v1|123e4567-e89b-12d3-a456-426614174000|1990|1|0|0|0|0";
  EXPECT_TRUE(decode_payment(good));
  EXPECT_FALSE(decode_payment("v2|123e4567-e89b-12d3-a456-426614174000|1990|1|0|0|0|0"));
  EXPECT_FALSE(decode_payment("v1|123e4567-e89b-12d3-a456-426614174000|1990|1|0|0|0"));
  EXPECT_FALSE(decode_payment("v1|123e4567-e89b-12d3-a456-426614174000|1990|1|7|0|0|0"));
  EXPECT_FALSE(decode_payment("v1|123e4567-e89b-12d3-a456-426614174000|0|1|0|0|0|0"));
  EXPECT_FALSE(decode_payment("v1|123e4567-e89b-12d3-a456-426614174000|1990|1|0|0|0|0|9"));
  EXPECT_FALSE(decode_payment(""));
}

// The one layout: each field at its ItemField position, which the take script gets as Lua
// locals (1-based). A take moving a field would pin the wrong one: redis_store_test.
TEST(Payment, FieldsSitAtTheirItemFieldPositions) {
  const std::string item = encode_payment(sample());
  EXPECT_EQ(item, "v1|123e4567-e89b-12d3-a456-426614174000|1990|1752582896000|2|1752582896123|1|3");  // the stored form
  std::vector<std::string_view> f;
  for (std::string_view rest = item;;) {
    const auto bar = rest.find('|');
    f.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  ASSERT_EQ(f.size(), static_cast<size_t>(kItemFieldCount));
  EXPECT_EQ(f[item_position(ItemField::version)], kItemVersion);
  EXPECT_EQ(f[item_position(ItemField::id)], "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(f[item_position(ItemField::cents)], "1990");
  EXPECT_EQ(f[item_position(ItemField::accepted_ms)], "1752582896000");
  EXPECT_EQ(f[item_position(ItemField::pin)], "2");
  EXPECT_EQ(f[item_position(ItemField::requested_ms)], "1752582896123");
  EXPECT_EQ(f[item_position(ItemField::doubt)], "1");
  EXPECT_EQ(f[item_position(ItemField::attempts)], "3");
  EXPECT_EQ(processing_field(item), f[item_position(ItemField::id)]);
  EXPECT_EQ(processing_field("garbage"), "garbage");
  EXPECT_EQ(processing_field("v1||x"), "v1||x");
}

TEST(Payment, LuaLocalsNameEveryPositionOneBased) {
  EXPECT_EQ(queue_item_lua_locals(),
            "local ITEM_VERSION = 1\n"
            "local ITEM_ID = 2\n"
            "local ITEM_CENTS = 3\n"
            "local ITEM_ACCEPTED = 4\n"
            "local ITEM_PIN = 5\n"
            "local ITEM_REQUESTED_AT = 6\n"
            "local ITEM_DOUBT = 7\n"
            "local ITEM_ATTEMPTS = 8\n"
            "local ITEM_FIELDS = 8\n");
}

// As before the positions were named (and as the take script, which splits on runs of
// '|'): one separator after the last field is accepted.
TEST(Payment, OneTrailingSeparatorIsTolerated) {
  EXPECT_TRUE(decode_payment("v1|123e4567-e89b-12d3-a456-426614174000|1990|1|0|0|0|0|"));
  EXPECT_FALSE(decode_payment("v1|123e4567-e89b-12d3-a456-426614174000|1990|1|0|0|0|0||"));
}

}  // namespace
}  // namespace rinha
