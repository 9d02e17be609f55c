// HTTP processor client: Beast requests on pooled keep-alive connections, simdjson answers.
#include "http_processor_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include "log.hpp"
#include "money.hpp"
#include "timefmt.hpp"
#include "routing_policy.hpp"

namespace rinha {

namespace beast = boost::beast;
namespace http = beast::http;
using asio::as_tuple;
using asio::use_awaitable;

struct HttpProcessorClient::Conn {
  explicit Conn(asio::any_io_executor ex) : stream(ex) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;
};

namespace {
// Pooled connections idle longer than this are dropped rather than reused: servers close
// idle keep-alive connections on their own schedule, and a stale one costs a failed send.
constexpr auto kMaxIdle = std::chrono::seconds(20);

// A processor's JSON answer, parsed on demand (simdjson); `doc` lives as long as this.
struct JsonBody {
  simdjson::ondemand::parser parser;
  simdjson::padded_string text;
  simdjson::ondemand::document doc;
  bool ok;
  explicit JsonBody(std::string_view body) : text(body), ok(!parser.iterate(text).get(doc)) {}
};
}  // namespace

HttpProcessorClient::HttpProcessorClient(asio::any_io_executor ex, Endpoint endpoint, size_t max_idle)
    : ex_(ex), endpoint_(std::move(endpoint)), max_idle_(max_idle) {}

HttpProcessorClient::~HttpProcessorClient() = default;

asio::awaitable<std::unique_ptr<HttpProcessorClient::Conn>> HttpProcessorClient::acquire(
    std::chrono::steady_clock::time_point deadline, bool& fresh) {
  const auto now = std::chrono::steady_clock::now();
  while (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (now - conn->idle_since > kMaxIdle) continue;  // closed by the destructor
    fresh = false;
    co_return conn;
  }
  fresh = true;
  if (resolved_.empty()) {
    asio::ip::tcp::resolver resolver(ex_);
    auto [ec, results] = co_await resolver.async_resolve(endpoint_.host, endpoint_.port, as_tuple(use_awaitable));
    if (ec) co_return nullptr;
    for (const auto& r : results) resolved_.push_back(r.endpoint());
  }
  auto conn = std::make_unique<Conn>(ex_);
  conn->stream.expires_at(deadline);
  auto [ec, ep] = co_await conn->stream.async_connect(resolved_, as_tuple(use_awaitable));
  if (ec) {
    resolved_.clear();  // resolve again next time: the address may have moved
    co_return nullptr;
  }
  conn->stream.socket().set_option(asio::ip::tcp::no_delay(true));
  co_return conn;
}

asio::awaitable<HttpProcessorClient::Exchange> HttpProcessorClient::exchange(int method, std::string_view target,
                                                                             std::string body,
                                                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  http::request<http::string_body> req{static_cast<http::verb>(method), target, 11};
  req.set(http::field::host, endpoint_.host);
  req.keep_alive(true);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  }
  // A pooled connection the processor closed while idle fails on first use without any
  // answer. The request is then sent once more on a fresh connection: to the SAME processor,
  // which answers 422 to a payment it already stored, so this can never charge twice. But a
  // connection that closes unanswered may also be one the processor had read the request
  // from (it does not cancel a delayed request when the caller hangs up): what the first
  // attempt may have done is carried into the retry's result (`unanswered_before`), so
  // that only a definite answer can make it better than in doubt.
  bool unanswered_before = false;
  for (int attempt = 0;; ++attempt) {
    Exchange out;
    out.unanswered_before = unanswered_before;
    bool fresh = false;
    auto conn = co_await acquire(deadline, fresh);
    if (!conn) {
      out.timed_out = std::chrono::steady_clock::now() >= deadline;
      co_return out;
    }
    conn->stream.expires_at(deadline);
    auto [wec, written] = co_await http::async_write(conn->stream, req, as_tuple(use_awaitable));
    if (wec) {
      // A failed write leaves at most a partial request, which cannot be processed.
      out.timed_out = wec == beast::error::timeout;
      if (!fresh && !out.timed_out && attempt == 0) continue;
      co_return out;
    }
    out.request_written = true;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    auto [rec, read] = co_await http::async_read(conn->stream, conn->buffer, parser, as_tuple(use_awaitable));
    if (rec) {
      out.timed_out = rec == beast::error::timeout;
      const bool closed_unanswered = rec == http::error::end_of_stream || rec == asio::error::eof ||
                                     rec == asio::error::connection_reset || rec == asio::error::broken_pipe;
      if (!fresh && closed_unanswered && attempt == 0) {
        unanswered_before = true;
        continue;
      }
      co_return out;
    }
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (res.keep_alive() && idle_.size() < max_idle_) {
      conn->stream.expires_never();
      conn->idle_since = std::chrono::steady_clock::now();
      idle_.push_back(std::move(conn));
    }
    co_return out;
  }
}

