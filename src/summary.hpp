// The payments summary: query-string parsing, totals per processor and their JSON form.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <variant>

namespace rinha {

struct TimeRange {  // inclusive bounds, UTC milliseconds
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  int64_t to_ms = std::numeric_limits<int64_t>::max();
};

struct Totals {
  int64_t count = 0;
  int64_t amount_cents = 0;
};

struct Summary {
  Totals default_;
  Totals fallback;
};

struct QueryError {
  std::string message;
};

// Parses the request target's query ("/payments-summary?from=...&to=..."). Missing bounds
// mean no filter; a present but empty or unparsable bound is an error.
std::variant<TimeRange, QueryError> parse_summary_query(std::string_view target);

std::string summary_json(const Summary& s);

// Ledger members are "<uuid>:<cents>"; this adds one member's cents to the totals.
bool add_ledger_member(Totals& totals, std::string_view member);

}  // namespace rinha
