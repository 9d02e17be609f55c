#include "timefmt.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

constexpr int64_t kT = 1752582896000;  // 2025-07-15T12:34:56.000Z

TEST(TimeFmt, FormatsLikeToIsoString) {
  IsoBuffer b;
  EXPECT_EQ(format_iso8601_ms(kT, b), "2025-07-15T12:34:56.000Z");
  EXPECT_EQ(format_iso8601_ms(kT + 7, b), "2025-07-15T12:34:56.007Z");
  EXPECT_EQ(format_iso8601_ms(0, b), "1970-01-01T00:00:00.000Z");
}

TEST(TimeFmt, ParsesTheAcceptedForms) {
  EXPECT_EQ(parse_iso8601_ms("2025-07-15T12:34:56.000Z"), kT);
  EXPECT_EQ(parse_iso8601_ms("2025-07-15T12:34:56Z"), kT);
  EXPECT_EQ(parse_iso8601_ms("2025-07-15T12:34:56"), kT);
  EXPECT_EQ(parse_iso8601_ms("2025-07-15T12:34:56.5Z"), kT + 500);
  EXPECT_EQ(parse_iso8601_ms("2025-07-15T12:34:56.123456Z"), kT + 123);
  EXPECT_EQ(parse_iso8601_ms("2025-07-15T12:34:56.123+00:00"), kT + 123);
}

TEST(TimeFmt, RoundTrips) {
  IsoBuffer b;
  for (int64_t t : {kT, kT + 999, int64_t{951782400000} /* 2000-02-29 */}) {
    EXPECT_EQ(parse_iso8601_ms(format_iso8601_ms(t, b)), t);
  }
}

TEST(TimeFmt, RejectsMalformed) {
  for (const char* bad : {"", "2025-07-15", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-07-15T24:00:00Z",
                          "2025-07-15T12:60:00Z", "2025-07-15T12:34:56.Z", "2025-07-15T12:34:56+03:00",
                          "2025-07-15T12:34:56Zjunk", "abcd-07-15T12:34:56Z", "2025/07/15T12:34:56Z"}) {
    EXPECT_FALSE(parse_iso8601_ms(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace rinha
