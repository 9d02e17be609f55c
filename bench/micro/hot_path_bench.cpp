// Micro-benchmarks of what every payment costs in the API process: body validation, queue
// item encoding/decoding, the processor request body, and summing a ledger page.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "money.hpp"
#include "payment.hpp"
#include "summary.hpp"
#include "timefmt.hpp"
#include "validation.hpp"

namespace {

constexpr const char* kBody = R"({"correlationId": "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3", "amount": 19.90})";

void BM_ParsePaymentRequest(benchmark::State& state) {
  for (auto _ : state) {
    auto r = rinha::parse_payment_request(kBody);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParsePaymentRequest);

void BM_EncodeDecodeQueueItem(benchmark::State& state) {
  rinha::Payment p;
  p.id = *rinha::parse_correlation_id("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3");
  p.amount_cents = 1990;
  p.accepted_at_ms = 1752582896000;
  for (auto _ : state) {
    std::string item = rinha::encode_payment(p);
    auto back = rinha::decode_payment(item);
    benchmark::DoNotOptimize(back);
  }
}
BENCHMARK(BM_EncodeDecodeQueueItem);

void BM_FormatRequestedAt(benchmark::State& state) {
  rinha::IsoBuffer buf;
  int64_t t = 1752582896000;
  for (auto _ : state) {
    auto s = rinha::format_iso8601_ms(t++, buf);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_FormatRequestedAt);

void BM_SumLedgerMembers(benchmark::State& state) {
  std::vector<std::string> members(static_cast<size_t>(state.range(0)),
                                   "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3:1990");
  for (auto _ : state) {
    rinha::Totals t;
    for (const auto& m : members) rinha::add_ledger_member(t, m);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SumLedgerMembers)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
