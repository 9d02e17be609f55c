// Route table and JSON bodies of the simulated processor. Bodies are parsed with
// simdjson On-Demand; amounts are taken from the raw number text so 19.90 is exactly
// 1990 cents. Errors are replies, never exceptions.
#include "handlers.hpp"

#include <boost/url/parse.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include "decimal.hpp"
#include "iso_time.hpp"
#include "log.hpp"

namespace sim {
namespace {

namespace od = simdjson::ondemand;

SimReply reply_message(unsigned status, std::string_view message) {
  return {status, fmt::format(R"({{"message":"{}"}})", message)};
}

SimReply reply_bad_request(std::string_view why) { return reply_message(400, why); }
SimReply reply_not_found() { return reply_message(404, "not found"); }
SimReply reply_method_not_allowed() { return reply_message(405, "method not allowed"); }
SimReply reply_unauthorized() { return reply_message(401, "invalid token"); }

od::parser& json_parser() {
  thread_local od::parser parser;
  return parser;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Visits each top-level field of a JSON object body; `visit(key, value)` returns false
// to reject. Returns false on malformed JSON, a non-object, or a rejected field.
template <typename Visit>
bool for_each_field(std::string_view body, Visit&& visit) {
  simdjson::padded_string padded(body);
  od::document doc;
  if (json_parser().iterate(padded).get(doc) != simdjson::SUCCESS) return false;
  od::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return false;
  for (auto field_result : object) {
    od::field field;
    if (std::move(field_result).get(field) != simdjson::SUCCESS) return false;
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (!visit(key, field.value())) return false;
  }
  return true;
}

// Admin endpoints: every one needs the current token.
bool token_ok(const SimRequest& request, const SimState& state) {
  return !request.token.empty() && request.token == state.settings.token;
}

SimReply handle_summary(const SimRequest& request, const SimState& state) {
  const auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return reply_bad_request("invalid query");
  std::optional<int64_t> from_ms, to_ms;
  for (const auto& param : url->params()) {
    if (param.key != "from" && param.key != "to") continue;
    if (!param.has_value || param.value.empty()) continue;
    const auto parsed = iso_parse_utc_ms(param.value);
    if (!parsed) return reply_bad_request("invalid " + param.key);
    (param.key == "from" ? from_ms : to_ms) = parsed;
  }
  const PaymentTotals totals = state.store.store_totals(from_ms, to_ms);
  const int64_t fee_cents = decimal_fee_cents(totals.amount_cents, state.settings.fee_ppm);
  return {200, fmt::format(R"({{"totalRequests":{},"totalAmount":{},"totalFee":{},)"
                           R"("feePerTransaction":{}}})",
                           totals.count, decimal_format_cents(totals.amount_cents),
                           decimal_format_cents(fee_cents), state.settings.fee_text)};
}

SimReply handle_set_token(const SimRequest& request, SimState& state) {
  std::optional<std::string> token;
  const bool ok = for_each_field(request.body, [&](std::string_view key, od::value value) {
    if (key != "token") return true;
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) return false;
    token = std::string(text);
    return true;
  });
  if (!ok || !token || token->empty()) return reply_bad_request("invalid token body");
  state.settings.token = *token;
  if (state.log) state.log->log_event("token_changed");
  return {204, {}};
}

SimReply handle_set_delay(const SimRequest& request, SimState& state) {
  std::optional<int64_t> delay_ms;
  const bool ok = for_each_field(request.body, [&](std::string_view key, od::value value) {
    if (key != "delay") return true;
    int64_t v = 0;
    if (value.get_int64().get(v) != simdjson::SUCCESS || v < 0) return false;
    delay_ms = v;
    return true;
  });
  if (!ok || !delay_ms) return reply_bad_request("invalid delay body");
  state.settings.delay_ms = *delay_ms;
  if (state.log) state.log->log_event("delay_changed", fmt::format("delay_ms={}", *delay_ms));
  return {204, {}};
}

SimReply handle_set_failure(const SimRequest& request, SimState& state) {
  std::optional<bool> failure;
  const bool ok = for_each_field(request.body, [&](std::string_view key, od::value value) {
    if (key != "failure") return true;
    bool v = false;
    if (value.get_bool().get(v) != simdjson::SUCCESS) return false;
    failure = v;
    return true;
  });
  if (!ok || !failure) return reply_bad_request("invalid failure body");
  state.settings.failure = *failure;
  if (state.log) state.log->log_event("failure_changed", fmt::format("failure={}", *failure));
  return {204, {}};
}

SimReply handle_purge(SimState& state) {
  const size_t purged = state.store.store_size();
  state.store.store_purge();
  if (state.log) state.log->log_event("purged", fmt::format("payments={}", purged));
  return reply_message(200, "All payments purged.");
}

SimReply handle_get_payment(std::string_view id_text, const SimState& state) {
  const auto id = sim_canonical_uuid(id_text);
  if (!id) return reply_not_found();
  const PaymentRecord* record = state.store.store_find(*id);
  if (record == nullptr) return reply_not_found();
  return {200, fmt::format(R"({{"correlationId":"{}","amount":{},"requestedAt":"{}"}})",
                           record->correlation_id, decimal_format_cents(record->amount_cents),
                           iso_format_utc_ms(record->requested_at_ms))};
}

}  // namespace

std::optional<std::string> sim_canonical_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
      continue;
    }
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

