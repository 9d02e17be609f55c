// Fuzz entries (see header). An invariant that breaks prints what broke and aborts.
#include "fuzz_entry.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <variant>

#include "money.hpp"
#include "payment.hpp"
#include "summary.hpp"
#include "timefmt.hpp"
#include "validation.hpp"

namespace rinha::fuzz {
namespace {

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz invariant broken: %s\ninput (%zu bytes): %.*s\n", what, input.size(),
               static_cast<int>(std::min<size_t>(input.size(), 512)), input.data());
  std::abort();
}

std::string_view text(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

bool canonical_uuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// Years 0000-9999 are what the 4-digit ISO form can carry.
constexpr int64_t kMinIsoMs = -62167219200000;  // 0000-01-01T00:00:00.000Z
constexpr int64_t kMaxIsoMs = 253402300799999;  // 9999-12-31T23:59:59.999Z

}  // namespace

void payment_request(const uint8_t* data, size_t size) {
  const std::string_view body = text(data, size);
  const auto result = parse_payment_request(body);
  const auto* req = std::get_if<PaymentRequest>(&result);
  if (!req) {
    const auto& err = std::get<ValidationError>(result);
    if (err.status != 400 && err.status != 413) fail("rejection status is not 400/413", body);
    if (err.status == 413 && body.size() <= kMaxPaymentBodyBytes) fail("413 for a small body", body);
    return;
  }
  if (!canonical_uuid(id_view(req->id))) fail("accepted id is not a canonical UUID", body);
  if (req->amount_cents <= 0 || req->amount_cents > kMaxAmountCents) fail("accepted amount out of range", body);
  // Differential: whatever we accept must be valid JSON to a validating parser, an object
  // whose correlationId is a string and whose amount is a number with that value.
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  if (ec) fail("accepted a body that Boost.JSON rejects", body);
  if (!v.is_object()) fail("accepted a non-object", body);
  const auto& obj = v.as_object();
  const auto* id = obj.if_contains("correlationId");
  const auto* amount = obj.if_contains("amount");
  if (!id || !id->is_string() || !amount || !amount->is_number()) fail("accepted without both fields typed", body);
  const auto parsed_id = parse_correlation_id(std::string_view(id->as_string()));
  if (!parsed_id || *parsed_id != req->id) fail("accepted id differs from the JSON's", body);
  const double as_double = amount->to_number<double>();
  const double cents = static_cast<double>(req->amount_cents);
  if (std::abs(as_double * 100.0 - cents) > 1e-6 * std::max(1.0, cents)) fail("accepted amount differs from the JSON's", body);
  // Round trip through our own canonical form.
  std::string again = "{\"correlationId\":\"";
  again.append(id_view(req->id));
  again += "\",\"amount\":";
  append_cents(again, req->amount_cents);
  again += "}";
  const auto second = parse_payment_request(again);
  const auto* req2 = std::get_if<PaymentRequest>(&second);
  if (!req2 || req2->id != req->id || req2->amount_cents != req->amount_cents) fail("canonical form does not round-trip", body);
}

void summary_query(const uint8_t* data, size_t size) {
  const std::string_view target = text(data, size);
  const auto result = parse_summary_query(target);
  if (const auto* range = std::get_if<TimeRange>(&result)) {
    if (range->from_ms > range->to_ms) fail("accepted from > to", target);
  } else if (std::get<QueryError>(result).message.empty()) {
    fail("error without a message", target);
  }
  // A query built from canonical timestamps always parses back to them.
  if (size >= 16) {
    int64_t a, b;
    std::memcpy(&a, data, 8);
    std::memcpy(&b, data + 8, 8);
    a = kMinIsoMs + static_cast<int64_t>(static_cast<uint64_t>(a) % static_cast<uint64_t>(kMaxIsoMs - kMinIsoMs + 1));
    b = kMinIsoMs + static_cast<int64_t>(static_cast<uint64_t>(b) % static_cast<uint64_t>(kMaxIsoMs - kMinIsoMs + 1));
    if (a > b) std::swap(a, b);
    IsoBuffer fa, fb;
    const std::string q = "/payments-summary?from=" + std::string(format_iso8601_ms(a, fa)) +
                          "&to=" + std::string(format_iso8601_ms(b, fb));
    const auto r = parse_summary_query(q);
    const auto* range = std::get_if<TimeRange>(&r);
    if (!range || range->from_ms != a || range->to_ms != b) fail("canonical query does not round-trip", q);
  }
}

