// API handlers (see header for the status codes).
#include "api.hpp"

#include <variant>

#include "validation.hpp"

namespace rinha {

namespace {
// Compares a secret in time that depends only on the lengths, not on where the first
// difference is, so answers' timing tells nothing about a guess's prefix.
bool tokens_equal(std::string_view given, std::string_view secret) {
  unsigned char diff = given.size() == secret.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ secret[i % secret.size()]);
  return diff == 0;
}
}  // namespace

ApiResponse error_response(int status, std::string_view message) {
  ApiResponse r{status, {}, "application/json"};
  r.body.reserve(message.size() + 16);
  r.body += "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') r.body += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    r.body += c;
  }
  r.body += "\"}";
  return r;
}

asio::awaitable<ApiResponse> Api::handle(const ApiRequest& req) {
  std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path == "/payments") {
    if (req.method != "POST") co_return error_response(405, "use POST");
    co_return co_await post_payment(req);
  }
  if (path == "/payments-summary") {
    if (req.method != "GET") co_return error_response(405, "use GET");
    co_return co_await get_summary(req);
  }
  if (path == "/purge-payments") {
    if (req.method != "POST") co_return error_response(405, "use POST");
    co_return co_await purge(req);
  }
  co_return error_response(404, "no such route");  // /metrics and /health included: see AdminApi
}

asio::awaitable<ApiResponse> Api::post_payment(const ApiRequest& req) {
  auto parsed = parse_payment_request(req.body);
  if (auto* err = std::get_if<ValidationError>(&parsed)) {
    ++metrics_.payments_invalid;
    co_return error_response(err->status, err->message);
  }
  const auto& pr = std::get<PaymentRequest>(parsed);
  Payment p;
  p.id = pr.id;
  p.amount_cents = pr.amount_cents;
  p.accepted_at_ms = clock_.now_ms();
  // A worker free now takes it straight from the intake's write, pinned as a take would pin
  // it (requestedAt = now, in doubt before any byte is sent); otherwise it is queued.
  const std::optional<Processor> pin = handoff_ ? handoff_->reserve() : std::nullopt;
  EnqueueStatus status = EnqueueStatus::unavailable;
  if (pin) {
    pin_for_handover(p, *pin);
    status = co_await queue_.enqueue_taken(p);
    if (status == EnqueueStatus::accepted) {
      handoff_->hand_over(p);
    } else {
      handoff_->cancel(status == EnqueueStatus::unavailable);
    }
  } else {
    status = co_await queue_.enqueue(p);
  }
  switch (status) {
    case EnqueueStatus::accepted:
      ++metrics_.payments_accepted;
      if (!pin) on_accepted_();
      co_return ApiResponse{202, "{\"status\":\"accepted\"}"};
    case EnqueueStatus::duplicate:
      ++metrics_.payments_duplicate;
      co_return ApiResponse{200, "{\"status\":\"duplicate\",\"message\":\"payment already accepted\"}"};
    case EnqueueStatus::full:
      ++metrics_.payments_refused_full;
      co_return error_response(503, "payment not accepted: storage nearly full, retry later");
    case EnqueueStatus::unavailable:
      break;
  }
  ++metrics_.payments_unavailable;
  co_return error_response(503, "payment not accepted: storage unavailable, retry");
}

asio::awaitable<ApiResponse> Api::get_summary(const ApiRequest& req) {
  auto range = parse_summary_query(req.target);
  if (auto* err = std::get_if<QueryError>(&range)) co_return error_response(400, err->message);
  auto summary = co_await ledger_.summary(std::get<TimeRange>(range));
  if (!summary) co_return error_response(503, "storage unavailable, retry");
  ++metrics_.summaries_served;
  co_return ApiResponse{200, summary_json(*summary)};
}

asio::awaitable<ApiResponse> Api::purge(const ApiRequest& req) {
  if (cfg_.purge_token.empty()) co_return error_response(403, "purging is disabled: set PURGE_TOKEN to enable it");
  if (!tokens_equal(req.token, cfg_.purge_token)) co_return error_response(401, "X-Rinha-Token missing or wrong");
  const bool purged = co_await ledger_.purge();  // (not inside the if: GCC 12 miscompiles that)
  if (!purged) co_return error_response(503, "storage unavailable, retry");
  co_return ApiResponse{200, "{\"status\":\"purged\"}"};
}

}  // namespace rinha
