// Timers on virtual time: nothing expires until the test runs the io_context through
// run_for() or run(), which move the virtual time to the next timer whenever nothing else
// is ready to run. No wall time passes, so a loaded machine changes nothing. (The virtual
// time is the timers' own; a FakeClock beside it moves only when the test moves it.)
#pragma once
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

#include "timer.hpp"

namespace rinha::testing {

class FakeTimers final : public Timers {
 public:
  explicit FakeTimers(asio::any_io_executor ex) : ex_(std::move(ex)) {}

  std::unique_ptr<Timer> make_timer() override { return std::make_unique<FakeTimer>(reg_, ex_); }
  int64_t steady_ms() const override { return reg_->now_ms; }

  // Runs what is ready, and the timers due, in order of their expiry, for `ms` of virtual time.
  void run_for(asio::io_context& io, int64_t ms) {
    const int64_t until = reg_->now_ms + ms;
    for (;;) {
      drain(io);
      FakeTimer* next = earliest();
      if (!next || next->due_ms_ > until) break;
      fire(next);
    }
    reg_->now_ms = std::max(reg_->now_ms, until);
    drain(io);
  }

  // Runs `coro` to completion, moving the virtual time to the next timer whenever nothing
  // else is ready.
  void run(asio::io_context& io, asio::awaitable<void> coro) {
    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
    for (;;) {
      drain(io);
      if (done) break;
      FakeTimer* next = earliest();
      if (!next) throw std::runtime_error("coroutine waits on nothing that can happen");
      fire(next);
    }
    if (error) std::rethrow_exception(error);
  }

 private:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  class FakeTimer;
  // Shared with the timers, so a timer left in a coroutine frame that outlives this object
  // (destroyed with the io_context) can still leave it.
  struct Registry {
    int64_t now_ms = 0;
    uint64_t seq = 0;
    std::set<FakeTimer*> live;
  };

  class FakeTimer final : public Timer {
   public:
    FakeTimer(std::shared_ptr<Registry> reg, const asio::any_io_executor& ex) : reg_(std::move(reg)), timer_(ex) {
      reg_->live.insert(this);
    }
    ~FakeTimer() override { reg_->live.erase(this); }

    void expires_after_ms(int64_t ms) override {
      due_ms_ = reg_->now_ms + ms;
      seq_ = ++reg_->seq;
    }
    void expires_never() override { due_ms_ = kNever; }
    void cancel() override { end_wait(false); }
    asio::awaitable<bool> wait() override {
      waiting_ = true;
      result_.reset();
      timer_.expires_at(std::chrono::steady_clock::time_point::max());  // ended by end_wait() alone
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      waiting_ = false;
      co_return result_.value_or(false);
    }

   private:
    friend class FakeTimers;
    void end_wait(bool expired) {
      if (!waiting_ || result_) return;  // as asio: nothing to end, or already ended
      result_ = expired;
      timer_.cancel();
    }

    std::shared_ptr<Registry> reg_;
    asio::steady_timer timer_;
    int64_t due_ms_ = kNever;
    uint64_t seq_ = 0;  // ties expire in the order they were set
    bool waiting_ = false;
    std::optional<bool> result_;
  };

  static void drain(asio::io_context& io) {
    io.restart();
    while (io.poll() > 0) io.restart();
  }
  // The waiting timer due first (ties: the one set first; a timer that never expires is not one).
  FakeTimer* earliest() const {
    FakeTimer* best = nullptr;
    for (FakeTimer* t : reg_->live) {
      if (!t->waiting_ || t->result_ || t->due_ms_ == kNever) continue;
      if (!best || t->due_ms_ < best->due_ms_ || (t->due_ms_ == best->due_ms_ && t->seq_ < best->seq_)) best = t;
    }
    return best;
  }
  void fire(FakeTimer* t) {
    reg_->now_ms = std::max(reg_->now_ms, t->due_ms_);
    t->end_wait(true);
  }

  asio::any_io_executor ex_;
  std::shared_ptr<Registry> reg_ = std::make_shared<Registry>();
};

}  // namespace rinha::testing
