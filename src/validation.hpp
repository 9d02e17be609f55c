// Validation of POST /payments bodies: a pure function from bytes to a payment or an error.
// Nothing that fails here is ever enqueued.
#pragma once
#include <cstdint>
#include <string_view>
#include <variant>

#include "payment.hpp"

namespace rinha {

inline constexpr size_t kMaxPaymentBodyBytes = 4096;

struct PaymentRequest {
  CorrelationId id;
  int64_t amount_cents;
};

struct ValidationError {
  int status;                 // HTTP status to answer (400, 413, 415...)
  std::string_view message;   // static text, safe to put in a JSON string
};

using ValidationResult = std::variant<PaymentRequest, ValidationError>;

// Parses {"correlationId": "<uuid>", "amount": <number>}; unknown fields are ignored,
// duplicated known fields are rejected. Reuses a per-thread padded buffer (no allocation
// after warm-up).
ValidationResult parse_payment_request(std::string_view body);

}  // namespace rinha