asio::awaitable<SendOutcome> HttpProcessorClient::send(const Payment& p, std::chrono::milliseconds timeout) {
  IsoBuffer ts;
  std::string body;
  body.reserve(128);
  body += "{\"correlationId\":\"";
  body.append(id_view(p.id));
  body += "\",\"amount\":";
  append_cents(body, p.amount_cents);
  body += ",\"requestedAt\":\"";
  body += format_iso8601_ms(p.requested_at_ms, ts);
  body += "\"}";
  const auto started = std::chrono::steady_clock::now();
  auto ex = co_await exchange(static_cast<int>(http::verb::post), "/payments", std::move(body), timeout);
  SendOutcome out;
  out.status = ex.status;
  out.latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  out.kind = classify_send(ex.status, ex.request_written, ex.unanswered_before);  // routing_policy.hpp
  co_return out;
}

// lookup() and health() are GETs: the first attempt of a retried one changed nothing at the
// processor, so the retry's answer is the whole answer. (A health call the processor read
// before closing may still count against its 5 s limit: the retry then gets 429, which the
// monitor takes as "no news", never as a colour.)
asio::awaitable<LookupResult> HttpProcessorClient::lookup(const CorrelationId& id, std::chrono::milliseconds timeout) {
  const std::string target = fmt::format("/payments/{}", id_view(id));
  auto ex = co_await exchange(static_cast<int>(http::verb::get), target, {}, timeout);
  LookupResult out;
  if (ex.status == 404) {
    out.kind = LookupResult::Kind::not_found;
    co_return out;
  }
  if (ex.status != 200) co_return out;
  JsonBody json(ex.body);
  std::string_view requested_at;
  if (!json.ok || json.doc["requestedAt"].get_string().get(requested_at)) co_return out;
  auto ms = parse_iso8601_ms(requested_at);
  if (!ms) co_return out;
  out.kind = LookupResult::Kind::found;
  out.requested_at_ms = *ms;
  co_return out;
}

asio::awaitable<HealthResult> HttpProcessorClient::health(std::chrono::milliseconds timeout) {
  const auto started = std::chrono::steady_clock::now();
  auto ex = co_await exchange(static_cast<int>(http::verb::get), "/payments/service-health", {}, timeout);
  HealthResult out;
  out.latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (ex.status == 429) {
    out.kind = HealthResult::Kind::rate_limited;
    co_return out;
  }
  if (ex.status != 200) co_return out;
  JsonBody json(ex.body);
  bool failing = false;
  int64_t min_rt = 0;
  if (!json.ok || json.doc["failing"].get_bool().get(failing) || json.doc["minResponseTime"].get_int64().get(min_rt)) {
    co_return out;
  }
  out.kind = HealthResult::Kind::ok;
  out.failing = failing;
  out.min_response_ms = min_rt;
  co_return out;
}

}  // namespace rinha
