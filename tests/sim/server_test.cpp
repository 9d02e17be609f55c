// End to end: the real SimServer on 127.0.0.1:0 in a background thread, driven by
// blocking Beast clients. Covers delay-then-failure ordering, a delayed payment whose
// client hung up still being stored, 429 beyond capacity, the health window, summaries.
#include "server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

namespace sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Reply {
  unsigned status = 0;
  std::string body;
};

std::string payment_body(std::string_view id, std::string_view amount = "19.90",
                         std::string_view at = "2025-07-15T12:34:56.000Z") {
  return "{\"correlationId\":\"" + std::string(id) + "\",\"amount\":" + std::string(amount) +
         ",\"requestedAt\":\"" + std::string(at) + "\"}";
}

// One keep-alive client connection.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(http::verb method, std::string_view target, std::string body = {},
            std::string_view token = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set("X-Rinha-Token", token);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket_, req);
  }
  Reply receive() {
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return {res.result_int(), res.body()};
  }
  Reply call(http::verb method, std::string_view target, std::string body = {},
             std::string_view token = {}) {
    send(method, target, std::move(body), token);
    return receive();
  }
  void close() { socket_.close(); }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

class SimServerTest : public ::testing::Test {
 protected:
  void start(SimOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.log_enabled = false;
    server_ = std::make_unique<SimServer>(options);
    thread_ = std::thread([this] { server_->run(); });
  }
  void SetUp() override {}
  void TearDown() override {
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }
  uint16_t port() const { return server_->port(); }
  void admin_put(std::string_view what, std::string body) {
    Client admin(port());
    const Reply r = admin.call(http::verb::put, "/admin/configurations/" + std::string(what),
                               std::move(body), "123");
    ASSERT_EQ(r.status, 204u);
  }
  // Waits (bounded) until the server has taken up the expected number of payments.
  bool wait_for_admission(size_t active, size_t waiting) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
      const auto counts = server_->admission_counts();
      if (counts.active == active && counts.waiting == waiting) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  std::unique_ptr<SimServer> server_;
  std::thread thread_;
};

constexpr std::string_view kId = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";

TEST_F(SimServerTest, DelayIsAppliedBeforeTheFailureAnswer) {
  start({});
  admin_put("delay", R"({"delay":200})");
  admin_put("failure", R"({"failure":true})");
  Client client(port());
  auto t0 = Clock::now();
  EXPECT_EQ(client.call(http::verb::post, "/payments", payment_body(kId)).status, 500u);
  EXPECT_GE(elapsed_ms(t0), 200);
  EXPECT_EQ(client.call(http::verb::get, "/payments/" + std::string(kId)).status, 404u);

  admin_put("failure", R"({"failure":false})");
  t0 = Clock::now();
  EXPECT_EQ(client.call(http::verb::post, "/payments", payment_body(kId)).status, 200u);
  EXPECT_GE(elapsed_ms(t0), 200);
  t0 = Clock::now();
  EXPECT_EQ(client.call(http::verb::post, "/payments", payment_body(kId)).status, 422u);
  EXPECT_GE(elapsed_ms(t0), 200);  // the duplicate is found only after the delay
  const Reply found = client.call(http::verb::get, "/payments/" + std::string(kId));
  EXPECT_EQ(found.status, 200u);
  EXPECT_EQ(found.body, R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3",)"
                        R"("amount":19.90,"requestedAt":"2025-07-15T12:34:56.000Z"})");
}

TEST_F(SimServerTest, DelayedPaymentIsStoredAfterItsClientHungUp) {
  start({});
  admin_put("delay", R"({"delay":300})");
  {
    Client quitter(port());
    quitter.send(http::verb::post, "/payments", payment_body(kId, "20.05"));
    ASSERT_TRUE(wait_for_admission(1, 0));
    quitter.close();  // gives up before the delay ends
  }
  // A retry with the same id started later ends later: by then the abandoned one is
  // stored, so the retry is a duplicate.
  Client retry(port());
  EXPECT_EQ(retry.call(http::verb::post, "/payments", payment_body(kId, "20.05")).status, 422u);
  const Reply found = retry.call(http::verb::get, "/payments/" + std::string(kId));
  EXPECT_EQ(found.status, 200u);
  EXPECT_NE(found.body.find("\"amount\":20.05"), std::string::npos);
  ASSERT_TRUE(wait_for_admission(0, 0));
}

