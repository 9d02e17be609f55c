// In-memory payment storage of one simulated processor. Invariant: a correlationId is
// stored at most once (a second insert is a duplicate, the HTTP layer's 422), and every
// stored payment appears exactly once both in the id index and in the time index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sim {

struct PaymentRecord {
  std::string correlation_id;  // canonical lower-case UUID
  int64_t amount_cents = 0;
  int64_t requested_at_ms = 0;  // UTC milliseconds, as the caller sent it
};

enum class StoreResult { stored, duplicate };

struct PaymentTotals {
  int64_t count = 0;
  int64_t amount_cents = 0;
};

class PaymentStore {
 public:
  StoreResult store_insert(const PaymentRecord& record);
  const PaymentRecord* store_find(std::string_view correlation_id) const;
  // Payments whose requested_at_ms lies in [from_ms, to_ms]; a missing bound is open.
  PaymentTotals store_totals(std::optional<int64_t> from_ms, std::optional<int64_t> to_ms) const;
  void store_purge();
  size_t store_size() const { return by_id_.size(); }

 private:
  struct TimedAmount {
    int64_t requested_at_ms;
    int64_t amount_cents;
  };
  std::unordered_map<std::string, PaymentRecord> by_id_;
  // Sorted by requested_at_ms. Payments mostly arrive in time order, so an insert is an
  // append or a short shift near the end; a range query is two binary searches.
  std::vector<TimedAmount> by_time_;
};

}  // namespace sim
