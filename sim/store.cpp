// PaymentStore: a hash map for lookups by id and a time-sorted vector for range totals.
#include "store.hpp"

#include <algorithm>

namespace sim {

StoreResult PaymentStore::store_insert(const PaymentRecord& record) {
  auto [it, inserted] = by_id_.try_emplace(record.correlation_id, record);
  if (!inserted) return StoreResult::duplicate;
  const auto pos = std::upper_bound(
      by_time_.begin(), by_time_.end(), record.requested_at_ms,
      [](int64_t at_ms, const TimedAmount& t) { return at_ms < t.requested_at_ms; });
  by_time_.insert(pos, TimedAmount{record.requested_at_ms, record.amount_cents});
  return StoreResult::stored;
}

const PaymentRecord* PaymentStore::store_find(std::string_view correlation_id) const {
  const auto it = by_id_.find(std::string(correlation_id));
  return it == by_id_.end() ? nullptr : &it->second;
}

PaymentTotals PaymentStore::store_totals(std::optional<int64_t> from_ms,
                                         std::optional<int64_t> to_ms) const {
  auto first = by_time_.begin();
  auto last = by_time_.end();
  if (from_ms) {
    first = std::lower_bound(by_time_.begin(), by_time_.end(), *from_ms,
                             [](const TimedAmount& t, int64_t at_ms) {
                               return t.requested_at_ms < at_ms;
                             });
  }
  if (to_ms) {
    last = std::upper_bound(first, by_time_.end(), *to_ms,
                            [](int64_t at_ms, const TimedAmount& t) {
                              return at_ms < t.requested_at_ms;
                            });
  }
  PaymentTotals totals;
  for (auto it = first; it < last; ++it) {
    ++totals.count;
    totals.amount_cents += it->amount_cents;
  }
  return totals;
}

void PaymentStore::store_purge() {
  by_id_.clear();
  by_time_.clear();
}

}  // namespace sim
