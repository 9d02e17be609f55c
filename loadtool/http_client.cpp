// HTTP exchange on a Beast tcp_stream. The deadline covers connect + write + read, like
// k6's request timeout; latency excludes connecting, like k6's http_req_duration. A request
// that fails on a reused keep-alive connection before any byte came back is retried once on
// a fresh connection when that is safe (see request()), as Go's net/http inside k6 does.
#include "http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <cerrno>
#include <stdexcept>

#include <sys/socket.h>

namespace loadtool {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

Endpoint endpoint_resolve(asio::io_context& io, const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::runtime_error("bad URL: " + url);
  if (parsed->scheme() != "http") throw std::runtime_error("only http:// URLs: " + url);
  std::string host(parsed->host());
  std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) throw std::runtime_error("cannot resolve " + url + ": " + ec.message());
  Endpoint e;
  e.url = url;
  e.host_header = host + ":" + port;
  e.address = results.begin()->endpoint();
  return e;
}

asio::awaitable<HttpResult> http_get_unix(const asio::any_io_executor& ex, const std::string& path,
                                          std::string_view target, std::chrono::milliseconds timeout) {
  HttpResult r;
  beast::basic_stream<asio::local::stream_protocol> stream(ex);
  stream.expires_after(timeout);
  const asio::local::stream_protocol::endpoint ep(path);
  auto [cec] = co_await stream.async_connect(ep, asio::as_tuple(asio::use_awaitable));
  if (cec) {
    r.error = cec.message();
    co_return r;
  }
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "admin");
  req.keep_alive(false);
  auto [wec, written] = co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  if (!wec) {
    auto [rec, read] = co_await http::async_read(stream, buf, res, asio::as_tuple(asio::use_awaitable));
    if (!rec) {
      r.status = static_cast<int>(res.result_int());
      r.body = std::move(res.body());
      co_return r;
    }
    r.timed_out = rec == beast::error::timeout;
    r.error = rec.message();
    co_return r;
  }
  r.timed_out = wec == beast::error::timeout;
  r.error = wec.message();
  co_return r;
}

HttpConnection::HttpConnection(asio::any_io_executor ex, const Endpoint& endpoint)
    : endpoint_(endpoint), stream_(ex) {}

void HttpConnection::close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
  connected_ = false;
  buffer_.clear();
}

// A server may close an idle keep-alive connection; Go's transport notices that in its
// background reader and dials anew. Here a non-blocking peek before each reuse does the
// same: EOF (or stray bytes) means the connection must not carry the next request.
bool HttpConnection::idle_connection_usable() {
  if (buffer_.size() > 0) return false;
  char c;
  const ssize_t n = ::recv(stream_.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

asio::awaitable<HttpResult> HttpConnection::request(http::verb method, std::string_view target,
                                                    std::string body, std::string_view rinha_token,
                                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool reused = false;
  bool written = false;
  HttpResult r = co_await exchange(method, target, body, rinha_token, deadline, reused, written);
  // Like Go's net/http: a POST is replayed only if it never left; idempotent methods are
  // replayed after any failure of a reused connection (a server closing an idle conn).
  const bool replayable = method != http::verb::post || !written;
  if (!r.error.empty() && reused && replayable && !r.timed_out && r.status == 0 &&
      std::chrono::steady_clock::now() < deadline) {
    r = co_await exchange(method, target, body, rinha_token, deadline, reused, written);
  }
  co_return r;
}

asio::awaitable<HttpResult> HttpConnection::exchange(http::verb method, std::string_view target,
                                                     const std::string& body,
                                                     std::string_view rinha_token,
                                                     std::chrono::steady_clock::time_point deadline,
                                                     bool& reused, bool& written) {
  HttpResult r;
  auto remaining = [&] {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        deadline - std::chrono::steady_clock::now());
  };
  auto fail = [&](const beast::error_code& ec) {
    r.timed_out = ec == beast::error::timeout;
    r.error = r.timed_out ? "timeout" : ec.message();
    close();
  };

  if (connected_ && !idle_connection_usable()) close();
  reused = connected_;
  if (!connected_) {
    stream_.expires_after(remaining());
    auto [ec] = co_await stream_.async_connect(endpoint_.address, asio::as_tuple(asio::use_awaitable));
    if (ec) { fail(ec); co_return r; }
    stream_.socket().set_option(tcp::no_delay(true));
    connected_ = true;
  }

  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, endpoint_.host_header);
  req.set(http::field::user_agent, "rinha-load");
  if (!rinha_token.empty()) req.set("X-Rinha-Token", rinha_token);
  if (method != http::verb::get) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  req.keep_alive(true);

  const auto start = std::chrono::steady_clock::now();
  stream_.expires_after(remaining());
  {
    auto [ec, n] = co_await http::async_write(stream_, req, asio::as_tuple(asio::use_awaitable));
    if (ec) { fail(ec); co_return r; }
    written = true;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  {
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) { fail(ec); co_return r; }
  }
  stream_.expires_never();
  r.latency_us = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - start).count());
  auto& res = parser.get();
  r.status = static_cast<int>(res.result_int());
  r.body = std::move(res.body());
  if (!res.keep_alive()) close();
  co_return r;
}

}  // namespace loadtool
