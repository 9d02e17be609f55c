// Coalescer: calls made within one short window become one batch operation (one Redis
// round trip and one script call instead of one per payment). Each caller still gets its
// own answer: submit() completes when the batch that carries its item was flushed, with
// that flush's result. A failed batch fails every caller in it; callers retry on their own
// (the batch operations are idempotent), so nothing is lost.
// Invariants: at most one batch is open at a time; a batch is flushed once, when its
// window ends or it reaches `max_batch`, whichever is first; batches are flushed in order
// of opening (each flush starts only after its window, and windows open in order).
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace rinha {

namespace asio = boost::asio;

template <typename Item>
class Coalescer {
 public:
  // `flush` gets the batch's items (at least one) and reports whether the batch succeeded.
  using FlushFn = std::function<asio::awaitable<bool>(const std::vector<Item>&)>;

  Coalescer(asio::any_io_executor ex, std::chrono::milliseconds window, size_t max_batch, FlushFn flush)
      : ex_(ex), window_(window), max_batch_(max_batch < 1 ? 1 : max_batch), flush_(std::move(flush)) {}

  asio::awaitable<bool> submit(Item item) {
    if (!open_) {
      open_ = std::make_shared<Batch>(ex_);
      asio::co_spawn(ex_, run(open_), asio::detached);
    }
    std::shared_ptr<Batch> b = open_;
    b->items.push_back(std::move(item));
    if (b->items.size() >= max_batch_) {
      open_.reset();      // full: the next item opens a new batch
      b->closed = true;   // and this one goes now (run() may not have started waiting yet)
      b->window.cancel();
    }
    // Not expires_at() here: resetting the expiry would cancel the earlier callers' waits.
    while (!b->finished) co_await b->done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return b->ok;
  }

  std::chrono::milliseconds window() const { return window_; }
  uint64_t batches_flushed() const { return batches_; }
  uint64_t items_flushed() const { return items_; }

 private:
  struct Batch {
    explicit Batch(asio::any_io_executor ex) : window(ex), done(ex, std::chrono::steady_clock::time_point::max()) {}
    std::vector<Item> items;
    asio::steady_timer window;  // ends the collection window (cancelled when full)
    asio::steady_timer done;    // every caller of this batch waits on it
    bool closed = false;    // full before its window ended
    bool ok = false;
    bool finished = false;
  };

  asio::awaitable<void> run(std::shared_ptr<Batch> b) {
    if (!b->closed) {
      b->window.expires_after(window_);
      co_await b->window.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (open_ == b) open_.reset();
    ++batches_;
    items_ += b->items.size();
    b->ok = co_await flush_(b->items);
    b->finished = true;
    b->done.cancel();
  }

  asio::any_io_executor ex_;
  std::chrono::milliseconds window_;
  size_t max_batch_;
  FlushFn flush_;
  std::shared_ptr<Batch> open_;
  uint64_t batches_ = 0;
  uint64_t items_ = 0;
};

}  // namespace rinha
