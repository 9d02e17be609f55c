#include "breaker.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

TEST(Breaker, SignalsGoToTheSink) {
  std::vector<FailureSignal> got;
  Breaker b([&](const FailureSignal& sig) { got.push_back(sig); });
  b.signal_failure(Processor::default_, 1234);
  EXPECT_EQ(got, (std::vector<FailureSignal>{{Processor::default_, 1234}}));
  EXPECT_EQ(b.colour(), Colour::green);
  b.set_colour(Colour::red);
  EXPECT_EQ(b.colour(), Colour::red);
  b.signal_success(Processor::default_, 5);  // no success sink: ignored (instance 2)
  std::vector<FailureSignal> ok;
  b.set_success_sink([&](const FailureSignal& sig) { ok.push_back(sig); });
  b.signal_success(Processor::default_, 6);
  EXPECT_EQ(ok, (std::vector<FailureSignal>{{Processor::default_, 6}}));
}

}  // namespace
}  // namespace rinha

