// Exact decimal parsing/formatting: digits are shifted by the exponent and the scale as
// text, so "19.90" is 1990 cents exactly and rounding happens once, half-up, on the
// first dropped digit.
#include "decimal.hpp"

#include <cstdlib>

namespace sim {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<int64_t> decimal_parse_scaled(std::string_view text, int scale_digits) {
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && text[i] == '-') {
    negative = true;
    ++i;
  }
  // Integer part: JSON grammar, no leading zeros except a lone 0.
  std::string digits;
  const size_t int_start = i;
  while (i < n && is_digit(text[i])) digits.push_back(text[i++]);
  const size_t int_len = i - int_start;
  if (int_len == 0) return std::nullopt;
  if (int_len > 1 && text[int_start] == '0') return std::nullopt;
  int64_t point_pos = static_cast<int64_t>(int_len);  // digits before the decimal point
  if (i < n && text[i] == '.') {
    ++i;
    const size_t frac_start = i;
    while (i < n && is_digit(text[i])) digits.push_back(text[i++]);
    if (i == frac_start) return std::nullopt;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    const size_t exp_start = i;
    int64_t exponent = 0;
    while (i < n && is_digit(text[i])) {
      exponent = exponent * 10 + (text[i++] - '0');
      if (exponent > 1000) return std::nullopt;
    }
    if (i == exp_start) return std::nullopt;
    point_pos += exp_negative ? -exponent : exponent;
  }
  if (i != n) return std::nullopt;

  // The integer result is digits[0 .. point_pos + scale); the next digit rounds.
  const int64_t keep = point_pos + scale_digits;
  int64_t value = 0;
  for (int64_t k = 0; k < keep; ++k) {
    const int d = k < static_cast<int64_t>(digits.size()) && k >= 0 ? digits[k] - '0' : 0;
    if (value > (INT64_MAX - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  if (keep >= 0 && keep < static_cast<int64_t>(digits.size()) && digits[keep] >= '5') {
    if (value == INT64_MAX) return std::nullopt;
    ++value;
  }
  return negative ? -value : value;
}

std::string decimal_format_cents(int64_t amount_cents) {
  std::string out;
  uint64_t magnitude = amount_cents < 0 ? 0 - static_cast<uint64_t>(amount_cents)
                                        : static_cast<uint64_t>(amount_cents);
  if (amount_cents < 0) out.push_back('-');
  out += std::to_string(magnitude / 100);
  out.push_back('.');
  const uint64_t cents = magnitude % 100;
  out.push_back(static_cast<char>('0' + cents / 10));
  out.push_back(static_cast<char>('0' + cents % 10));
  return out;
}

int64_t decimal_fee_cents(int64_t amount_cents, int64_t fee_ppm) {
  const __int128 product = static_cast<__int128>(amount_cents) * fee_ppm;
  const __int128 half = 500000;
  const __int128 rounded = product >= 0 ? (product + half) / 1000000 : (product - half) / 1000000;
  return static_cast<int64_t>(rounded);
}

}  // namespace sim
