// Command-line parsing of payment-sim.
#include "options.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

OptionsResult parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"payment-sim"};
  argv.insert(argv.end(), args.begin(), args.end());
  return options_parse(static_cast<int>(argv.size()), argv.data());
}

TEST(SimOptions, ParsesTheDocumentedFlags) {
  const OptionsResult r = parse({"--port", "0", "--fee", "0.15", "--host", "127.0.0.1",
                                 "--token", "abc", "--name", "fallback", "--max-active=3"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.options.port, 0);
  EXPECT_EQ(r.options.fee_ppm, 150000);
  EXPECT_EQ(r.options.fee_text, "0.15");
  EXPECT_EQ(r.options.host, "127.0.0.1");
  EXPECT_EQ(r.options.token, "abc");
  EXPECT_EQ(r.options.name, "fallback");
  EXPECT_EQ(r.options.max_active, 3u);
  EXPECT_EQ(r.options.max_waiting, 500u);
}

TEST(SimOptions, RejectsBadValuesNamingTheFlag) {
  EXPECT_NE(parse({"--port", "70000"}).error.find("--port"), std::string::npos);
  EXPECT_NE(parse({"--fee", "abc"}).error.find("--fee"), std::string::npos);
  EXPECT_NE(parse({"--fee", "2"}).error.find("--fee"), std::string::npos);
  EXPECT_NE(parse({"--bogus"}).error.find("--bogus"), std::string::npos);
  EXPECT_NE(parse({"--port"}).error.find("--port"), std::string::npos);
}

}  // namespace
}  // namespace sim
