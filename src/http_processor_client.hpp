// ProcessorClient over HTTP/1.1 keep-alive (Boost.Beast), with a pool of idle connections.
// Every call has a deadline; a connection that timed out or failed is closed, never reused.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "processor_client.hpp"

namespace rinha {

class HttpProcessorClient final : public ProcessorClient {
 public:
  HttpProcessorClient(asio::any_io_executor ex, Endpoint endpoint, size_t max_idle);
  ~HttpProcessorClient() override;

  // ProcessorClient
  asio::awaitable<SendOutcome> send(const Payment& p, std::chrono::milliseconds timeout) override;
  asio::awaitable<LookupResult> lookup(const CorrelationId& id, std::chrono::milliseconds timeout) override;
  asio::awaitable<HealthResult> health(std::chrono::milliseconds timeout) override;

 private:
  struct Conn;
  struct Exchange {
    int status = 0;              // 0 when no response was read
    bool request_written = false;
    // An earlier attempt wrote the whole request and its connection closed unanswered: the
    // processor may have read (and stored) it, whatever this attempt's answer says.
    bool unanswered_before = false;
    bool timed_out = false;
    std::string body;
  };
  asio::awaitable<Exchange> exchange(int method, std::string_view target, std::string body,
                                     std::chrono::milliseconds timeout);
  asio::awaitable<std::unique_ptr<Conn>> acquire(std::chrono::steady_clock::time_point deadline, bool& fresh);

  asio::any_io_executor ex_;
  Endpoint endpoint_;
  size_t max_idle_;
  std::vector<std::unique_ptr<Conn>> idle_;
  std::vector<asio::ip::tcp::endpoint> resolved_;
};

}  // namespace rinha
