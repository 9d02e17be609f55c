// API handlers (see header for the status codes).
#include "api.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <variant>

#include "log.hpp"
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

// The 202 before Redis's answer: the handler waits on `answered` (expiring at the budget);
// run_intake cancels it when the intake's answer comes first. Single-threaded: whichever
// resumes first decides, and the other sees its flag.
struct Api::PendingIntake {
  explicit PendingIntake(asio::any_io_executor ex) : answered(ex) {}
  asio::steady_timer answered;
  EnqueueStatus status = EnqueueStatus::unavailable;
  bool finished = false;      // the intake answered within the budget: `status` is the answer
  bool acknowledged = false;  // the 202 went out first: run_intake must reach a definite outcome
};

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
  // Answering before Redis only while Redis is connected and not refusing: then the write
  // is all but certain to be accepted (and is retried until it is).
  const bool may_answer_early = answering_early_ && cfg_.intake_ack_budget_ms < cfg_.redis_timeout_ms &&
                                metrics_.intake_unconfirmed < kMaxUnconfirmed && queue_.intake_ready();
  if (!may_answer_early) {
    const EnqueueStatus status = co_await intake_once(p, pin, true);
    co_return answer(status);
  }
  auto ex = co_await asio::this_coro::executor;
  auto pending = std::make_shared<PendingIntake>(ex);
  const bool wait = cfg_.intake_ack_budget_ms > 0;  // 0: no wait at all, no timer either
  if (wait) {
    pending->answered.expires_after(std::chrono::milliseconds(cfg_.intake_ack_budget_ms));
  } else {
    pending->acknowledged = true;
  }
  asio::co_spawn(ex, run_intake(p, pin, pending), asio::detached);
  if (wait) {
    // (co_spawn dispatches: an intake that never suspends has finished already)
    if (!pending->finished) co_await pending->answered.async_wait(asio::as_tuple(asio::use_awaitable));
    if (pending->finished) co_return answer(pending->status);
    pending->acknowledged = true;
  }
  ++metrics_.intake_unconfirmed;
  ++metrics_.answered_before_redis;
  co_return ApiResponse{202, "{\"status\":\"accepted\"}"};
}

asio::awaitable<EnqueueStatus> Api::intake_once(Payment p, std::optional<Processor> pin, bool waited_for) {
  EnqueueStatus status = EnqueueStatus::unavailable;
  if (pin) {
    pin_for_handover(p, *pin);
    status = co_await queue_.enqueue_taken(p, waited_for);
    if (status == EnqueueStatus::accepted) {
      handoff_->hand_over(p);
    } else {
      handoff_->cancel(status == EnqueueStatus::unavailable);
    }
  } else {
    status = co_await queue_.enqueue(p, waited_for);
    if (status == EnqueueStatus::accepted) on_accepted_();
  }
  co_return status;
}

asio::awaitable<void> Api::run_intake(Payment p, std::optional<Processor> pin, std::shared_ptr<PendingIntake> pending) {
  // (with a budget the answer waits up to it: written at once; with none, in the window)
  const bool waited_for = !pending->acknowledged;
  EnqueueStatus status = co_await intake_once(p, pin, waited_for);
  if (!pending->acknowledged) {
    pending->status = status;
    pending->finished = true;
    pending->answered.cancel();
    co_return;
  }
  // The client has its 202: the payment must now reach Redis, or be found there. A failed
  // pinned write has given its worker slot back (and, unanswered, had the processing list
  // recovered: it may hold the payment); the retries queue it unpinned, never sent. An
  // unanswered write may have been applied: then the retry finds its own id (duplicate).
  const bool pinned_unanswered = pin && status == EnqueueStatus::unavailable;
  bool maybe_written = false;
  asio::steady_timer retry(pending->answered.get_executor());
  while (status == EnqueueStatus::unavailable || status == EnqueueStatus::full) {
    maybe_written = maybe_written || status == EnqueueStatus::unavailable;
    // Its id is remembered for IDS_HORIZON at least: a write that may have landed is not
    // retried past half of it, or a late retry could be accepted as new and paid twice.
    if (maybe_written && cfg_.ids_horizon_ms > 0 && clock_.now_ms() - p.accepted_at_ms > cfg_.ids_horizon_ms / 2) {
      LOG_ERROR("intake_abandoned", "id={} accepted_at_ms={} note=answered_202_written_or_lost", id_view(p.id),
                p.accepted_at_ms);
      --metrics_.intake_unconfirmed;
      co_return;
    }
    ++metrics_.intake_retries;
    retry.expires_after(std::chrono::milliseconds(kIntakeRetryMs));
    co_await retry.async_wait(asio::as_tuple(asio::use_awaitable));
    status = co_await intake_once(p, std::nullopt, false);
  }
  if (status == EnqueueStatus::accepted || maybe_written) {
    ++metrics_.payments_accepted;  // (found after an unanswered write: most likely that write)
  } else {
    ++metrics_.payments_duplicate;  // a replay
  }
  if (maybe_written) {
    // The unanswered write has run by now (Redis answered a later one for the same id): if
    // it pinned the payment, the recovery cancel(true) asked for may have come before it.
    if (pinned_unanswered) handoff_->recover_pinned_writes();
    on_accepted_();  // if it queued the payment, let the feeder look
  }
  --metrics_.intake_unconfirmed;
}

ApiResponse Api::answer(EnqueueStatus status) {
  switch (status) {
    case EnqueueStatus::accepted:
      ++metrics_.payments_accepted;
      return ApiResponse{202, "{\"status\":\"accepted\"}"};
    case EnqueueStatus::duplicate:
      ++metrics_.payments_duplicate;
      return ApiResponse{200, "{\"status\":\"duplicate\",\"message\":\"payment already accepted\"}"};
    case EnqueueStatus::full:
      ++metrics_.payments_refused_full;
      return error_response(503, "payment not accepted: storage nearly full, retry later");
    case EnqueueStatus::unavailable:
      break;
  }
  ++metrics_.payments_unavailable;
  return error_response(503, "payment not accepted: storage unavailable, retry");
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