std::optional<PaymentRecord> sim_parse_payment(std::string_view body) {
  std::optional<std::string> id;
  std::optional<int64_t> amount_cents;
  std::optional<int64_t> requested_at_ms;
  const bool ok = for_each_field(body, [&](std::string_view key, od::value value) {
    if (key == "correlationId") {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) return false;
      id = sim_canonical_uuid(text);
      return id.has_value();
    }
    if (key == "amount") {
      od::json_type type;
      if (value.type().get(type) != simdjson::SUCCESS || type != od::json_type::number) {
        return false;
      }
      const std::string_view raw = value.raw_json_token();
      amount_cents = decimal_parse_cents(trim_right(raw));
      return amount_cents.has_value() && *amount_cents >= 0;
    }
    if (key == "requestedAt") {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) return false;
      requested_at_ms = iso_parse_utc_ms(text);
      return requested_at_ms.has_value();
    }
    return true;  // unknown fields are ignored
  });
  if (!ok || !id || !amount_cents || !requested_at_ms) return std::nullopt;
  return PaymentRecord{std::move(*id), *amount_cents, *requested_at_ms};
}

SimReply sim_complete_payment(const PaymentRecord& record, SimState& state) {
  if (state.settings.failure) return reply_message(500, "internal server error");
  if (state.store.store_insert(record) == StoreResult::duplicate) {
    return reply_message(422, "CorrelationId already exists");
  }
  return reply_message(200, "payment processed successfully");
}

SimReply sim_health_reply(const SimSettings& settings) {
  return {200, fmt::format(R"({{"failing":{},"minResponseTime":{}}})", settings.failure,
                           settings.delay_ms)};
}

SimReply sim_reply_too_many() { return reply_message(429, "too many requests"); }

SimAction sim_handle(const SimRequest& request, SimState& state) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const HttpMethod method = request.method;

  if (path == "/payments") {
    if (method != HttpMethod::post) return reply_method_not_allowed();
    auto record = sim_parse_payment(request.body);
    if (!record) return reply_bad_request("invalid payment");
    return PaymentJob{std::move(*record)};
  }
  if (path == "/payments/service-health") {
    if (method != HttpMethod::get) return reply_method_not_allowed();
    return HealthJob{};
  }
  if (constexpr std::string_view prefix = "/payments/"; path.starts_with(prefix)) {
    const std::string_view id = path.substr(prefix.size());
    if (id.empty() || id.find('/') != std::string_view::npos) return reply_not_found();
    if (method != HttpMethod::get) return reply_method_not_allowed();
    return handle_get_payment(id, state);
  }

  // Admin routes: the method is checked before the token, like a router would.
  struct AdminRoute {
    std::string_view path;
    HttpMethod method;
    SimReply (*handle)(const SimRequest&, SimState&);
  };
  static constexpr AdminRoute kAdmin[] = {
      {"/admin/payments-summary", HttpMethod::get,
       [](const SimRequest& r, SimState& s) { return handle_summary(r, s); }},
      {"/admin/configurations/token", HttpMethod::put, &handle_set_token},
      {"/admin/configurations/delay", HttpMethod::put, &handle_set_delay},
      {"/admin/configurations/failure", HttpMethod::put, &handle_set_failure},
      {"/admin/purge-payments", HttpMethod::post,
       [](const SimRequest&, SimState& s) { return handle_purge(s); }},
  };
  for (const AdminRoute& route : kAdmin) {
    if (route.path != path) continue;
    if (method != route.method) return reply_method_not_allowed();
    if (!token_ok(request, state)) return reply_unauthorized();
    return route.handle(request, state);
  }
  return reply_not_found();
}

}  // namespace sim
