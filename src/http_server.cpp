// Connection handling with Beast's parser and serializer over any stream socket.
#include "http_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "log.hpp"

namespace rinha {

namespace beast = boost::beast;
namespace http = beast::http;
using asio::as_tuple;
using asio::use_awaitable;
using GenericSocket = asio::generic::stream_protocol::socket;

namespace {
constexpr size_t kHeaderLimit = 8 * 1024;
constexpr size_t kBodyLimit = 16 * 1024;
}  // namespace

HttpServer::HttpServer(asio::any_io_executor ex, RequestHandler& handler, LatencyHistogram* latency,
                       std::chrono::milliseconds idle_timeout)
    : ex_(ex), handler_(handler), latency_(latency), idle_timeout_(idle_timeout), acceptor_(ex) {}

void HttpServer::listen_tcp(const std::string& address, int port) {
  asio::ip::tcp::endpoint tcp_ep(asio::ip::make_address(address), static_cast<uint16_t>(port));
  asio::generic::stream_protocol::endpoint ep(tcp_ep.data(), tcp_ep.size());
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(acceptor_.native_handle(), reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

void HttpServer::listen_unix(const std::string& path, unsigned mode) {
  ::unlink(path.c_str());  // a stale socket from a crashed run would block bind()
  asio::local::stream_protocol::endpoint local_ep(path);
  asio::generic::stream_protocol::endpoint ep(local_ep.data(), local_ep.size());
  acceptor_.open(ep.protocol());
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
  unix_path_ = path;
}

void HttpServer::start() { asio::co_spawn(ex_, accept_loop(), asio::detached); }

void HttpServer::stop() {
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(as_tuple(use_awaitable));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      LOG_WARN("accept_failed", "error=\"{}\"", ec.message());
      asio::steady_timer pause(ex_, std::chrono::milliseconds(10));  // e.g. out of descriptors
      co_await pause.async_wait(as_tuple(use_awaitable));
      continue;
    }
    if (unix_path_.empty()) {
      const int one = 1;
      ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    asio::co_spawn(ex_, session(std::move(socket)), asio::detached);
  }
}

namespace {
// One connection's socket and read deadline, shared with its watchdog so that neither
// outlives what it uses.
struct Connection {
  Connection(GenericSocket s, asio::any_io_executor ex) : socket(std::move(s)), deadline(ex) {}
  GenericSocket socket;
  asio::steady_timer deadline;
  bool open = true;
};

// Closes the connection when a read or write outlives its deadline (idle or slow-drip).
asio::awaitable<void> watchdog(std::shared_ptr<Connection> c) {
  while (c->open) {
    auto [ec] = co_await c->deadline.async_wait(as_tuple(use_awaitable));
    if (!c->open) break;
    if (!ec && c->deadline.expiry() <= std::chrono::steady_clock::now()) {
      boost::system::error_code ignored;
      c->socket.close(ignored);
      break;
    }
  }
}
}  // namespace

asio::awaitable<void> HttpServer::session(GenericSocket raw_socket) {
  beast::flat_buffer buffer;
  auto conn = std::make_shared<Connection>(std::move(raw_socket), ex_);
  auto& socket = conn->socket;
  auto& deadline = conn->deadline;
  asio::co_spawn(ex_, watchdog(conn), asio::detached);

  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    deadline.expires_after(idle_timeout_);
    auto [rec, nread] = co_await http::async_read(socket, buffer, parser, as_tuple(use_awaitable));
    if (rec) {
      if (rec == http::error::body_limit || rec == http::error::header_limit || rec == http::error::bad_method ||
          rec == http::error::bad_target || rec == http::error::bad_version || rec == http::error::bad_field ||
          rec == http::error::bad_value || rec == http::error::bad_content_length ||
          rec == http::error::bad_transfer_encoding || rec == http::error::bad_chunk ||
          rec == http::error::bad_line_ending || rec == http::error::bad_obs_fold) {
        const bool too_big = rec == http::error::body_limit || rec == http::error::header_limit;
        ApiResponse err = error_response(too_big ? 413 : 400, too_big ? "request too large" : "malformed HTTP request");
        http::response<http::string_body> res{static_cast<http::status>(err.status), 11};
        res.set(http::field::content_type, err.content_type);
        res.keep_alive(false);
        res.body() = std::move(err.body);
        res.prepare_payload();
        deadline.expires_after(std::chrono::seconds(1));
        co_await http::async_write(socket, res, as_tuple(use_awaitable));
        // Lingering close: read and drop what the client is still sending (up to 1 MiB or
        // the deadline), so that it reads our answer instead of a connection reset.
        boost::system::error_code ignored;
        socket.shutdown(asio::socket_base::shutdown_send, ignored);
        char sink[4096];
        for (size_t drained = 0; drained < (1u << 20);) {
          auto [dec, n] = co_await socket.async_read_some(asio::buffer(sink), as_tuple(use_awaitable));
          if (dec) break;
          drained += n;
        }
      }
      break;  // end of stream, deadline, or unusable request: close
    }
    const auto started = std::chrono::steady_clock::now();
    ++active_requests_;
    auto& req = parser.get();
    ApiRequest api_req{req.method_string(), req.target(), req.body(), {}};
    if (auto it = req.find("X-Rinha-Token"); it != req.end()) api_req.token = it->value();
    deadline.expires_at(std::chrono::steady_clock::time_point::max());  // the handler has its own deadlines
    ApiResponse out = co_await handler_.handle(api_req);

    http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
    res.set(http::field::content_type, out.content_type);
    const bool keep_alive = req.keep_alive() && !stopping_;
    res.keep_alive(keep_alive);
    res.body() = std::move(out.body);
    res.prepare_payload();
    deadline.expires_after(idle_timeout_);
    auto [wec, nwritten] = co_await http::async_write(socket, res, as_tuple(use_awaitable));
    --active_requests_;
    if (latency_) {
      latency_->observe_us(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
    }
    if (wec || !keep_alive) break;
  }
  conn->open = false;
  deadline.cancel();
  boost::system::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_send, ignored);
  socket.close(ignored);
}

}  // namespace rinha
