// Exact decimal text <-> scaled integers for the simulator: money is int64_t cents and the
// fee is parts-per-million, so no binary floating point ever touches an amount.
// Parsing rounds half-up at the requested scale (20.055 -> 2006 cents).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

// Parses a JSON-style number ("19.90", "1e2", "-0.5") into value * 10^scale_digits,
// rounded half away from zero. Returns nullopt on malformed text or overflow.
std::optional<int64_t> decimal_parse_scaled(std::string_view text, int scale_digits);

// Amount in cents from a JSON number token; nullopt if malformed.
inline std::optional<int64_t> decimal_parse_cents(std::string_view text) {
  return decimal_parse_scaled(text, 2);
}

// "1990" cents -> "19.90"; negative values get a leading '-'.
std::string decimal_format_cents(int64_t amount_cents);

// round(amount_cents * fee_ppm / 1e6), half away from zero, computed exactly.
int64_t decimal_fee_cents(int64_t amount_cents, int64_t fee_ppm);

}  // namespace sim
