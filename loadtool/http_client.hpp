// One keep-alive HTTP/1.1 client connection (one per VU, like k6), driven by C++20
// coroutines on a single-threaded io_context. Errors come back as values in HttpResult;
// a failed or timed-out exchange closes the socket and the next request reconnects.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadtool {

// A base URL resolved once at start-up (http://host:port, no path).
struct Endpoint {
  std::string url;
  std::string host_header;
  boost::asio::ip::tcp::endpoint address;
};

// Throws std::runtime_error on a bad URL or a name that does not resolve.
Endpoint endpoint_resolve(boost::asio::io_context& io, const std::string& url);

struct HttpResult {
  int status = 0;              // 0 when no response was read
  bool timed_out = false;
  std::string error;           // empty on a complete exchange
  std::string body;
  uint32_t latency_us = 0;     // write start to response end (k6 http_req_duration)
  bool ok_2xx() const { return status >= 200 && status < 300; }
  // k6's expected_response: 200..399; these feed the official p99.
  bool expected() const { return status >= 200 && status < 400; }
};

// One GET on a fresh unix-socket connection (Connection: close), for the report-only
// polling of a backend's admin socket; the deadline covers connect + write + read.
boost::asio::awaitable<HttpResult> http_get_unix(const boost::asio::any_io_executor& ex, const std::string& path,
                                                 std::string_view target, std::chrono::milliseconds timeout);

class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor ex, const Endpoint& endpoint);

  boost::asio::awaitable<HttpResult> request(boost::beast::http::verb method,
                                             std::string_view target, std::string body,
                                             std::string_view rinha_token,
                                             std::chrono::milliseconds timeout);
  void close();

 private:
  boost::asio::awaitable<HttpResult> exchange(boost::beast::http::verb method,
                                              std::string_view target, const std::string& body,
                                              std::string_view rinha_token,
                                              std::chrono::steady_clock::time_point deadline,
                                              bool& reused, bool& written);

  bool idle_connection_usable();

  const Endpoint& endpoint_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace loadtool
