// In-memory Store with the same queue semantics as RedisStore (head = back of the deque),
// plus switches to make any operation fail, for the error paths.
#pragma once
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store.hpp"

namespace rinha::testing {

class FakeStore final : public Store {
 public:
  struct LedgerEntry {
    Processor processor;
    int64_t requested_at_ms;
    int64_t amount_cents;
  };

  std::deque<std::string> queue;       // front = newest, back = head (next to pop)
  std::vector<std::string> processing;
  std::map<std::string, LedgerEntry> ledger;  // by correlation id
  std::vector<std::string> dead;
  std::set<std::string> ids;
  std::optional<Colour> colour;
  std::vector<FailureSignal> signals;
  int fail_next_ops = 0;  // that many following operations fail
  bool full = false;      // Redis's memory past the intake limit: enqueue answers full
  BooksState books;       // what upkeep() reports
  int upkeep_calls = 0;
  bool lose_next_take_reply = false;  // the next take moves its items, then reports an error
                                      // (Redis ran the script; the connection broke before the reply)
  int record_calls = 0;
  int take_calls = 0;

  // Store
  asio::awaitable<EnqueueStatus> enqueue(const Payment& p) override {
    if (fail()) co_return EnqueueStatus::unavailable;
    if (full) co_return EnqueueStatus::full;
    if (!ids.insert(std::string(id_view(p.id))).second) co_return EnqueueStatus::duplicate;
    queue.push_front(encode_payment(p));
    co_return EnqueueStatus::accepted;
  }
  asio::awaitable<std::optional<Summary>> summary(TimeRange r) override {
    if (fail()) co_return std::nullopt;
    Summary s;
    for (const auto& [id, e] : ledger) {
      if (e.requested_at_ms < r.from_ms || e.requested_at_ms > r.to_ms) continue;
      Totals& t = e.processor == Processor::fallback ? s.fallback : s.default_;
      ++t.count;
      t.amount_cents += e.amount_cents;
    }
    co_return s;
  }
  asio::awaitable<bool> purge() override {
    if (fail()) co_return false;
    queue.clear();
    processing.clear();
    ledger.clear();
    ids.clear();
    co_return true;
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
    remove_processing(old_item);
    queue.emplace_back(new_item);
    co_return true;
  }
  asio::awaitable<bool> record(std::string_view item, const Payment& p, Processor where) override {
    ++record_calls;
    if (fail()) co_return false;
    remove_processing(item);
    ledger[std::string(id_view(p.id))] = LedgerEntry{where, p.requested_at_ms, p.amount_cents};
    co_return true;
  }
  asio::awaitable<bool> dead_letter(std::string_view item) override {
    if (fail()) co_return false;
    remove_processing(item);
    dead.emplace_back(item);
    co_return true;
  }
  asio::awaitable<std::optional<int64_t>> recover_in_flight() override {
    if (fail()) co_return std::nullopt;
    const int64_t n = static_cast<int64_t>(processing.size());
    for (auto it = processing.rbegin(); it != processing.rend(); ++it) queue.push_back(*it);
    processing.clear();
    co_return n;
  }
  asio::awaitable<std::optional<Backlog>> backlog() override {
    if (fail()) co_return std::nullopt;
    co_return Backlog{static_cast<int64_t>(queue.size()), static_cast<int64_t>(queue.size()),
                      static_cast<int64_t>(processing.size())};
  }
  asio::awaitable<std::optional<Colour>> load_colour() override {
    if (fail()) co_return std::nullopt;
    co_return colour.value_or(Colour::green);
  }
  asio::awaitable<bool> save_colour(Colour c) override {
    if (fail()) co_return false;
    colour = c;
    co_return true;
  }
  asio::awaitable<bool> push_signal(const FailureSignal& sig) override {
    if (fail()) co_return false;
    signals.push_back(sig);
    co_return true;
  }
  asio::awaitable<std::vector<FailureSignal>> take_signals() override {
    if (fail()) co_return std::vector<FailureSignal>{};
    auto out = std::move(signals);
    signals.clear();
    co_return out;
  }
  asio::awaitable<std::optional<BooksState>> upkeep(int64_t) override {
    ++upkeep_calls;
    if (fail()) co_return std::nullopt;
    co_return books;
  }

 private:
  bool fail() {
    if (fail_next_ops <= 0) return false;
    --fail_next_ops;
    return true;
  }
  void remove_processing(std::string_view item) {
    auto it = std::find(processing.begin(), processing.end(), item);
    if (it != processing.end()) processing.erase(it);
  }
};

}  // namespace rinha::testing
