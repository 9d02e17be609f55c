#include "payment.hpp"

#include <gtest/gtest.h>

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

TEST(Payment, EncodesAndDecodes) {
  Payment p;
  p.id = *parse_correlation_id("123e4567-e89b-12d3-a456-426614174000");
  p.amount_cents = 1990;
  p.accepted_at_ms = 1752582896000;
  p.pin = Processor::fallback;
  p.requested_at_ms = 1752582896123;
  p.in_doubt = true;
  p.attempts = 3;
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

}  // namespace
}  // namespace rinha
