// Score formula (official handleSummary of rinha.js / rinha-final.js):
//   liquido_parcial = total_bruto - total_taxas, taxas = feePerTransaction * gross per processor
//   bonus = max((11 - p99_ms) * 0.02, 0); multa = 0.35 if any inconsistency
//   total_liquido = parcial + parcial * bonus - parcial * multa
//   lag = POSTs answered 2XX - payments counted; negative lag = "caixa dois" (disqualified).
#include "score.hpp"

#include <cmath>

namespace loadtool {

int64_t score_apply_ppm(int64_t cents, int64_t ppm) {
  const __int128 product = static_cast<__int128>(cents) * ppm;
  const __int128 half = 500000;
  const __int128 q = product >= 0 ? (product + half) / 1000000 : -((-product + half) / 1000000);
  return static_cast<int64_t>(q);
}

ScoreResult score_compute(const ScoreInput& in) {
  ScoreResult r;
  r.default_fee_cents = score_apply_ppm(in.default_.amount_cents, in.default_.fee_ppm);
  r.fallback_fee_cents = score_apply_ppm(in.fallback_.amount_cents, in.fallback_.fee_ppm);
  r.total_bruto_cents = in.default_.amount_cents + in.fallback_.amount_cents;
  r.total_taxas_cents = r.default_fee_cents + r.fallback_fee_cents;
  r.liquido_parcial_cents = r.total_bruto_cents - r.total_taxas_cents;

  // p99 in hundredths of a millisecond; bonus ppm = (1100 - p) * 200.
  if (in.round_like_final) {
    const int64_t p_hundredths = std::llround(in.p99_ms * 100.0);
    r.p99_ms = static_cast<double>(p_hundredths) / 100.0;
    int64_t raw_ppm = (1100 - p_hundredths) * 200;
    // Big.round(2) of the fraction: nearest 1% (10000 ppm), half up.
    r.bonus_ppm = raw_ppm > 0 ? ((raw_ppm + 5000) / 10000) * 10000 : 0;
  } else {
    r.p99_ms = in.p99_ms;
    const int64_t raw_ppm = std::llround((11.0 - in.p99_ms) * 20000.0);
    r.bonus_ppm = raw_ppm > 0 ? raw_ppm : 0;
  }
  r.fine_ppm = in.inconsistencies > 0 ? 350000 : 0;
  r.bonus_cents = score_apply_ppm(r.liquido_parcial_cents, r.bonus_ppm);
  r.fine_cents = score_apply_ppm(r.liquido_parcial_cents, r.fine_ppm);
  r.total_liquido_cents = r.liquido_parcial_cents + r.bonus_cents - r.fine_cents;

  r.expected_gross_cents = in.payments_ok * in.amount_cents;
  r.stored_requests = in.default_.requests + in.fallback_.requests;
  r.lag = in.payments_ok - r.stored_requests;
  r.slush_fund = r.lag < 0;
  const int64_t all_default_net = r.expected_gross_cents - score_apply_ppm(r.expected_gross_cents, in.default_.fee_ppm);
  if (all_default_net > 0) {
    r.net_vs_default_ppm =
        static_cast<int64_t>(static_cast<__int128>(r.liquido_parcial_cents) * 1000000 / all_default_net);
  }
  return r;
}

}  // namespace loadtool
