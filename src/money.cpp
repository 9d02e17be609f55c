// Exact decimal parsing of amounts: mantissa digits and a decimal exponent, scaled to cents.
#include "money.hpp"

#include <fmt/format.h>

namespace rinha {

std::optional<int64_t> parse_amount_cents(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') return std::nullopt;  // negative is never a valid amount
  // Mantissa: collect significant digits, remembering where the decimal point was.
  int64_t mantissa = 0;
  int exponent = 0;  // value = mantissa * 10^exponent
  int int_digits = 0, frac_digits = 0;
  bool overflow = false;
  auto take_digit = [&](char c) {
    if (mantissa > (INT64_MAX - 9) / 10) {
      overflow = true;
      return;
    }
    mantissa = mantissa * 10 + (c - '0');
  };
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    take_digit(s[i++]);
    ++int_digits;
  }
  if (int_digits == 0) return std::nullopt;
  if (int_digits > 1 && s[0] == '0') return std::nullopt;  // JSON forbids leading zeros
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      take_digit(s[i++]);
      ++frac_digits;
      --exponent;
    }
    if (frac_digits == 0) return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    int e = 0, n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (e < 10000) e = e * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (n == 0) return std::nullopt;
    exponent += neg ? -e : e;
  }
  if (i != s.size() || overflow) return std::nullopt;
  // Scale to cents: cents = mantissa * 10^(exponent + 2).
  int shift = exponent + 2;
  while (shift < 0) {  // only trailing zeros may be dropped: more precision than cents is an error
    if (mantissa % 10 != 0) return std::nullopt;
    mantissa /= 10;
    ++shift;
  }
  while (shift > 0) {
    if (mantissa > kMaxAmountCents) return std::nullopt;
    mantissa *= 10;
    --shift;
  }
  if (mantissa <= 0 || mantissa > kMaxAmountCents) return std::nullopt;
  return mantissa;
}

void append_cents(std::string& out, int64_t cents) {
  const bool neg = cents < 0;
  const uint64_t abs = neg ? static_cast<uint64_t>(-(cents + 1)) + 1 : static_cast<uint64_t>(cents);
  fmt::format_to(std::back_inserter(out), "{}{}.{:02}", neg ? "-" : "", abs / 100, abs % 100);
}

std::string format_cents(int64_t cents) {
  std::string out;
  append_cents(out, cents);
  return out;
}

}  // namespace rinha
