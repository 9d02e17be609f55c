#include "routing_record.hpp"

#include <gtest/gtest.h>

namespace rinha {
namespace {

TEST(RoutingRecord, RoundTripsEveryField) {
  RoutingRecord r{Colour::red, 1752582896123, 1752582890000, {}, {}};
  r.default_view = ProcessorView{true, true, 250, 1752582896000, 1752582896100, -1};
  r.fallback_view = ProcessorView{true, false, 12, 1752582895000, -1, 1752582896050};
  EXPECT_EQ(decode_routing(encode_routing(r)), r);
  EXPECT_EQ(decode_routing(encode_routing(RoutingRecord{})), RoutingRecord{});
}

TEST(RoutingRecord, ABareColourFromAnOlderVersionIsNeverFresh) {
  auto r = decode_routing("YELLOW");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->colour, Colour::yellow);
  EXPECT_FALSE(r->fresh(1752582896123));
}

TEST(RoutingRecord, GarbageIsRefused) {
  for (const char* text : {"", "r1|", "r1|BLUE|1|-1|0|0|0|0|-1|-1|0|0|0|0|-1|-1", "r1|RED|1|-1|0|0|0|0|-1",
                           "r1|RED|1|-1|0|0|0|0|-1|-1|0|0|0|0|-1|-1|9", "r1|RED|x|-1|0|0|0|0|-1|-1|0|0|0|0|-1|-1"}) {
    EXPECT_FALSE(decode_routing(text)) << text;
  }
  EXPECT_TRUE(decode_routing("r1|RED|1|-1|0|0|0|0|-1|-1|0|0|0|0|-1|-1"));
}

TEST(RoutingRecord, FreshWithinTheBoundOnly) {
  RoutingRecord r{Colour::green, 1000};
  EXPECT_TRUE(r.fresh(1000 + kRoutingStaleMs));
  EXPECT_FALSE(r.fresh(1000 + kRoutingStaleMs + 1));
}

}  // namespace
}  // namespace rinha
