// Summary helpers; Boost.URL does the query-string decoding.
#include "summary.hpp"

#include <boost/url/parse.hpp>
#include <charconv>
#include <fmt/format.h>

#include "money.hpp"
#include "timefmt.hpp"

namespace rinha {

std::variant<TimeRange, QueryError> parse_summary_query(std::string_view target) {
  TimeRange range;
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return QueryError{"malformed request target"};
  for (auto param : url->params()) {
    const bool is_from = param.key == "from";
    if (!is_from && param.key != "to") continue;  // unknown parameters are ignored
    if (!param.has_value || param.value.empty()) return QueryError{fmt::format("{} must be an ISO-8601 UTC timestamp", param.key)};
    auto ms = parse_iso8601_ms(param.value);
    if (!ms) return QueryError{fmt::format("{} must be an ISO-8601 UTC timestamp, e.g. 2025-07-15T12:34:56.000Z", param.key)};
    (is_from ? range.from_ms : range.to_ms) = *ms;
  }
  if (range.from_ms > range.to_ms) return QueryError{"from must not be after to"};
  return range;
}

std::string summary_json(const Summary& s) {
  std::string out;
  out.reserve(160);
  out += "{\"default\":{\"totalRequests\":";
  fmt::format_to(std::back_inserter(out), "{}", s.default_.count);
  out += ",\"totalAmount\":";
  append_cents(out, s.default_.amount_cents);
  out += "},\"fallback\":{\"totalRequests\":";
  fmt::format_to(std::back_inserter(out), "{}", s.fallback.count);
  out += ",\"totalAmount\":";
  append_cents(out, s.fallback.amount_cents);
  out += "}}";
  return out;
}

bool add_ledger_member(Totals& totals, std::string_view member) {
  const auto colon = member.rfind(':');
  if (colon == std::string_view::npos) return false;
  int64_t cents = 0;
  const auto digits = member.substr(colon + 1);
  const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), cents);
  if (res.ec != std::errc{} || res.ptr != digits.data() + digits.size()) return false;
  totals.count += 1;
  totals.amount_cents += cents;
  return true;
}

}  // namespace rinha
