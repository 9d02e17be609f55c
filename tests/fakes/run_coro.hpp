// Runs one coroutine to completion on an io_context and returns its result. The context is
// stopped as soon as the coroutine completes (background loops such as a Redis reader never
// run out of work), then the handlers already ready are drained, so work the coroutine
// spawned in passing (e.g. a health check) completes too.
#pragma once
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <stdexcept>

namespace rinha::testing {

template <typename T>
T run_coro(boost::asio::io_context& io, boost::asio::awaitable<T> coro) {
  std::optional<T> result;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
    io.stop();
  });
  io.restart();
  io.run();
  io.restart();
  io.poll();
  if (error) std::rethrow_exception(error);
  if (!result) throw std::runtime_error("coroutine did not complete");
  return std::move(*result);
}

inline void run_coro(boost::asio::io_context& io, boost::asio::awaitable<void> coro) {
  bool done = false;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e) {
    error = e;
    done = true;
    io.stop();
  });
  io.restart();
  io.run();
  io.restart();
  io.poll();
  if (error) std::rethrow_exception(error);
  if (!done) throw std::runtime_error("coroutine did not complete");
}

}  // namespace rinha::testing
