// HttpConnection against an in-process server on port 0: keep-alive reuse, the deadline,
// and a server that closes idle connections (the next POST must go out on a new one).
#include "http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using loadtool::HttpConnection;
using loadtool::HttpResult;

namespace {

enum class Mode { KeepAlive, Silent, CloseAfterEach };

struct TestServer {
  TestServer(asio::io_context& io, Mode mode)
      : io_(io), mode_(mode), acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }
  loadtool::Endpoint endpoint() const {
    return {"http://test", "127.0.0.1", acceptor_.local_endpoint()};
  }
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++accepted_;
      asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> session(tcp::socket s) {
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(s, buf, req, asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++requests_;
      methods_.push_back(req.method());
      if (mode_ == Mode::Silent) {
        asio::steady_timer t(io_, std::chrono::seconds(5));
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return;
      }
      http::response<http::string_body> res{http::status::accepted, 11};
      res.body() = "ok";
      res.prepare_payload();
      co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
      if (mode_ == Mode::CloseAfterEach) {
        beast::error_code ignored;
        s.shutdown(tcp::socket::shutdown_both, ignored);
        s.close(ignored);
        co_return;
      }
    }
  }

  asio::io_context& io_;
  Mode mode_;
  tcp::acceptor acceptor_;
  int accepted_ = 0;
  int requests_ = 0;
  std::vector<http::verb> methods_;
};

// Runs `body` as a coroutine and the io_context until it returns.
void run_client(asio::io_context& io, std::function<asio::awaitable<void>()> body) {
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await body();
    io.stop();
  }, asio::detached);
  io.run_for(std::chrono::seconds(10));
}

asio::awaitable<void> pause_ms(int ms) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

TEST(HttpClient, KeepAliveReusesOneConnection) {
  asio::io_context io;
  TestServer server(io, Mode::KeepAlive);
  const auto ep = server.endpoint();
  std::vector<HttpResult> results;
  run_client(io, [&]() -> asio::awaitable<void> {
    HttpConnection c(io.get_executor(), ep);
    for (int i = 0; i < 3; ++i)
      results.push_back(co_await c.request(http::verb::post, "/payments", "{}", "", std::chrono::milliseconds(1500)));
  });
  ASSERT_EQ(results.size(), 3u);
  for (auto& r : results) {
    EXPECT_EQ(r.status, 202);
    EXPECT_TRUE(r.ok_2xx());
    EXPECT_EQ(r.body, "ok");
    EXPECT_GT(r.latency_us, 0u);
  }
  EXPECT_EQ(server.accepted_, 1);
}

TEST(HttpClient, DeadlineGivesTimeout) {
  asio::io_context io;
  TestServer server(io, Mode::Silent);
  const auto ep = server.endpoint();
  HttpResult r;
  const auto start = std::chrono::steady_clock::now();
  run_client(io, [&]() -> asio::awaitable<void> {
    HttpConnection c(io.get_executor(), ep);
    r = co_await c.request(http::verb::post, "/payments", "{}", "", std::chrono::milliseconds(100));
  });
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.expected());
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(HttpClient, ServerClosedIdleConnectionIsRedialedBeforeAPost) {
  asio::io_context io;
  TestServer server(io, Mode::CloseAfterEach);
  const auto ep = server.endpoint();
  std::vector<HttpResult> results;
  run_client(io, [&]() -> asio::awaitable<void> {
    HttpConnection c(io.get_executor(), ep);
    for (int i = 0; i < 3; ++i) {
      results.push_back(co_await c.request(http::verb::post, "/payments", "{}", "", std::chrono::milliseconds(1500)));
      co_await pause_ms(20);  // let the server's close arrive, as between two VU iterations
    }
  });
  ASSERT_EQ(results.size(), 3u);
  for (auto& r : results) EXPECT_EQ(r.status, 202) << r.error;
  EXPECT_EQ(server.accepted_, 3);
  EXPECT_EQ(server.requests_, 3);  // no POST was sent twice
}
