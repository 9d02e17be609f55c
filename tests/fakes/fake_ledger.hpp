// In-memory Ledger: a map by correlation id. The record leaves the processing list of the
// FakeQueueKeys it shares (with a FakePaymentQueue in FakeStore).
#pragma once
#include <map>
#include <string>

#include "fake_redis.hpp"
#include "ledger.hpp"

namespace rinha::testing {

class FakeLedger : public virtual FakeFaults, public virtual FakeQueueKeys, public Ledger {
 public:
  struct LedgerEntry {
    Processor processor;
    int64_t requested_at_ms;
    int64_t amount_cents;
  };

  std::map<std::string, LedgerEntry> ledger;  // by correlation id
  BooksState books;  // what upkeep() reports
  int upkeep_calls = 0;
  int record_calls = 0;

  asio::awaitable<bool> record(std::string_view item, const Payment& p, Processor where) override {
    ++record_calls;
    if (fail()) co_return false;
    // Booked only if still in flight, as RedisStore does: a repeat, or a payment requeued
    // or claimed meanwhile, books nothing.
    if (remove_processing(item)) ledger[std::string(id_view(p.id))] = LedgerEntry{where, p.requested_at_ms, p.amount_cents};
    co_return true;
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
    held.clear();
    dead.clear();
    ledger.clear();
    ids.clear();
    co_return true;
  }
  asio::awaitable<std::optional<BooksState>> upkeep(int64_t) override {
    ++upkeep_calls;
    if (fail()) co_return std::nullopt;
    co_return books;
  }
};

}  // namespace rinha::testing
