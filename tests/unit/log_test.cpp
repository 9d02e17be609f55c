#include "log.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace rinha {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override { log_set_level(LogLevel::info); }
};

TEST_F(LogTest, OneLineOfKeyValueFieldsWithAUtcTimestamp) {
  ::testing::internal::CaptureStderr();
  LOG_WARN("store_retry", "operation={} attempt={}", "record", 3);
  const std::string line = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(std::regex_match(line, std::regex(R"(ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=warn event=store_retry operation=record attempt=3\n)")))
      << line;
}

TEST_F(LogTest, BelowTheLevelNothingIsWrittenNorFormatted) {
  ::testing::internal::CaptureStderr();
  LOG_DEBUG("payment_stored", "id={}", "x");  // info is the default: per-request detail is silent
  log_set_level(LogLevel::error);
  LOG_WARN("store_retry", "attempt={}", 1);
  LOG_ERROR("listen_failed", "error=\"{}\"", "busy");
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.find("payment_stored"), std::string::npos);
  EXPECT_EQ(out.find("store_retry"), std::string::npos);
  EXPECT_NE(out.find("level=error event=listen_failed error=\"busy\""), std::string::npos) << out;
}

TEST_F(LogTest, LevelsParseByName) {
  LogLevel l = LogLevel::info;
  EXPECT_TRUE(log_parse_level("debug", l));
  EXPECT_EQ(l, LogLevel::debug);
  EXPECT_TRUE(log_parse_level("error", l));
  EXPECT_EQ(l, LogLevel::error);
  EXPECT_FALSE(log_parse_level("loud", l));
  EXPECT_EQ(l, LogLevel::error);  // unchanged
}

}  // namespace
}  // namespace rinha
