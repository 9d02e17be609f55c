// The timers the worker pool waits through (src/timer.hpp), and the virtual-time fake its
// tests use (tests/fakes/fake_timers.hpp), which must behave alike.
#include "timer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <vector>

#include "fake_timers.hpp"
#include "run_coro.hpp"

namespace rinha {
namespace {

using testing::run_coro;

asio::awaitable<bool> wait_for(Timers& timers, int64_t ms) {
  const auto t = timers.make_timer();
  t->expires_after_ms(ms);
  const bool expired = co_await t->wait();
  co_return expired;
}

TEST(AsioTimers, ExpiresAfterItsTime) {
  boost::asio::io_context io;
  AsioTimers timers(io.get_executor());
  const int64_t start = timers.steady_ms();
  EXPECT_TRUE(run_coro(io, wait_for(timers, 5)));
  EXPECT_GE(timers.steady_ms() - start, 5);
}

TEST(AsioTimers, ACancelEndsTheWait) {
  boost::asio::io_context io;
  AsioTimers timers(io.get_executor());
  const auto t = timers.make_timer();
  t->expires_never();
  std::optional<bool> result;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { result = co_await t->wait(); }, asio::detached);
  io.poll();
  EXPECT_FALSE(result);
  t->cancel();
  io.run();
  EXPECT_EQ(result, false);
}

TEST(FakeTimers, FireInOrderOfExpiryOnVirtualTime) {
  boost::asio::io_context io;
  testing::FakeTimers timers(io.get_executor());
  std::vector<int> order;
  auto sleeper = [&](int64_t ms, int tag) -> asio::awaitable<void> {
    if (co_await wait_for(timers, ms)) order.push_back(tag);
  };
  asio::co_spawn(io, sleeper(30, 3), asio::detached);
  asio::co_spawn(io, sleeper(10, 1), asio::detached);
  asio::co_spawn(io, sleeper(20, 2), asio::detached);
  timers.run_for(io, 15);
  EXPECT_EQ(order, (std::vector<int>{1}));
  EXPECT_EQ(timers.steady_ms(), 15);
  timers.run_for(io, 15);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(timers.steady_ms(), 30);
}

TEST(FakeTimers, ACancelEndsTheWaitAndALateOneIsLost) {
  boost::asio::io_context io;
  testing::FakeTimers timers(io.get_executor());
  const auto t = timers.make_timer();
  t->cancel();  // no wait in progress: lost, as with asio
  t->expires_never();
  std::optional<bool> result;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { result = co_await t->wait(); }, asio::detached);
  timers.run_for(io, 1000);
  EXPECT_FALSE(result);  // never expires by itself
  t->cancel();
  timers.run_for(io, 0);
  EXPECT_EQ(result, false);
}

TEST(FakeTimers, RunMovesTimeOnlyAsFarAsTheCoroutineNeeds) {
  boost::asio::io_context io;
  testing::FakeTimers timers(io.get_executor());
  timers.run(io, [&]() -> asio::awaitable<void> {
    co_await wait_for(timers, 250);
    co_await wait_for(timers, 250);
  }());
  EXPECT_EQ(timers.steady_ms(), 500);
}

}  // namespace
}  // namespace rinha
