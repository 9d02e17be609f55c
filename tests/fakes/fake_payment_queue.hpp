// In-memory PaymentQueue with the same queue semantics as RedisStore (head = back of the
// deque), plus switches to make any operation fail, for the error paths. The contract tests
// (tests/integration/payment_queue_test.cpp) run the same checks on both.
#pragma once
#include <string>
#include <vector>

#include "fake_redis.hpp"
#include "payment_queue.hpp"

namespace rinha::testing {

class FakePaymentQueue : public virtual FakeFaults, public virtual FakeQueueKeys, public PaymentQueue {
 public:
  bool full = false;  // Redis's memory past the intake limit: enqueue answers full
  bool lose_next_take_reply = false;  // the next take moves its items, then reports an error
                                      // (Redis ran the script; the connection broke before the reply)
  int take_calls = 0;

  asio::awaitable<EnqueueStatus> enqueue(const Payment& p) override {
    if (fail()) co_return EnqueueStatus::unavailable;
    if (full) co_return EnqueueStatus::full;
    if (!ids.insert(std::string(id_view(p.id))).second) co_return EnqueueStatus::duplicate;
    queue.push_front(encode_payment(p));
    co_return EnqueueStatus::accepted;
  }
  int enqueue_taken_calls = 0;
  asio::awaitable<EnqueueStatus> enqueue_taken(const Payment& p) override {
    ++enqueue_taken_calls;
    if (fail()) co_return EnqueueStatus::unavailable;
    if (full) co_return EnqueueStatus::full;
    if (!ids.insert(std::string(id_view(p.id))).second) co_return EnqueueStatus::duplicate;
    processing.push_back(encode_payment(p));
    co_return EnqueueStatus::accepted;
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
};

}  // namespace rinha::testing
