// The shipped scenario files parse, and the ramp matches k6's linear 1..MAX VUs.
#include "scenario.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

using namespace loadtool;

TEST(Scenario, PreviewFile) {
  Scenario s = scenario_load(std::string(SCENARIO_DIR) + "/preview-2025.json");
  EXPECT_EQ(s.duration_s, 60);
  EXPECT_EQ(s.max_vus, 550);
  EXPECT_EQ(s.amount_cents, 1990);
  EXPECT_EQ(s.default_fee_ppm, 50000);
  EXPECT_EQ(s.fallback_fee_ppm, 150000);
  ASSERT_EQ(s.stages.size(), 6u);
  EXPECT_EQ(s.stages[3].at_s, 30);
  EXPECT_EQ(s.stages[3].default_.delay_ms, 2000);
  EXPECT_TRUE(s.stages[3].fallback_.failure);
  EXPECT_EQ(s.compare, CompareMode::AbsOfSum);
  EXPECT_EQ(s.consistency_to_offset_ms, 1500);
  EXPECT_EQ(s.teardown_source, TeardownSource::Backend);
  EXPECT_EQ(s.teardown_window_s, 70);
  EXPECT_FALSE(s.round_like_final);
}

TEST(Scenario, FinalAndSmokeFiles) {
  Scenario f = scenario_load(std::string(SCENARIO_DIR) + "/final-2025.json");
  EXPECT_EQ(f.duration_s, 300);
  EXPECT_EQ(f.max_vus, 603);
  EXPECT_EQ(f.amount_cents, 2005);
  EXPECT_EQ(f.stages.size(), 10u);
  EXPECT_EQ(f.compare, CompareMode::SumOfAbs);
  EXPECT_EQ(f.teardown_source, TeardownSource::Processors);
  EXPECT_TRUE(f.round_like_final);
  Scenario s = scenario_load(std::string(SCENARIO_DIR) + "/smoke.json");
  EXPECT_EQ(s.duration_s, 15);
}

// Every shipped scenario (our own included) loads, with a name matching its file, stages
// in time order inside the run and fees where the default is the cheaper processor.
TEST(Scenario, EveryShippedFileIsValid) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SCENARIO_DIR)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    Scenario s = scenario_load(entry.path().string());
    EXPECT_EQ(s.name, entry.path().stem().string());
    EXPECT_GT(s.duration_s, 0);
    EXPECT_LT(s.default_fee_ppm, s.fallback_fee_ppm);
    ASSERT_FALSE(s.stages.empty());
    for (size_t i = 1; i < s.stages.size(); ++i) EXPECT_LT(s.stages[i - 1].at_s, s.stages[i].at_s);
    EXPECT_LT(s.stages.back().at_s, s.duration_s);
  }
  EXPECT_GE(files, 7);  // 2 official + smoke + 4 of our own
}

TEST(Scenario, RampIsLinear) {
  Scenario s;
  s.duration_s = 60;
  s.max_vus = 550;
  EXPECT_EQ(scenario_vus_at(s, 0), 1);
  EXPECT_EQ(scenario_vus_at(s, 30000), 275);
  EXPECT_EQ(scenario_vus_at(s, 60000), 550);
  EXPECT_EQ(scenario_vu_start_ms(s, 1), 0);
  EXPECT_EQ(scenario_vu_start_ms(s, 2), 110);
  EXPECT_EQ(scenario_vus_at(s, 109), 1);
  EXPECT_EQ(scenario_vus_at(s, 110), 2);
  EXPECT_EQ(scenario_vu_start_ms(s, 550), 60000);
  for (int64_t vu = 2; vu <= 550; ++vu) {
    const int64_t t = scenario_vu_start_ms(s, vu);
    EXPECT_GE(scenario_vus_at(s, t), vu);
    EXPECT_LT(scenario_vus_at(s, t - 1), vu);
  }
}

TEST(Scenario, ErrorsNameTheField) {
  EXPECT_THROW(scenario_parse("{\"max_vus\": 1, \"amount_cents\": 1}"), std::runtime_error);
  try {
    scenario_parse(R"({"duration_s": 1, "max_vus": "x", "amount_cents": 1})");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("max_vus"), std::string::npos);
  }
  EXPECT_THROW(scenario_parse(R"({"duration_s": 1, "max_vus": 1, "amount_cents": 1,
                                 "teardown": {"source": "nowhere"}})"), std::runtime_error);
}
