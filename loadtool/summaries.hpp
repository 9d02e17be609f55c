// Parsers for the JSON summaries the test reads: the backend's GET /payments-summary and a
// processor's GET /admin/payments-summary. Pure functions of the body; a body that does not
// parse yields nullopt, which the caller treats as zeros (as the official script does).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace loadtool {

struct SummaryCounts {
  int64_t requests = 0;
  int64_t amount_cents = 0;
};

struct BackendSummary {
  SummaryCounts default_;
  SummaryCounts fallback_;
};

struct ProcessorSummary {
  SummaryCounts counts;
  int64_t fee_ppm = 0;          // feePerTransaction * 1e6
  int64_t total_fee_cents = 0;  // what the processor itself reports
};

std::optional<BackendSummary> summary_parse_backend(std::string_view body);
std::optional<ProcessorSummary> summary_parse_processor(std::string_view body);

}  // namespace loadtool
