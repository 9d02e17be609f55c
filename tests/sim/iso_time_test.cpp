// ISO-8601 parsing with and without milliseconds / zone, and toISOString formatting.
#include "iso_time.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

constexpr int64_t kT = 1752582896000;  // 2025-07-15T12:34:56.000Z

TEST(SimIsoTime, ParsesJavaScriptIsoStrings) {
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T12:34:56.000Z"), kT);
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T12:34:56.123Z"), kT + 123);
  EXPECT_EQ(iso_parse_utc_ms("1970-01-01T00:00:00.000Z"), 0);
}

TEST(SimIsoTime, AcceptsMissingMillisecondsAndZone) {
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T12:34:56Z"), kT);
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T12:34:56"), kT);
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T12:34:56.5"), kT + 500);
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T12:34:56.123456Z"), kT + 123);  // truncated
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T09:34:56.000-03:00"), kT);
  EXPECT_EQ(iso_parse_utc_ms("2025-07-15T14:34:56+02:00"), kT);
}

TEST(SimIsoTime, RejectsMalformedStrings) {
  for (const char* bad : {"", "2025-07-15", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2025-07-15T24:00:00Z", "2025-07-15T12:34:56.Z",
                          "2025-07-15T12:34:56ZZ", "garbage", "2025-07-15T12:34"}) {
    EXPECT_FALSE(iso_parse_utc_ms(bad).has_value()) << bad;
  }
  EXPECT_TRUE(iso_parse_utc_ms("2024-02-29T00:00:00Z").has_value());
}

TEST(SimIsoTime, FormatsLikeToIsoString) {
  EXPECT_EQ(iso_format_utc_ms(kT), "2025-07-15T12:34:56.000Z");
  EXPECT_EQ(iso_format_utc_ms(kT + 7), "2025-07-15T12:34:56.007Z");
  EXPECT_EQ(iso_format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso_parse_utc_ms(iso_format_utc_ms(1700000000123)), 1700000000123);
}

}  // namespace
}  // namespace sim
