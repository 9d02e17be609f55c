// HttpServer on a real loopback socket, with a stub handler: keep-alive, the limits and
// the malformed-request answers, the idle deadline, and stop().
#include "http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <atomic>
#include <optional>
#include <thread>

namespace rinha {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Echo final : public RequestHandler {
 public:
  asio::awaitable<ApiResponse> handle(const ApiRequest& req) override {
    ++calls;
    if (req.target == "/slow") {  // longer than the server's 300 ms idle deadline
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(500));
      co_await t.async_wait(asio::use_awaitable);
    }
    ApiResponse out{200, fmt::format(R"({{"method":"{}","target":"{}","body":{}}})", req.method, req.target,
                                     req.body.size())};
    co_return out;
  }
  std::atomic<int> calls{0};  // read by the test's thread
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(io_.get_executor(), echo_, &latency_, std::chrono::milliseconds(300));
    server_->listen_tcp("127.0.0.1", 0);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_->stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
    io_.restart();
    io_.poll();
  }
  tcp::socket connect() {
    tcp::socket s(client_io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server_->port())));
    return s;
  }
  static http::response<http::string_body> exchange(tcp::socket& s, const std::string& raw) {
    asio::write(s, asio::buffer(raw));
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return res;
  }

  // The server and its handler outlive the io_context (declared first, destroyed last),
  // so the coroutine frames it still holds are destroyed while what they refer to exists.
  Echo echo_;
  LatencyHistogram latency_;
  std::unique_ptr<HttpServer> server_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  asio::io_context client_io_;
  std::thread thread_;
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto s = connect();
  for (int i = 0; i < 3; ++i) {
    auto res = exchange(s, "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), R"({"method":"POST","target":"/payments","body":2})");
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(echo_.calls.load(), 3);  // (the latency is observed after the write: not read here, racy)
}

TEST_F(HttpServerTest, MalformedAndOversizedRequestsGetAClearErrorAndNeverReachTheHandler) {
  auto bad = connect();
  auto res = exchange(bad, "NOT A REQUEST\r\n\r\n");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find("malformed"), std::string::npos);
  EXPECT_FALSE(res.keep_alive());
  auto big = connect();
  const std::string body(64 * 1024, 'x');
  res = exchange(big, "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(echo_.calls.load(), 0);
}

TEST_F(HttpServerTest, AnIdleConnectionIsClosedAfterTheDeadline) {
  auto s = connect();
  char byte;
  boost::system::error_code ec;
  // Nothing sent: the server closes it after its 300 ms idle deadline (the read returns EOF).
  s.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

// Each request moves the idle deadline on: a connection in use for longer than the idle
// timeout (a request every 50 ms for 600 ms, against 300 ms) is not closed under it.
TEST_F(HttpServerTest, EachRequestMovesTheIdleDeadlineOn) {
  auto s = connect();
  for (int i = 0; i < 12; ++i) {
    auto res = exchange(s, "GET /payments-summary HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(res.result_int(), 200) << "request " << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(echo_.calls.load(), 12);
  char byte;
  boost::system::error_code ec;
  s.read_some(asio::buffer(&byte, 1), ec);  // then idle: closed after the deadline
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

// While the handler runs there is no idle deadline (the handler has its own): an answer
// that takes longer than the idle timeout is delivered, and the connection stays usable.
TEST_F(HttpServerTest, AHandlerSlowerThanTheIdleTimeoutStillAnswers) {
  auto s = connect();
  auto res = exchange(s, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_TRUE(res.keep_alive());
  res = exchange(s, "GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(echo_.calls.load(), 2);
}

}  // namespace
}  // namespace rinha
