// In-memory Store with the same queue semantics as RedisStore (head = back of the deque),
// plus switches to make any operation fail, for the error paths.
#pragma once
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "clock.hpp"
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
  std::multimap<int64_t, std::string> held;  // due ms -> item
  std::set<std::string> ids;
  std::optional<RoutingRecord> routing;  // what save_routing() stored
  std::vector<FailureSignal> signals;
  // Expiry (the health lease, health-call reservations) needs a clock; without one,
  // nothing expires.
  const Clock* clock = nullptr;
  std::string lease_holder;
  int64_t lease_expires_ms = 0;
  std::map<Processor, int64_t> reserved_until;
  int health_reservations = 0;  // successful only_if_free reservations
  // Another instance whose heartbeat has expired: what claim_dead_instances() finds.
  std::deque<std::string> dead_peer_queue;        // front = newest, back = its head
  std::vector<std::string> dead_peer_processing;
  bool lapse_next_heartbeat = false;  // the next heartbeat finds this instance's key expired
  int heartbeats = 0;

  std::optional<Colour> colour() const { return routing ? std::optional<Colour>(routing->colour) : std::nullopt; }
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
    const int64_t n = static_cast<int64_t>(processing.size());
    for (auto it = processing.rbegin(); it != processing.rend(); ++it) queue.push_back(*it);
    processing.clear();
    co_return n;
  }
  asio::awaitable<std::optional<Backlog>> backlog() override {
    if (fail()) co_return std::nullopt;
    co_return Backlog{static_cast<int64_t>(queue.size()), static_cast<int64_t>(queue.size()),
                      static_cast<int64_t>(processing.size()), static_cast<int64_t>(held.size())};
  }
  asio::awaitable<std::optional<bool>> heartbeat(int64_t) override {
    if (fail()) co_return std::nullopt;
    const bool was = heartbeats > 0 && !lapse_next_heartbeat;
    lapse_next_heartbeat = false;
    ++heartbeats;
    co_return was;
  }
  asio::awaitable<std::optional<int64_t>> claim_dead_instances() override {
    if (fail()) co_return std::nullopt;
    int64_t n = 0;
    for (; !dead_peer_queue.empty(); ++n) {  // newest first, so its head ends nearest ours
      queue.push_back(dead_peer_queue.front());
      dead_peer_queue.pop_front();
    }
    auto accepted = [](const std::string& item) {
      auto p = decode_payment(item);
      return p ? p->accepted_at_ms : 0;
    };
    std::sort(dead_peer_processing.begin(), dead_peer_processing.end(),
              [&](const std::string& a, const std::string& b) { return accepted(a) > accepted(b); });
    for (auto& item : dead_peer_processing) queue.push_back(item);  // the earliest at the very head
    n += static_cast<int64_t>(dead_peer_processing.size());
    dead_peer_processing.clear();
    co_return n;
  }
  asio::awaitable<std::optional<RoutingRecord>> load_routing() override {
    if (fail()) co_return std::nullopt;
    co_return routing.value_or(RoutingRecord{});
  }
  asio::awaitable<bool> save_routing(const RoutingRecord& r) override {
    if (fail()) co_return false;
    routing = r;
    co_return true;
  }
  asio::awaitable<std::optional<LeaseState>> hold_health_lease(std::string_view holder, int64_t ttl_ms) override {
    if (fail()) co_return std::nullopt;
    if (!lease_holder.empty() && clock && clock->now_ms() >= lease_expires_ms) lease_holder.clear();
    const int64_t expires = clock ? clock->now_ms() + ttl_ms : 0;
    if (lease_holder == holder) {
      lease_expires_ms = expires;
      co_return LeaseState::renewed;
    }
    if (!lease_holder.empty()) co_return LeaseState::held_by_other;
    lease_holder = std::string(holder);
    lease_expires_ms = expires;
    co_return LeaseState::acquired;
  }
  asio::awaitable<bool> reserve_health_call(Processor p, int64_t ttl_ms, bool only_if_free) override {
    if (fail()) co_return false;
    const int64_t now = clock ? clock->now_ms() : 0;
    auto it = reserved_until.find(p);
    const bool taken = it != reserved_until.end() && (!clock || now < it->second);
    if (only_if_free && taken) co_return false;
    if (only_if_free) ++health_reservations;
    reserved_until[p] = now + ttl_ms;
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
  bool remove_processing(std::string_view item) {
    auto it = std::find(processing.begin(), processing.end(), item);
    if (it == processing.end()) return false;
    processing.erase(it);
    return true;
  }
};

}  // namespace rinha::testing
