// In-memory PaymentQueue with the same queue semantics as RedisStore (head = back of the
// deque), plus switches to make any operation fail, for the error paths. The contract tests
// (tests/integration/payment_queue_test.cpp) run the same checks on both.
#pragma once
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "fake_redis.hpp"
#include "payment_queue.hpp"

namespace rinha::testing {

class FakePaymentQueue : public virtual FakeFaults, public virtual FakeQueueKeys, public PaymentQueue {
 public:
  bool full = false;  // Redis's memory past the intake limit: enqueue answers full
  bool ready = true;  // intake_ready(): false as when Redis is unreachable
  // The intakes' answers wait this long (real time), as a slow Redis's would; the write
  // itself is done at once, as Redis runs the script when the command arrives.
  std::chrono::milliseconds intake_delay{0};
  int lose_intake_replies = 0;  // that many following intakes write, then answer unavailable
  bool lose_next_take_reply = false;  // the next take moves its items, then reports an error
                                      // (Redis ran the script; the connection broke before the reply)
  int take_calls = 0;

  bool intake_ready() const override { return ready && !full; }
  int enqueue_calls = 0;
  int waited_for_intakes = 0;  // intakes a client's answer waited for (written at once)
  asio::awaitable<EnqueueStatus> enqueue(const Payment& p, bool waited_for = false) override {
    ++enqueue_calls;
    waited_for_intakes += waited_for ? 1 : 0;
    return intake(p, false);
  }
  int enqueue_taken_calls = 0;
  asio::awaitable<EnqueueStatus> enqueue_taken(const Payment& p, bool waited_for = false) override {
    ++enqueue_taken_calls;
    waited_for_intakes += waited_for ? 1 : 0;
    return intake(p, true);
  }
  asio::awaitable<TakeResult> take(size_t max, Processor pin_to, int64_t now_ms) override {
    ++take_calls;
    if (fail()) co_return TakeResult{TakeResult::Kind::error, {}};
    TakeResult out;
    while (out.items.size() < max && !queue.empty()) {
      std::string item = queue.back();
      queue.pop_back();
      TakenItem t{item, false};
      if (auto p = decode_payment(item)) {
        t.prior_doubt = p->in_doubt;
        if (p->pin == Processor::none) {
          p->pin = pin_to;
          p->requested_at_ms = now_ms;
        }
        p->in_doubt = true;
        t.item = encode_payment(*p);
      }
      processing.push_back(t.item);
      out.items.push_back(std::move(t));
    }
    out.kind = out.items.empty() ? TakeResult::Kind::empty : TakeResult::Kind::items;
    if (lose_next_take_reply) {
      lose_next_take_reply = false;
      co_return TakeResult{TakeResult::Kind::error, {}};
    }
    co_return out;
  }
  asio::awaitable<bool> requeue_front(std::string_view old_item, std::string_view new_item) override {
    if (fail()) co_return false;
    if (remove_processing(old_item)) queue.emplace_back(new_item);  // a repeat changes nothing
    co_return true;
  }
  asio::awaitable<bool> dead_letter(std::string_view item) override {
    if (fail()) co_return false;
    if (remove_processing(item)) dead.emplace_back(item);
    co_return true;
  }
  asio::awaitable<bool> hold(std::string_view old_item, std::string_view new_item, int64_t due_ms) override {
    if (fail()) co_return false;
    if (remove_processing(old_item)) held.emplace(due_ms, std::string(new_item));
    co_return true;
  }
  asio::awaitable<std::optional<HeldRelease>> release_held(int64_t now_ms, size_t max) override {
    if (fail()) co_return std::nullopt;
    HeldRelease r;
    while (static_cast<size_t>(r.released) < max && !held.empty() && held.begin()->first <= now_ms) {
      queue.push_front(held.begin()->second);
      held.erase(held.begin());
      ++r.released;
    }
    r.remaining = static_cast<int64_t>(held.size());
    co_return r;
  }
  asio::awaitable<std::optional<int64_t>> recover_in_flight() override {
    if (fail()) co_return std::nullopt;
    co_return move_to_head(processing);
  }
  asio::awaitable<std::optional<Backlog>> backlog() override {
    if (fail()) co_return std::nullopt;
    co_return Backlog{static_cast<int64_t>(queue.size()), static_cast<int64_t>(queue.size()),
                      static_cast<int64_t>(processing.size()), static_cast<int64_t>(held.size())};
  }
 private:
  // As RedisStore's intake: to the queue, or (taken) straight into the processing list.
  asio::awaitable<EnqueueStatus> intake(const Payment& p, bool taken) {
    EnqueueStatus status = EnqueueStatus::accepted;
    if (fail()) {
      status = EnqueueStatus::unavailable;
    } else if (full) {
      status = EnqueueStatus::full;
    } else if (!ids.insert(std::string(id_view(p.id))).second) {
      status = EnqueueStatus::duplicate;
    } else {
      if (taken) {
        processing.push_back(encode_payment(p));
      } else {
        queue.push_front(encode_payment(p));
      }
      if (lose_intake_replies > 0) {
        --lose_intake_replies;
        status = EnqueueStatus::unavailable;
      }
    }
    co_await answer_delay();
    co_return status;
  }
  asio::awaitable<void> answer_delay() {
    if (intake_delay.count() <= 0) co_return;
    asio::steady_timer t(co_await asio::this_coro::executor, intake_delay);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
};

}  // namespace rinha::testing
