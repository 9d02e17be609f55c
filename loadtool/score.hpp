// The Rinha de Backend 2025 score as a pure function of what the load test observed.
// Money is integer cents, rates are parts per million (ppm), so results are exact and
// reproducible; the official script's JavaScript/Big.js arithmetic differs by < 1 cent.
#pragma once

#include <cstdint>

namespace loadtool {

struct ProcessorTotals {
  int64_t requests = 0;      // payments counted by the teardown source
  int64_t amount_cents = 0;  // their gross amount
  int64_t fee_ppm = 0;       // processor's feePerTransaction * 1e6
};

struct ScoreInput {
  int64_t payments_ok = 0;      // POST /payments answered 2XX
  int64_t payments_failed = 0;  // anything else (including timeouts)
  int64_t amount_cents = 0;     // the fixed amount of one payment
  ProcessorTotals default_;
  ProcessorTotals fallback_;
  double p99_ms = 0;            // p99 of every expected (2XX/3XX) HTTP request of the test
  int64_t inconsistencies = 0;  // summed over all consistency checks
  bool round_like_final = true; // rinha-final.js rounds p99 and the bonus to 2 decimals
};

struct ScoreResult {
  int64_t total_bruto_cents = 0;
  int64_t total_taxas_cents = 0;
  int64_t default_fee_cents = 0;
  int64_t fallback_fee_cents = 0;
  int64_t liquido_parcial_cents = 0;  // gross - fees
  double p99_ms = 0;                  // as used for the bonus (rounded if round_like_final)
  int64_t bonus_ppm = 0;              // max(0, (11 - p99) * 0.02), no upper cap: 22% at 0 ms
  int64_t bonus_cents = 0;
  int64_t fine_ppm = 0;               // 35% when inconsistencies > 0
  int64_t fine_cents = 0;
  int64_t total_liquido_cents = 0;    // parcial + bonus - fine: the score
  int64_t expected_gross_cents = 0;   // payments_ok * amount
  int64_t stored_requests = 0;        // default + fallback requests
  int64_t lag = 0;                    // payments_ok - stored_requests
  bool slush_fund = false;            // lag < 0: recorded more than asked -> disqualified
  // Not in the official score: liquido_parcial as a share of what every accepted payment
  // (payments_ok * amount) would have netted on the default processor, in ppm; 0 if none.
  // Fees and lost payments both lower it; issue #5's target is >= 990000 on final-2025.
  int64_t net_vs_default_ppm = 0;
};

ScoreResult score_compute(const ScoreInput& in);

// amount * ppm / 1e6 rounded half away from zero, in integers.
int64_t score_apply_ppm(int64_t cents, int64_t ppm);

}  // namespace loadtool
