// simdjson on-demand parsing of payment bodies into exact cents and canonical UUIDs.
#include "validation.hpp"

#include <simdjson.h>

#include <cstring>
#include <vector>

#include "money.hpp"

namespace rinha {
namespace {

constexpr int kMaxExtraDepth = 32;

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// On-demand parsing skips the values it is not asked for WITHOUT validating them (a body
// like {"correlationId":...,"amount":1,"x":tru} would pass), so the value of an unknown
// field is walked completely; anything malformed in it makes the whole body malformed.
bool consume_value(simdjson::ondemand::value value, int depth) {
  using namespace simdjson;
  if (depth > kMaxExtraDepth) return false;
  ondemand::json_type type;
  if (value.type().get(type) != SUCCESS) return false;
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object obj;
      if (value.get_object().get(obj) != SUCCESS) return false;
      for (auto field_result : obj) {
        ondemand::field field;
        std::string_view key;
        if (std::move(field_result).get(field) != SUCCESS || field.unescaped_key().get(key) != SUCCESS) return false;
        if (!consume_value(field.value(), depth + 1)) return false;
      }
      return true;
    }
    case ondemand::json_type::array: {
      ondemand::array arr;
      if (value.get_array().get(arr) != SUCCESS) return false;
      for (auto element_result : arr) {
        ondemand::value element;
        if (std::move(element_result).get(element) != SUCCESS) return false;
        if (!consume_value(element, depth + 1)) return false;
      }
      return true;
    }
    case ondemand::json_type::string: {
      std::string_view text;
      return value.get_string().get(text) == SUCCESS;
    }
    case ondemand::json_type::number: {
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      return json_number(raw);
    }
    case ondemand::json_type::boolean: {
      bool b;
      return value.get_bool().get(b) == SUCCESS;
    }
    case ondemand::json_type::null: {
      bool is_null = false;
      return value.is_null().get(is_null) == SUCCESS && is_null;
    }
  }
  return false;
}

}  // namespace

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
    } else if (!consume_value(value, 1)) {  // other fields are ignored, but must be valid JSON
      return ValidationError{400, "malformed JSON"};
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != OUT_OF_BOUNDS) return ValidationError{400, "malformed JSON: trailing content"};
  if (!have_id) return ValidationError{400, "missing field correlationId"};
  if (!have_amount) return ValidationError{400, "missing field amount"};
  return req;
}

}  // namespace rinha
