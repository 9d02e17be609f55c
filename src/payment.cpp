// Queue item encoding: a short, versioned, '|'-separated text that Redis stores as is.
#include "payment.hpp"

#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <uuid/uuid.h>

namespace rinha {

std::string_view processor_name(Processor p) {
  switch (p) {
    case Processor::default_: return "default";
    case Processor::fallback: return "fallback";
    default: return "none";
  }
}

std::optional<CorrelationId> parse_correlation_id(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  char buf[37];
  std::memcpy(buf, text.data(), 36);
  buf[36] = '\0';
  uuid_t raw;
  if (uuid_parse(buf, raw) != 0) return std::nullopt;
  char canon[37];
  uuid_unparse_lower(raw, canon);
  CorrelationId id;
  std::memcpy(id.data(), canon, 36);
  return id;
}

std::string encode_payment(const Payment& p) {
  return fmt::format("v1|{}|{}|{}|{}|{}|{}|{}", id_view(p.id), p.amount_cents, p.accepted_at_ms,
                     static_cast<int>(p.pin), p.requested_at_ms, p.in_doubt ? 1 : 0, p.attempts);
}

std::string_view processing_field(std::string_view item) {
  if (item.rfind("v1|", 0) != 0) return item;
  const auto bar = item.find('|', 3);
  if (bar == std::string_view::npos || bar == 3) return item;
  return item.substr(3, bar - 3);
}

namespace {
template <typename T>
bool next_number(std::string_view& s, T& out) {
  const auto bar = s.find('|');
  const std::string_view field = s.substr(0, bar);
  const auto res = std::from_chars(field.data(), field.data() + field.size(), out);
  if (res.ec != std::errc{} || res.ptr != field.data() + field.size()) return false;
  s = bar == std::string_view::npos ? std::string_view{} : s.substr(bar + 1);
  return true;
}
}  // namespace

std::optional<Payment> decode_payment(std::string_view s) {
  if (s.size() < 3 + 37 || s.substr(0, 3) != "v1|" || s[3 + 36] != '|') return std::nullopt;
  auto id = parse_correlation_id(s.substr(3, 36));
  if (!id) return std::nullopt;
  Payment p;
  p.id = *id;
  s = s.substr(3 + 37);
  int pin = 0, doubt = 0;
  if (!next_number(s, p.amount_cents) || !next_number(s, p.accepted_at_ms) || !next_number(s, pin) ||
      !next_number(s, p.requested_at_ms) || !next_number(s, doubt) || !next_number(s, p.attempts) ||
      !s.empty() || pin < 0 || pin > 2 || p.amount_cents <= 0) {
    return std::nullopt;
  }
  p.pin = static_cast<Processor>(pin);
  p.in_doubt = doubt != 0;
  return p;
}

}  // namespace rinha
