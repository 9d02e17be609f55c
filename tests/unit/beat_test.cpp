#include "beat.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

using namespace std::chrono_literals;
using Tp = std::chrono::time_point<std::chrono::steady_clock, std::chrono::nanoseconds>;

Tp at(std::chrono::nanoseconds since_epoch) { return Tp(since_epoch); }

TEST(Beat, EndsTheWindowNowFallsIn) {
  EXPECT_EQ(next_beat(at(0ms), 20ms), at(20ms));
  EXPECT_EQ(next_beat(at(1ns), 20ms), at(20ms));
  EXPECT_EQ(next_beat(at(19999999ns), 20ms), at(20ms));
  EXPECT_EQ(next_beat(at(1000000000037ms), 20ms), at(1000000000040ms));
}

TEST(Beat, AtABoundaryTheNextOneIsAWholePeriodLater) {
  // A window never ends the instant it opens: that would flush each item alone.
  EXPECT_EQ(next_beat(at(40ms), 20ms), at(60ms));
}

TEST(Beat, WindowsOfOneLengthEndTogetherWhereverTheyOpen) {
  // Two processes opening windows 13 ms apart inside one period end them at the same time.
  EXPECT_EQ(next_beat(at(101ms), 50ms), next_beat(at(114ms), 50ms));
  // Multiples share every longer window's end: the 20 ms windows end with each 40 ms one.
  EXPECT_EQ(next_beat(at(125ms), 40ms), at(160ms));
  EXPECT_EQ(next_beat(at(145ms), 20ms), at(160ms));
}

TEST(Beat, NoPeriodMeansNow) { EXPECT_EQ(next_beat(at(7ms), 0ms), at(7ms)); }

}  // namespace
}  // namespace rinha
