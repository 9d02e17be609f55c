// simdjson on-demand parsing of payment bodies into exact cents and canonical UUIDs.
#include "validation.hpp"

#include <simdjson.h>

#include <cstring>
#include <vector>

#include "money.hpp"

namespace rinha {

ValidationResult parse_payment_request(std::string_view body) {
  using namespace simdjson;
  if (body.size() > kMaxPaymentBodyBytes) return ValidationError{413, "body too large"};
  if (body.empty()) return ValidationError{400, "empty body: expected a JSON object"};

  thread_local ondemand::parser parser;
  thread_local std::vector<char> buffer(kMaxPaymentBodyBytes + SIMDJSON_PADDING);
  std::memcpy(buffer.data(), body.data(), body.size());
  std::memset(buffer.data() + body.size(), 0, SIMDJSON_PADDING);
  padded_string_view json(buffer.data(), body.size(), buffer.size());

  ondemand::document doc;
  if (parser.iterate(json).get(doc) != SUCCESS) return ValidationError{400, "malformed JSON"};
  ondemand::object obj;
  if (doc.get_object().get(obj) != SUCCESS) return ValidationError{400, "expected a JSON object"};

  bool have_id = false, have_amount = false;
  PaymentRequest req{};
  for (auto field_result : obj) {
    ondemand::field field;
    if (std::move(field_result).get(field) != SUCCESS) return ValidationError{400, "malformed JSON"};
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) return ValidationError{400, "malformed JSON"};
    ondemand::value value = field.value();
    if (key == "correlationId") {
      if (have_id) return ValidationError{400, "duplicate field correlationId"};
      std::string_view text;
      ondemand::json_type type;
      if (value.type().get(type) != SUCCESS) return ValidationError{400, "malformed JSON"};
      if (type != ondemand::json_type::string) return ValidationError{400, "correlationId must be a string"};
      if (value.get_string().get(text) != SUCCESS) return ValidationError{400, "malformed JSON"};
      auto id = parse_correlation_id(text);
      if (!id) return ValidationError{400, "correlationId must be a UUID"};
      req.id = *id;
      have_id = true;
    } else if (key == "amount") {
      if (have_amount) return ValidationError{400, "duplicate field amount"};
      ondemand::json_type type;
      if (value.type().get(type) != SUCCESS) return ValidationError{400, "malformed JSON"};
      if (type != ondemand::json_type::number) return ValidationError{400, "amount must be a number"};
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      auto cents = parse_amount_cents(raw);
      if (!cents) {
        return ValidationError{400, "amount must be positive, at most 1000000000.00, with at most 2 decimal places"};
      }
      req.amount_cents = *cents;
      have_amount = true;
    }  // other fields are ignored; on-demand parsing skips them when the loop moves on
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != OUT_OF_BOUNDS) return ValidationError{400, "malformed JSON: trailing content"};
  if (!have_id) return ValidationError{400, "missing field correlationId"};
  if (!have_amount) return ValidationError{400, "missing field amount"};
  return req;
}

}  // namespace rinha