TEST_F(SimServerTest, AnswersTooManyRequestsBeyondActivePlusQueued) {
  SimOptions options;
  options.max_active = 2;
  options.max_waiting = 1;
  start(options);
  admin_put("delay", R"({"delay":250})");
  std::vector<std::unique_ptr<Client>> busy;
  const auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) {
    busy.push_back(std::make_unique<Client>(port()));
    busy.back()->send(http::verb::post, "/payments",
                      payment_body("00000000-0000-0000-0000-00000000000" + std::to_string(i)));
  }
  ASSERT_TRUE(wait_for_admission(2, 1));
  Client extra(port());
  const auto t_extra = Clock::now();
  EXPECT_EQ(extra.call(http::verb::post, "/payments",
                       payment_body("00000000-0000-0000-0000-000000000009"))
                .status,
            429u);
  EXPECT_LT(elapsed_ms(t_extra), 200);  // rejected at once, not after the delay
  for (auto& client : busy) EXPECT_EQ(client->receive().status, 200u);
  EXPECT_GE(elapsed_ms(t0), 500);  // the queued one waited for a slot, then its delay
  EXPECT_EQ(extra.call(http::verb::get, "/payments/00000000-0000-0000-0000-000000000009").status,
            404u);
}

TEST_F(SimServerTest, StopsCleanlyWithPaymentsDelayedAndQueued) {
  SimOptions options;
  options.max_active = 1;
  options.max_waiting = 1;
  options.delay_ms = 60000;
  start(options);
  Client first(port());
  Client second(port());
  first.send(http::verb::post, "/payments", payment_body(kId));
  second.send(http::verb::post, "/payments",
              payment_body("00000000-0000-0000-0000-000000000001"));
  ASSERT_TRUE(wait_for_admission(1, 1));
  // TearDown stops the server with one payment in its delay and one waiting for a slot.
}

TEST_F(SimServerTest, HealthAllowsOnePerWindowAndQueuesTwo) {
  SimOptions options;
  options.health_window_ms = 150;
  start(options);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<Client>(port()));
    clients.back()->send(http::verb::get, "/payments/service-health");
  }
  int ok = 0, limited = 0;
  for (auto& client : clients) {
    const Reply r = client->receive();
    if (r.status == 200u) {
      ++ok;
      EXPECT_EQ(r.body, R"({"failing":false,"minResponseTime":0})");
    } else if (r.status == 429u) {
      ++limited;
    }
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(limited, 1);
}

TEST_F(SimServerTest, AdminSummaryOverHttp) {
  SimOptions options;
  options.fee_ppm = 150000;
  options.fee_text = "0.15";
  options.token = "tok";
  start(options);
  Client client(port());
  EXPECT_EQ(client.call(http::verb::post, "/payments",
                        payment_body("00000000-0000-0000-0000-000000000001", "19.90",
                                     "2025-07-15T12:00:00.000Z"))
                .status,
            200u);
  EXPECT_EQ(client.call(http::verb::post, "/payments",
                        payment_body("00000000-0000-0000-0000-000000000002", "19.90",
                                     "2025-07-15T12:00:10.000Z"))
                .status,
            200u);
  EXPECT_EQ(client.call(http::verb::get, "/admin/payments-summary", {}, "123").status, 401u);
  Reply r = client.call(http::verb::get, "/admin/payments-summary", {}, "tok");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body,
            R"({"totalRequests":2,"totalAmount":39.80,"totalFee":5.97,"feePerTransaction":0.15})");
  r = client.call(http::verb::get,
                  "/admin/payments-summary?from=2025-07-15T12:00:00.001Z&to=2025-07-15T12:00:10Z",
                  {}, "tok");
  EXPECT_EQ(r.body,
            R"({"totalRequests":1,"totalAmount":19.90,"totalFee":2.99,"feePerTransaction":0.15})");
  EXPECT_EQ(client.call(http::verb::post, "/admin/purge-payments", {}, "tok").status, 200u);
  r = client.call(http::verb::get, "/admin/payments-summary", {}, "tok");
  EXPECT_EQ(r.body,
            R"({"totalRequests":0,"totalAmount":0.00,"totalFee":0.00,"feePerTransaction":0.15})");
  EXPECT_EQ(client.call(http::verb::get, "/nope").status, 404u);
  EXPECT_EQ(client.call(http::verb::delete_, "/payments").status, 405u);
}

}  // namespace
}  // namespace sim
