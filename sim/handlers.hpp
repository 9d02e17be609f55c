// The processor's HTTP API as plain functions of (request, state): no sockets, no timers.
// Requests that need time (the payment delay and admission, the health rate limit) come
// back as jobs; the server runs the waiting and then calls sim_complete_payment /
// sim_health_reply, so "delay, then failure check, then duplicate check, then store"
// is decided here with the state as it is at that moment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "store.hpp"

namespace sim {

enum class HttpMethod { get, post, put, other };

struct SimRequest {
  HttpMethod method = HttpMethod::get;
  std::string_view target;  // path and query as received
  std::string_view token;   // X-Rinha-Token header, empty if absent
  std::string_view body;
};

struct SimReply {
  unsigned status = 200;
  std::string body;  // JSON; empty means no body
};

// Mutable configuration, changed by the admin endpoints.
struct SimSettings {
  std::string token = "123";
  int64_t delay_ms = 0;
  bool failure = false;
  int64_t fee_ppm = 50000;
  std::string fee_text = "0.05";
};

class SimLog;

struct SimState {
  SimSettings settings;
  PaymentStore store;
  const SimLog* log = nullptr;  // optional; admin changes are logged
};

struct PaymentJob {
  PaymentRecord record;
};
struct HealthJob {};
using SimAction = std::variant<SimReply, PaymentJob, HealthJob>;

// Routes and answers everything that needs no waiting.
SimAction sim_handle(const SimRequest& request, SimState& state);

// After admission and the delay: 500 if failing, 422 if already stored, else store + 200.
SimReply sim_complete_payment(const PaymentRecord& record, SimState& state);

SimReply sim_health_reply(const SimSettings& settings);
SimReply sim_reply_too_many();

// Validation of a POST /payments body; nullopt means 400.
std::optional<PaymentRecord> sim_parse_payment(std::string_view body);

// Canonical lower-case 8-4-4-4-12 UUID, or nullopt.
std::optional<std::string> sim_canonical_uuid(std::string_view text);

}  // namespace sim
