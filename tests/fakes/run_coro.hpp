// Runs one coroutine to completion on a fresh io_context and returns its result.
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
  });
  io.restart();
  io.run();
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
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  if (!done) throw std::runtime_error("coroutine did not complete");
}

}  // namespace rinha::testing