void money(const uint8_t* data, size_t size) {
  const std::string_view raw = text(data, size);
  if (const auto cents = parse_amount_cents(raw)) {
    if (*cents <= 0 || *cents > kMaxAmountCents) fail("accepted amount out of range", raw);
    const std::string formatted = format_cents(*cents);
    const auto back = parse_amount_cents(formatted);
    if (!back || *back != *cents) fail("format_cents does not round-trip", raw);
  }
  // Any int64 formats as a number with two decimals that parses back when in range.
  if (size >= 8) {
    int64_t c;
    std::memcpy(&c, data, 8);
    const std::string s = format_cents(c);
    const size_t dot = s.find('.');
    if (dot == std::string::npos || dot + 3 != s.size()) fail("format_cents without two decimals", s);
    const auto back = parse_amount_cents(s);
    const bool in_range = c > 0 && c <= kMaxAmountCents;
    if (in_range != back.has_value() || (back && *back != c)) fail("format_cents/parse disagree", s);
  }
}

void timefmt(const uint8_t* data, size_t size) {
  const std::string_view s = text(data, size);
  if (const auto ms = parse_iso8601_ms(s)) {
    if (*ms < kMinIsoMs || *ms > kMaxIsoMs) fail("parsed outside years 0000-9999", s);
    IsoBuffer buf;
    const auto formatted = format_iso8601_ms(*ms, buf);
    const auto back = parse_iso8601_ms(formatted);
    if (!back || *back != *ms) fail("format does not round-trip", s);
    // The canonical form is a prefix-compatible truncation: same first 19 characters.
    if (s.substr(0, 10) != formatted.substr(0, 10)) fail("date part changed", s);
  }
  if (size >= 8) {
    int64_t v;
    std::memcpy(&v, data, 8);
    v = kMinIsoMs + static_cast<int64_t>(static_cast<uint64_t>(v) % static_cast<uint64_t>(kMaxIsoMs - kMinIsoMs + 1));
    IsoBuffer buf;
    const auto formatted = format_iso8601_ms(v, buf);
    if (formatted.size() != 24) fail("formatted timestamp is not 24 characters", formatted);
    const auto back = parse_iso8601_ms(formatted);
    if (!back || *back != v) fail("formatted timestamp does not parse back", formatted);
  }
}

void decode_payment(const uint8_t* data, size_t size) {
  const std::string_view item = text(data, size);
  const auto p = rinha::decode_payment(item);
  if (!p) return;
  if (p->amount_cents <= 0) fail("decoded a non-positive amount", item);
  if (p->pin != Processor::none && p->pin != Processor::default_ && p->pin != Processor::fallback) fail("bad pin", item);
  if (!canonical_uuid(id_view(p->id))) fail("decoded id is not canonical", item);
  const std::string again = encode_payment(*p);
  const auto q = rinha::decode_payment(again);
  if (!q || q->id != p->id || q->amount_cents != p->amount_cents || q->accepted_at_ms != p->accepted_at_ms ||
      q->pin != p->pin || q->requested_at_ms != p->requested_at_ms || q->in_doubt != p->in_doubt ||
      q->attempts != p->attempts) {
    fail("encode(decode(item)) does not decode to the same payment", item);
  }
  if (encode_payment(*q) != again) fail("encoding is not stable", item);
}

Entry entry_by_name(std::string_view name) {
  if (name == "payment_request") return &payment_request;
  if (name == "summary_query") return &summary_query;
  if (name == "money") return &money;
  if (name == "timefmt") return &timefmt;
  if (name == "decode_payment") return &decode_payment;
  return nullptr;
}

}  // namespace rinha::fuzz
