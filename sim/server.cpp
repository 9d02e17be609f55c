// SimServer: listener, per-connection loop, and the two waiting steps (admission +
// delay for payments, the rate-limit window for health). Every socket operation has a
// deadline and every request a size limit; errors are values (as_tuple), not throws.
#include "server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <fmt/format.h>

namespace sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

HttpMethod to_method(http::verb verb) {
  switch (verb) {
    case http::verb::get: return HttpMethod::get;
    case http::verb::post: return HttpMethod::post;
    case http::verb::put: return HttpMethod::put;
    default: return HttpMethod::other;
  }
}

}  // namespace

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Holds one admission slot for the life of a payment; on release the slot passes to
// the oldest waiter, if any.
struct SimServer::SlotGuard {
  SimServer& server;
  ~SlotGuard() {
    if (server.shutting_down_) return;
    if (server.gate_.admission_leave() && !server.slot_waiters_.empty()) {
      server.slot_waiters_.front()->cancel();
      server.slot_waiters_.pop_front();
    }
  }
};

SimServer::SimServer(const SimOptions& options)
    : options_(options),
      log_(options.name, options.log_enabled),
      gate_(options.max_active, options.max_waiting),
      limiter_(options.health_window_ms, options.health_max_queued, steady_now_ms()),
      clock_ms_(&steady_now_ms),
      acceptor_(io_) {
  state_.settings.token = options.token;
  state_.settings.delay_ms = options.delay_ms;
  state_.settings.failure = options.failure;
  state_.settings.fee_ppm = options.fee_ppm;
  state_.settings.fee_text = options.fee_text;
  state_.log = &log_;

  const tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  log_.log_event("start", fmt::format("host={} port={} fee={} delay_ms={} failure={} "
                                      "max_active={} max_waiting={} health_window_ms={}",
                                      options.host, port_, options.fee_text, options.delay_ms,
                                      options.failure, options.max_active, options.max_waiting,
                                      options.health_window_ms));
}

SimServer::~SimServer() { shutting_down_ = true; }

void SimServer::run() {
  io_.run();
  log_.log_event("stop", fmt::format("payments={}", state_.store.store_size()));
}

void SimServer::stop() {
  asio::post(io_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    io_.stop();
  });
}

SimServer::AdmissionCounts SimServer::admission_counts() {
  std::promise<AdmissionCounts> counts;
  asio::post(io_, [this, &counts] { counts.set_value({gate_.active(), gate_.waiting()}); });
  return counts.get_future().get();
}

asio::awaitable<void> SimServer::accept_loop() {
  asio::steady_timer retry(io_);
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
    if (ec == asio::error::operation_aborted) break;
    if (ec) {
      // Typically EMFILE under a connection storm: back off instead of spinning.
      log_.log_event("accept_error", fmt::format("error=\"{}\"", ec.message()));
      retry.expires_after(kAcceptRetryDelay);
      co_await retry.async_wait(kNoThrow);
      continue;
    }
    beast::error_code opt_ec;
    socket.set_option(tcp::no_delay(true), opt_ec);
    asio::co_spawn(io_, serve_connection(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> SimServer::serve_connection(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(options_.header_limit_bytes + options_.body_limit_bytes);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit_bytes));
    parser.body_limit(options_.body_limit_bytes);
    stream.expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    if (read_ec) {
      // end_of_stream / reset / timeout are a normal end; an oversized or malformed
      // request gets an answer before closing, like a real server.
      unsigned status = 0;
      if (read_ec == http::error::body_limit || read_ec == http::error::header_limit ||
          read_ec == http::error::buffer_overflow) {
        status = 413;
      } else if (read_ec.category() == http::make_error_code(http::error::bad_target).category() &&
                 read_ec != http::error::end_of_stream && read_ec != http::error::partial_message) {
        status = 400;
      }
      if (status != 0) {
        http::response<http::string_body> res{static_cast<http::status>(status), 11};
        res.keep_alive(false);
        res.prepare_payload();
        stream.expires_after(std::chrono::milliseconds(options_.write_timeout_ms));
        co_await http::async_write(stream, res, kNoThrow);
      }
      break;
    }
    const auto& req = parser.get();
    stream.expires_never();  // processing may legitimately take the configured delay

    const SimRequest request{to_method(req.method()), req.target(), req["X-Rinha-Token"],
                             req.body()};
    SimAction action = sim_handle(request, state_);
    SimReply reply;
    if (auto* ready = std::get_if<SimReply>(&action)) {
      reply = std::move(*ready);
    } else if (auto* job = std::get_if<PaymentJob>(&action)) {
      reply = co_await run_payment(std::move(job->record));
    } else {
      reply = co_await run_health();
    }

    http::response<http::string_body> res{static_cast<http::status>(reply.status),
                                          req.version()};
    res.keep_alive(req.keep_alive());
    if (!reply.body.empty()) {
      res.set(http::field::content_type, "application/json");
      res.body() = std::move(reply.body);
    }
    res.prepare_payload();
    stream.expires_after(std::chrono::milliseconds(options_.write_timeout_ms));
    auto [write_ec, write_n] = co_await http::async_write(stream, res, kNoThrow);
    if (write_ec || !res.keep_alive()) break;
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<SimReply> SimServer::run_payment(PaymentRecord record) {
  switch (gate_.admission_enter()) {
    case Admission::rejected:
      co_return sim_reply_too_many();
    case Admission::must_wait: {
      auto waiter = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
      slot_waiters_.push_back(waiter);
      co_await waiter->async_wait(kNoThrow);  // woken by cancel(): the slot is ours
      break;
    }
    case Admission::admitted:
      break;
  }
  SlotGuard slot{*this};
  // The delay in force when processing starts; not cancelled if the client leaves.
  const int64_t delay_ms = state_.settings.delay_ms;
  if (delay_ms > 0) {
    asio::steady_timer delay(io_, std::chrono::milliseconds(delay_ms));
    co_await delay.async_wait(kNoThrow);
  }
  co_return sim_complete_payment(record, state_);
}

asio::awaitable<SimReply> SimServer::run_health() {
  const HealthDecision decision = limiter_.limiter_acquire(clock_ms_());
  if (decision.kind == HealthDecision::Kind::rejected) co_return sim_reply_too_many();
  if (decision.kind == HealthDecision::Kind::queued) {
    const auto wait_ms = decision.answer_at_ms - clock_ms_();
    if (wait_ms > 0) {
      asio::steady_timer window(io_, std::chrono::milliseconds(wait_ms));
      co_await window.async_wait(kNoThrow);
    }
  }
  co_return sim_health_reply(state_.settings);
}

}  // namespace sim
