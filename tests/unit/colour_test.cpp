#include "colour.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

TEST(Colour, NamesRoundTripAndAnythingElseIsRefused) {
  for (Colour c : {Colour::green, Colour::yellow, Colour::red}) EXPECT_EQ(parse_colour(colour_name(c)), c);
  EXPECT_EQ(colour_name(Colour::green), "GREEN");
  for (const char* bad : {"", "green", "BLUE", "GREEN "}) EXPECT_FALSE(parse_colour(bad)) << bad;
}

TEST(Colour, EachColourNamesItsProcessor) {
  EXPECT_EQ(colour_target(Colour::green), Processor::default_);
  EXPECT_EQ(colour_target(Colour::yellow), Processor::fallback);
  EXPECT_EQ(colour_target(Colour::red), Processor::none);  // hold: send nothing
}

}  // namespace
}  // namespace rinha
