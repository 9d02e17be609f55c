// Hand-computed cases of the Rinha 2025 score: final rounding, a fine, a negative lag,
// a p99 above 11 ms, the preview's unrounded bonus and the 22% ceiling at p99 = 0.
#include "score.hpp"

#include <gtest/gtest.h>

using loadtool::ScoreInput;
using loadtool::score_compute;
using loadtool::score_apply_ppm;

namespace {

// Final-style: 1000 default payments of 20.05 at 7%, 200 fallback at 10%.
ScoreInput final_case() {
  ScoreInput in;
  in.payments_ok = 1200;
  in.payments_failed = 3;
  in.amount_cents = 2005;
  in.default_ = {1000, 2005000, 70000};
  in.fallback_ = {200, 401000, 100000};
  in.p99_ms = 3.456;
  in.round_like_final = true;
  return in;
}

}  // namespace

TEST(Score, ApplyPpmRoundsHalfAwayFromZero) {
  EXPECT_EQ(score_apply_ppm(2005000, 70000), 140350);
  EXPECT_EQ(score_apply_ppm(2225550, 150000), 333833);  // 333832.5
  EXPECT_EQ(score_apply_ppm(-2225550, 150000), -333833);
  EXPECT_EQ(score_apply_ppm(1990, 50000), 100);          // 99.5
}

TEST(Score, FinalNoFine) {
  auto r = score_compute(final_case());
  EXPECT_EQ(r.default_fee_cents, 140350);
  EXPECT_EQ(r.fallback_fee_cents, 40100);
  EXPECT_EQ(r.total_bruto_cents, 2406000);
  EXPECT_EQ(r.total_taxas_cents, 180450);
  EXPECT_EQ(r.liquido_parcial_cents, 2225550);
  EXPECT_DOUBLE_EQ(r.p99_ms, 3.46);       // rounded to 2 decimals
  EXPECT_EQ(r.bonus_ppm, 150000);         // (11 - 3.46) * 0.02 = 0.1508 -> 0.15
  EXPECT_EQ(r.bonus_cents, 333833);
  EXPECT_EQ(r.fine_ppm, 0);
  EXPECT_EQ(r.total_liquido_cents, 2559383);
  EXPECT_EQ(r.lag, 0);
  EXPECT_FALSE(r.slush_fund);
  EXPECT_EQ(r.expected_gross_cents, 2406000);
  // 2225550 / (2406000 - 7% = 2237580): 200 payments paid 10% instead of 7%.
  EXPECT_EQ(r.net_vs_default_ppm, 994623);
}

TEST(Score, AllOnDefaultNetsEverything) {
  auto in = final_case();
  in.default_ = {1200, 2406000, 70000};
  in.fallback_ = {0, 0, 100000};
  EXPECT_EQ(score_compute(in).net_vs_default_ppm, 1000000);
}

TEST(Score, InconsistenciesCost35Percent) {
  auto in = final_case();
  in.inconsistencies = 3;
  auto r = score_compute(in);
  EXPECT_EQ(r.fine_ppm, 350000);
  EXPECT_EQ(r.fine_cents, 778943);  // 2225550 * 0.35 = 778942.5
  EXPECT_EQ(r.total_liquido_cents, 2225550 + 333833 - 778943);
}

TEST(Score, NegativeLagIsSlushFund) {
  auto in = final_case();
  in.payments_ok = 1199;  // one more stored than the POSTs answered 2XX
  auto r = score_compute(in);
  EXPECT_EQ(r.stored_requests, 1200);
  EXPECT_EQ(r.lag, -1);
  EXPECT_TRUE(r.slush_fund);
  EXPECT_EQ(r.expected_gross_cents, 1199 * 2005);
}

TEST(Score, PositiveLagIsOnlyLostMoney) {
  auto in = final_case();
  in.payments_ok = 1250;
  auto r = score_compute(in);
  EXPECT_EQ(r.lag, 50);
  EXPECT_FALSE(r.slush_fund);
  EXPECT_EQ(r.total_liquido_cents, 2559383);
  // Lost payments count against the net share: 2225550 / (2506250 - 175438).
  EXPECT_EQ(r.net_vs_default_ppm, 954838);
}

TEST(Score, P99AboveElevenMsEarnsNothing) {
  auto in = final_case();
  in.p99_ms = 12.5;
  auto r = score_compute(in);
  EXPECT_EQ(r.bonus_ppm, 0);
  EXPECT_EQ(r.bonus_cents, 0);
  EXPECT_EQ(r.total_liquido_cents, 2225550);
  in.round_like_final = false;
  EXPECT_EQ(score_compute(in).bonus_ppm, 0);
}

TEST(Score, FinalRoundsBonusHalfUp) {
  auto in = final_case();
  in.p99_ms = 10.75;  // 0.005 -> 0.01
  EXPECT_EQ(score_compute(in).bonus_ppm, 10000);
  in.p99_ms = 10.76;  // 0.0048 -> 0.00
  EXPECT_EQ(score_compute(in).bonus_ppm, 0);
}

TEST(Score, PreviewBonusIsNotRounded) {
  ScoreInput in;
  in.payments_ok = 600;
  in.amount_cents = 1990;
  in.default_ = {500, 995000, 50000};
  in.fallback_ = {100, 199000, 150000};
  in.p99_ms = 2.345;
  in.round_like_final = false;
  auto r = score_compute(in);
  EXPECT_EQ(r.total_taxas_cents, 49750 + 29850);
  EXPECT_EQ(r.liquido_parcial_cents, 1114400);
  EXPECT_EQ(r.bonus_ppm, 173100);        // (11 - 2.345) * 0.02 = 0.1731
  EXPECT_EQ(r.bonus_cents, 192903);      // 192902.64
  EXPECT_EQ(r.total_liquido_cents, 1307303);
}

TEST(Score, ZeroP99GivesTwentyTwoPercent) {
  auto in = final_case();
  in.p99_ms = 0;
  EXPECT_EQ(score_compute(in).bonus_ppm, 220000);
}

TEST(Score, NothingStoredScoresZero) {
  ScoreInput in;
  in.payments_ok = 10;
  in.amount_cents = 1990;
  in.p99_ms = 1;
  auto r = score_compute(in);
  EXPECT_EQ(r.total_liquido_cents, 0);
  EXPECT_EQ(r.lag, 10);
}
