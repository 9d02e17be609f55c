// Exact money parsing and formatting: cents from decimal text, fee rounding.
#include "decimal.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

TEST(SimDecimal, ParsesCentsExactly) {
  EXPECT_EQ(decimal_parse_cents("19.90"), 1990);
  EXPECT_EQ(decimal_parse_cents("20.05"), 2005);
  EXPECT_EQ(decimal_parse_cents("0.01"), 1);
  EXPECT_EQ(decimal_parse_cents("7"), 700);
  EXPECT_EQ(decimal_parse_cents("0"), 0);
  EXPECT_EQ(decimal_parse_cents("1e2"), 10000);
  EXPECT_EQ(decimal_parse_cents("1.5E-1"), 15);
  EXPECT_EQ(decimal_parse_cents("-3.25"), -325);
}

TEST(SimDecimal, RoundsHalfUpToTwoDecimals) {
  EXPECT_EQ(decimal_parse_cents("20.055"), 2006);
  EXPECT_EQ(decimal_parse_cents("20.054999"), 2005);
  EXPECT_EQ(decimal_parse_cents("0.005"), 1);
  EXPECT_EQ(decimal_parse_cents("5e-3"), 1);
  EXPECT_EQ(decimal_parse_cents("5e-4"), 0);
  EXPECT_EQ(decimal_parse_cents("19.899"), 1990);
}

TEST(SimDecimal, RejectsMalformedNumbers) {
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "1e+", "abc", "1.2.3", "+1", "1 ",
                          "99999999999999999999"}) {
    EXPECT_FALSE(decimal_parse_cents(bad).has_value()) << bad;
  }
}

TEST(SimDecimal, ParsesFeeAsPartsPerMillion) {
  EXPECT_EQ(decimal_parse_scaled("0.05", 6), 50000);
  EXPECT_EQ(decimal_parse_scaled("0.15", 6), 150000);
  EXPECT_EQ(decimal_parse_scaled("1", 6), 1000000);
}

TEST(SimDecimal, FormatsCentsWithTwoDecimals) {
  EXPECT_EQ(decimal_format_cents(1990), "19.90");
  EXPECT_EQ(decimal_format_cents(5), "0.05");
  EXPECT_EQ(decimal_format_cents(0), "0.00");
  EXPECT_EQ(decimal_format_cents(41554234598), "415542345.98");
  EXPECT_EQ(decimal_format_cents(-150), "-1.50");
}

TEST(SimDecimal, FeeRoundsHalfAwayFromZeroExactly) {
  EXPECT_EQ(decimal_fee_cents(1990, 50000), 100);   // 99.5 -> 100
  EXPECT_EQ(decimal_fee_cents(3980, 50000), 199);
  EXPECT_EQ(decimal_fee_cents(2005, 70000), 140);   // 140.35
  EXPECT_EQ(decimal_fee_cents(0, 150000), 0);
  EXPECT_EQ(decimal_fee_cents(int64_t{9'000'000'000'000'000}, 1000000),
            int64_t{9'000'000'000'000'000});
}

}  // namespace
}  // namespace sim
