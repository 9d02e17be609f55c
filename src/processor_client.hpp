// The ProcessorClient interface: what the router may ask of one payment processor. The HTTP
// implementation talks to the real (or simulated) processor; tests use a scripted fake.
// Outcomes say what is KNOWN about storage: `stored`/`duplicate` (it holds the payment),
// `rejected`/`overloaded`/`not_sent` (this call stored nothing), `in_doubt` (it may or may not
// hold it: only the same processor can settle that).
#pragma once
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>

#include "payment.hpp"

namespace rinha {

namespace asio = boost::asio;

struct SendOutcome {
  enum class Kind { stored, duplicate, rejected, overloaded, invalid, not_sent, in_doubt };
  Kind kind = Kind::not_sent;
  int status = 0;           // HTTP status when one was received
  int64_t latency_ms = 0;
};

struct LookupResult {
  enum class Kind { found, not_found, error };
  Kind kind = Kind::error;
  int64_t requested_at_ms = 0;
};

struct HealthResult {
  enum class Kind { ok, rate_limited, error };
  Kind kind = Kind::error;
  bool failing = false;
  int64_t min_response_ms = 0;
  int64_t latency_ms = 0;
};

class ProcessorClient {
 public:
  virtual ~ProcessorClient() = default;
  // POST /payments with p.requested_at_ms as requestedAt.
  virtual asio::awaitable<SendOutcome> send(const Payment& p, std::chrono::milliseconds timeout) = 0;
  // GET /payments/{id}: settles a payment in doubt.
  virtual asio::awaitable<LookupResult> lookup(const CorrelationId& id, std::chrono::milliseconds timeout) = 0;
  // GET /payments/service-health (rate limited by the processor: callers must pace it).
  virtual asio::awaitable<HealthResult> health(std::chrono::milliseconds timeout) = 0;
};

}  // namespace rinha
