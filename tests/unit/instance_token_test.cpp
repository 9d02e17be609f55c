#include "instance_token.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

TEST(InstanceToken, NamesTheInstanceAndIsStableWithinAProcess) {
  const std::string one = instance_token(1);
  EXPECT_EQ(one.rfind("1:", 0), 0u);
  EXPECT_GT(one.size(), 2u + 8u);  // and a random part
  EXPECT_EQ(instance_token(1), one);
  EXPECT_NE(instance_token(2), one);
  EXPECT_EQ(instance_token(2).substr(2), one.substr(2));  // the same process
}

}  // namespace
}  // namespace rinha
