// Timers behind an interface, as the Clock is: the worker pool waits through these, so its
// tests run on virtual time (tests/fakes/fake_timers.hpp) and a loaded machine cannot fail
// them. AsioTimers is the real one (steady_timer).
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

namespace rinha {

namespace asio = boost::asio;

// One timer, as asio's steady_timer: set an expiry, then wait for it, or for a cancel().
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void expires_after_ms(int64_t ms) = 0;
  virtual void expires_never() = 0;  // only cancel() ends the next wait
  // Ends the wait in progress, if any (a cancel with no wait in progress is lost).
  virtual void cancel() = 0;
  // true: it expired; false: cancelled.
  virtual asio::awaitable<bool> wait() = 0;
};

class Timers {
 public:
  virtual ~Timers() = default;
  virtual std::unique_ptr<Timer> make_timer() = 0;
  // The timers' time: monotonic milliseconds (not a time of day).
  virtual int64_t steady_ms() const = 0;
};

class AsioTimers final : public Timers {
 public:
  explicit AsioTimers(asio::any_io_executor ex) : ex_(std::move(ex)) {}

  std::unique_ptr<Timer> make_timer() override { return std::make_unique<AsioTimer>(ex_); }
  int64_t steady_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  class AsioTimer final : public Timer {
   public:
    explicit AsioTimer(const asio::any_io_executor& ex) : timer_(ex) {}
    void expires_after_ms(int64_t ms) override { timer_.expires_after(std::chrono::milliseconds(ms)); }
    void expires_never() override { timer_.expires_at(std::chrono::steady_clock::time_point::max()); }
    void cancel() override { timer_.cancel(); }
    asio::awaitable<bool> wait() override {
      auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return !ec;
    }

   private:
    asio::steady_timer timer_;
  };

  asio::any_io_executor ex_;
};

}  // namespace rinha
