// The API's request handlers: functions of (parsed request, injected state) -> response.
// No socket in sight; http_server.cpp does the bytes.
//   POST /payments          202 accepted (queued durably in Redis) | 200 duplicate (already
//                           accepted: never forwarded twice) | 4XX invalid | 503 storage down
//                           or nearly full (Redis past INTAKE_MEMORY_LIMIT of its maxmemory)
//                           Redis's answer is awaited INTAKE_ACK_BUDGET at most: past it, with
//                           Redis connected and not refusing, the answer is 202 and the intake
//                           goes on in the background until Redis has the payment (retrying
//                           an unanswered or refused write; a replay found then is dropped,
//                           never paid twice). See README, "Answering before Redis".
//   GET  /payments-summary  200 totals per processor | 400 bad bound | 503 storage down
//   POST /purge-payments    200 | 401 wrong token | 403 disabled (no PURGE_TOKEN configured)
// GET /metrics and GET /health are not routes of this API (404): they are served by
// AdminApi (admin_api.hpp) on a listener of their own, which the load balancer never reaches.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "clock.hpp"
#include "config.hpp"
#include "handoff.hpp"
#include "metrics.hpp"
#include "ledger.hpp"
#include "payment_queue.hpp"

namespace rinha {

struct ApiRequest {
  std::string_view method;  // "GET", "POST"...
  std::string_view target;  // path and query
  std::string_view body;
  std::string_view token;   // X-Rinha-Token header, empty when absent
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
};

// What an HttpServer hands each parsed request to.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual asio::awaitable<ApiResponse> handle(const ApiRequest& req) = 0;
};

class Api final : public RequestHandler {
 public:
  // `on_accepted` runs after each payment is durably queued (it wakes this instance's workers).
  // `handoff` (optional): asked, for each payment, whether a worker takes it straight away;
  // then the intake's write pins it in the processing list instead of queueing it.
  Api(const Config& cfg, PaymentQueue& queue, Ledger& ledger, const Clock& clock, Metrics& metrics,
      std::function<void()> on_accepted = [] {}, Handoff* handoff = nullptr)
      : cfg_(cfg), queue_(queue), ledger_(ledger), clock_(clock), metrics_(metrics), on_accepted_(std::move(on_accepted)),
        handoff_(handoff) {}

  asio::awaitable<ApiResponse> handle(const ApiRequest& req) override;

  // Payments answered 202 before Redis's answer whose intake has not reached a definite
  // outcome yet (shutdown waits for them).
  int64_t unconfirmed() const { return metrics_.intake_unconfirmed; }
  // Shutdown: from now on every answer waits for Redis's (nothing more is left unconfirmed).
  void stop_answering_early() { answering_early_ = false; }

  // At most this many payments are answered before Redis at a time; past it, the intake
  // waits for Redis's answer (so a Redis that stops answering holds bounded memory here).
  static constexpr int64_t kMaxUnconfirmed = 1024;
  // An intake answered 202 whose write got no answer, or was refused, is tried again after this.
  static constexpr int64_t kIntakeRetryMs = 100;

 private:
  struct PendingIntake;
  asio::awaitable<ApiResponse> post_payment(const ApiRequest& req);
  // One intake write and what follows from its answer (hand over, wake the feeder, cancel);
  // with `pin`, `p` (as accepted) is pinned for the handover first.
  // `waited_for`: the client's answer waits for it (the store writes it at once).
  asio::awaitable<EnqueueStatus> intake_once(Payment p, std::optional<Processor> pin, bool waited_for);
  // intake_once, then, if the 202 went out before it answered, retries until Redis has the
  // payment (accepted) or already had it (duplicate).
  asio::awaitable<void> run_intake(Payment p, std::optional<Processor> pin, std::shared_ptr<PendingIntake> pending);
  // The answer to a POST whose intake had its outcome in time.
  ApiResponse answer(EnqueueStatus status);
  asio::awaitable<ApiResponse> get_summary(const ApiRequest& req);
  asio::awaitable<ApiResponse> purge(const ApiRequest& req);

  const Config& cfg_;
  PaymentQueue& queue_;  // POST /payments
  Ledger& ledger_;       // the summary and the purge
  const Clock& clock_;
  Metrics& metrics_;
  std::function<void()> on_accepted_;
  Handoff* handoff_;
  bool answering_early_ = true;
};

// {"error":"<message>"} with the message escaped for JSON.
ApiResponse error_response(int status, std::string_view message);

}  // namespace rinha
