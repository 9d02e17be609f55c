#include "money.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

TEST(Money, ParsesExactCents) {
  EXPECT_EQ(parse_amount_cents("19.90"), 1990);
  EXPECT_EQ(parse_amount_cents("19.9"), 1990);
  EXPECT_EQ(parse_amount_cents("20"), 2000);
  EXPECT_EQ(parse_amount_cents("20.05"), 2005);
  EXPECT_EQ(parse_amount_cents("0.01"), 1);
  EXPECT_EQ(parse_amount_cents("1.99e1"), 1990);
  EXPECT_EQ(parse_amount_cents("1990E-2"), 1990);
  EXPECT_EQ(parse_amount_cents("19.900000"), 1990);  // trailing zeros are not precision
  EXPECT_EQ(parse_amount_cents("1000000000.00"), kMaxAmountCents);
}

TEST(Money, RejectsWhatIsNotAnAmount) {
  for (const char* bad : {"", "0", "0.00", "-1", "-0.01", "19.999", "0.001", "1000000000.01", "1e20", "01", ".5", "5.",
                          "1e", "NaN", "Infinity", "1.2.3", "19.90x", "99999999999999999999999"}) {
    EXPECT_FALSE(parse_amount_cents(bad).has_value()) << bad;
  }
}

TEST(Money, FormatsTwoDecimals) {
  EXPECT_EQ(format_cents(1990), "19.90");
  EXPECT_EQ(format_cents(5), "0.05");
  EXPECT_EQ(format_cents(0), "0.00");
  EXPECT_EQ(format_cents(-5), "-0.05");
  EXPECT_EQ(format_cents(41554234598), "415542345.98");
}

}  // namespace
}  // namespace rinha
