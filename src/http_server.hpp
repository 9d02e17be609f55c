// HTTP/1.1 serving: one coroutine per connection reads a request (Beast parser, size
// limits, idle deadline), hands it to its RequestHandler (the Api, or on the admin listener
// the AdminApi), writes the answer, loops for keep-alive.
// Listens on TCP or on a unix socket (the same code: Asio's generic stream protocol).
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <string>

#include "api.hpp"
#include "config.hpp"
#include "metrics.hpp"

namespace rinha {

class HttpServer {
 public:
  // `latency`: where each request's duration is observed (nullptr: nowhere).
  HttpServer(asio::any_io_executor ex, RequestHandler& handler, LatencyHistogram* latency,
             std::chrono::milliseconds idle_timeout);

  // Start-up only: throw std::system_error on failure.
  void listen_tcp(const std::string& address, int port);  // port 0: any free port
  // `mode`: the socket file's permissions (0666: the load balancer may run as another user).
  void listen_unix(const std::string& path, unsigned mode = 0666);
  int port() const { return port_; }

  void start();
  // Stops accepting; answers in progress finish, with Connection: close.
  void stop();
  int64_t active_requests() const { return active_requests_; }

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(asio::generic::stream_protocol::socket socket);

  asio::any_io_executor ex_;
  RequestHandler& handler_;
  LatencyHistogram* latency_;
  std::chrono::milliseconds idle_timeout_;
  asio::basic_socket_acceptor<asio::generic::stream_protocol> acceptor_;
  int port_ = 0;
  std::string unix_path_;
  bool stopping_ = false;
  int64_t active_requests_ = 0;
};

}  // namespace rinha
