// Summary bodies are small and read a few times per test, so Boost.JSON is plenty. Amounts
// arrive as JSON decimals and become cents by rounding (they carry at most 2 decimals).
#include "summaries.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace loadtool {
namespace json = boost::json;

namespace {

std::optional<double> number_of(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return std::nullopt;
}

std::optional<SummaryCounts> counts_of(const json::object& o) {
  auto req = number_of(o, "totalRequests");
  auto amt = number_of(o, "totalAmount");
  if (!req || !amt) return std::nullopt;
  return SummaryCounts{std::llround(*req), std::llround(*amt * 100.0)};
}

std::optional<json::object> parse_object(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

}  // namespace

std::optional<BackendSummary> summary_parse_backend(std::string_view body) {
  auto o = parse_object(body);
  if (!o) return std::nullopt;
  const json::value* d = o->if_contains("default");
  const json::value* f = o->if_contains("fallback");
  if (!d || !f || !d->is_object() || !f->is_object()) return std::nullopt;
  auto dc = counts_of(d->as_object());
  auto fc = counts_of(f->as_object());
  if (!dc || !fc) return std::nullopt;
  return BackendSummary{*dc, *fc};
}

std::optional<ProcessorSummary> summary_parse_processor(std::string_view body) {
  auto o = parse_object(body);
  if (!o) return std::nullopt;
  auto c = counts_of(*o);
  if (!c) return std::nullopt;
  ProcessorSummary s;
  s.counts = *c;
  if (auto fee = number_of(*o, "feePerTransaction")) s.fee_ppm = std::llround(*fee * 1e6);
  if (auto total = number_of(*o, "totalFee")) s.total_fee_cents = std::llround(*total * 100.0);
  return s;
}

}  // namespace loadtool
