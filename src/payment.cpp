// Queue item encoding: a short, versioned, '|'-separated text that Redis stores as is.
#include "payment.hpp"

#include <array>
#include <charconv>
#include <iterator>
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

namespace {

constexpr std::array<std::string_view, kItemFieldCount> kItemFieldNames = {
    "VERSION", "ID", "CENTS", "ACCEPTED", "PIN", "REQUESTED_AT", "DOUBT", "ATTEMPTS"};
static_assert(!kItemFieldNames[kItemFieldCount - 1].empty(), "a name for every field");

// Every field of `p` at its position, as written in the item.
void append_field(fmt::memory_buffer& out, const Payment& p, ItemField f) {
  auto number = [&](auto v) { fmt::format_to(std::back_inserter(out), "{}", v); };
  switch (f) {
    case ItemField::version: out.append(kItemVersion); break;
    case ItemField::id: out.append(id_view(p.id)); break;
    case ItemField::cents: number(p.amount_cents); break;
    case ItemField::accepted_ms: number(p.accepted_at_ms); break;
    case ItemField::pin: number(static_cast<int>(p.pin)); break;
    case ItemField::requested_ms: number(p.requested_at_ms); break;
    case ItemField::doubt: number(p.in_doubt ? 1 : 0); break;
    case ItemField::attempts: number(p.attempts); break;
  }
}

template <typename T>
bool parse_number(std::string_view field, T& out) {
  const auto res = std::from_chars(field.data(), field.data() + field.size(), out);
  return res.ec == std::errc{} && res.ptr == field.data() + field.size();
}

}  // namespace

std::string encode_payment(const Payment& p) {
  fmt::memory_buffer out;
  for (int i = 0; i < kItemFieldCount; ++i) {
    if (i > 0) out.push_back('|');
    append_field(out, p, static_cast<ItemField>(i));
  }
  return fmt::to_string(out);
}

std::string_view processing_field(std::string_view item) {
  static_assert(item_position(ItemField::version) == 0 && item_position(ItemField::id) == 1);
  const size_t start = kItemVersion.size() + 1;  // after "v1|"
  if (item.size() < start || item.substr(0, kItemVersion.size()) != kItemVersion || item[start - 1] != '|') return item;
  const auto bar = item.find('|', start);
  if (bar == std::string_view::npos || bar == start) return item;
  return item.substr(start, bar - start);
}

std::optional<Payment> decode_payment(std::string_view s) {
  // The fields by position; one '|' after the last is tolerated (as the take script does).
  std::array<std::string_view, kItemFieldCount> f;
  for (auto& field : f) {
    const auto bar = s.find('|');
    field = s.substr(0, bar);
    s = bar == std::string_view::npos ? std::string_view{} : s.substr(bar + 1);
  }
  auto at = [&](ItemField name) { return f[item_position(name)]; };
  if (!s.empty() || at(ItemField::version) != kItemVersion) return std::nullopt;
  auto id = parse_correlation_id(at(ItemField::id));
  if (!id) return std::nullopt;
  Payment p;
  p.id = *id;
  int pin = 0, doubt = 0;
  if (!parse_number(at(ItemField::cents), p.amount_cents) || !parse_number(at(ItemField::accepted_ms), p.accepted_at_ms) ||
      !parse_number(at(ItemField::pin), pin) || !parse_number(at(ItemField::requested_ms), p.requested_at_ms) ||
      !parse_number(at(ItemField::doubt), doubt) || !parse_number(at(ItemField::attempts), p.attempts) || pin < 0 ||
      pin > 2 || p.amount_cents <= 0) {
    return std::nullopt;
  }
  p.pin = static_cast<Processor>(pin);
  p.in_doubt = doubt != 0;
  return p;
}

std::string queue_item_lua_locals() {
  std::string out;
  for (int i = 0; i < kItemFieldCount; ++i) out += fmt::format("local ITEM_{} = {}\n", kItemFieldNames[i], i + 1);
  out += fmt::format("local ITEM_FIELDS = {}\n", kItemFieldCount);
  return out;
}

}  // namespace rinha
