// Money is int64 cents everywhere inside; these are the only text <-> cents conversions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rinha {

// Largest amount a single payment may carry: 1,000,000,000.00 (anything above is "absurd").
inline constexpr int64_t kMaxAmountCents = 100'000'000'000;

// Parses a JSON number's raw text (e.g. "19.90", "20", "1.99e1") into exact cents.
// Fails for non-numbers, more than two significant decimal places ("19.999"), negative or
// zero amounts and amounts above kMaxAmountCents. No floating point is involved.
std::optional<int64_t> parse_amount_cents(std::string_view raw);

// Formats cents as a JSON number with exactly two decimals: 1990 -> "19.90", -5 -> "-0.05".
std::string format_cents(int64_t cents);
// Same, appended to an existing buffer (no allocation when it has capacity).
void append_cents(std::string& out, int64_t cents);

}  // namespace rinha
