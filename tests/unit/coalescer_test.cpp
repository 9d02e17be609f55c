#include "coalescer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

namespace rinha {
namespace {

using namespace std::chrono_literals;

struct Recorder {
  std::vector<std::vector<int>> batches;
  bool fail = false;
  asio::awaitable<bool> flush(const std::vector<int>& items) {
    batches.push_back(items);
    co_return !fail;
  }
};

// Submits `n` items from `n` coroutines in one event-loop turn; returns their answers.
std::vector<int> submit_all(asio::io_context& io, Coalescer<int>& c, int n) {
  std::vector<int> answers(n, -1);
  for (int i = 0; i < n; ++i) {
    asio::co_spawn(io, [&c, &answers, i]() -> asio::awaitable<void> { answers[i] = co_await c.submit(i) ? 1 : 0; },
                   asio::detached);
  }
  io.run();
  io.restart();
  return answers;
}

TEST(Coalescer, CallsOfOneWindowBecomeOneFlush) {
  asio::io_context io;
  Recorder r;
  Coalescer<int> c(io.get_executor(), 0ms, 64, [&r](const std::vector<int>& b) { return r.flush(b); });
  const auto answers = submit_all(io, c, 5);
  ASSERT_EQ(r.batches.size(), 1u);
  EXPECT_EQ(r.batches[0], (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(answers, (std::vector<int>{1, 1, 1, 1, 1}));
  EXPECT_EQ(c.batches_flushed(), 1u);
  EXPECT_EQ(c.items_flushed(), 5u);
}

TEST(Coalescer, AFullBatchGoesAtOnceAndTheRestOpensAnother) {
  asio::io_context io;
  Recorder r;
  // A window far longer than the test: only the size limit can flush the first batch...
  Coalescer<int> c(io.get_executor(), 1h, 3, [&r](const std::vector<int>& b) { return r.flush(b); });
  std::vector<int> answers(3, -1);
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(io, [&c, &answers, i]() -> asio::awaitable<void> { answers[i] = co_await c.submit(i) ? 1 : 0; },
                   asio::detached);
  }
  io.run_for(2s);
  ASSERT_EQ(r.batches.size(), 1u);
  EXPECT_EQ(r.batches[0], (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(answers, (std::vector<int>{1, 1, 1}));
}

TEST(Coalescer, AFailedFlushFailsEveryCallerOfThatBatchOnly) {
  asio::io_context io;
  Recorder r;
  Coalescer<int> c(io.get_executor(), 0ms, 64, [&r](const std::vector<int>& b) { return r.flush(b); });
  r.fail = true;
  EXPECT_EQ(submit_all(io, c, 2), (std::vector<int>{0, 0}));
  r.fail = false;
  EXPECT_EQ(submit_all(io, c, 2), (std::vector<int>{1, 1}));
  EXPECT_EQ(r.batches.size(), 2u);
}

TEST(Coalescer, ASubmitWhileAFlushIsInFlightOpensANewBatch) {
  asio::io_context io;
  std::vector<std::vector<int>> batches;
  asio::steady_timer gate(io);
  gate.expires_at(std::chrono::steady_clock::time_point::max());
  bool first = true;
  Coalescer<int> c(io.get_executor(), 0ms, 64, [&](const std::vector<int>& b) -> asio::awaitable<bool> {
    batches.push_back(b);
    if (first) {  // the first flush is slow: it waits for the gate
      first = false;
      co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return true;
  });
  int done = 0;
  auto one = [&](int v) -> asio::awaitable<void> {
    if (co_await c.submit(v)) ++done;
  };
  asio::co_spawn(io, one(1), asio::detached);
  io.run_for(100ms);  // batch {1} is flushing, held at the gate
  asio::co_spawn(io, one(2), asio::detached);
  io.run_for(100ms);
  ASSERT_EQ(batches.size(), 2u);  // {2} did not join the batch already in flight
  EXPECT_EQ(batches[1], (std::vector<int>{2}));
  EXPECT_EQ(done, 1);  // {2} answered while {1} still waits
  gate.cancel();
  io.restart();
  io.run();
  EXPECT_EQ(done, 2);
}

}  // namespace
}  // namespace rinha
