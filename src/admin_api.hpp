// The operator's endpoints, served on a listener of their own (ADMIN_PORT / ADMIN_SOCKET),
// never on the API's listener that the load balancer forwards :9999 to:
//   GET /metrics  Prometheus text (the backlog read from Redis, the counters of this instance)
//   GET /health   200 {"status":"ok"} while the process serves
#pragma once
#include <boost/asio/awaitable.hpp>

#include "api.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "payment_queue.hpp"

namespace rinha {

class AdminApi final : public RequestHandler {
 public:
  AdminApi(const Config& cfg, PaymentQueue& queue, Metrics& metrics) : cfg_(cfg), queue_(queue), metrics_(metrics) {}

  asio::awaitable<ApiResponse> handle(const ApiRequest& req) override;

 private:
  const Config& cfg_;
  PaymentQueue& queue_;  // the backlog
  Metrics& metrics_;
};

}  // namespace rinha
