#include "admin_api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "fake_payment_queue.hpp"
#include "run_coro.hpp"

namespace rinha {
namespace {

using testing::FakePaymentQueue;
using testing::run_coro;

class AdminApiTest : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view method, std::string_view target) {
    AdminApi admin(cfg_, store_, metrics_);
    return run_coro(io_, admin.handle(ApiRequest{method, target, {}, {}}));
  }
  boost::asio::io_context io_;
  Config cfg_;
  FakePaymentQueue store_;
  Metrics metrics_;
};

TEST_F(AdminApiTest, ServesMetricsAndHealth) {
  EXPECT_EQ(call("GET", "/health").status, 200);
  auto m = call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(m.body.find("rinha_backlog_total"), std::string::npos);
  EXPECT_NE(m.body.find("rinha_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(AdminApiTest, ServesNothingElse) {
  EXPECT_EQ(call("POST", "/metrics").status, 405);
  EXPECT_EQ(call("GET", "/payments-summary").status, 404);
  EXPECT_EQ(call("POST", "/payments").status, 404);
  EXPECT_EQ(call("POST", "/purge-payments").status, 404);
}

}  // namespace
}  // namespace rinha
