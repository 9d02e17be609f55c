// What the fakes of the store interfaces share, as RedisStore's interfaces share one Redis.
// Each fake derives virtually from what it uses, so the composition (FakeStore) holds one
// of each, and a fake used alone has its own.
#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "payment.hpp"

namespace rinha::testing {

// Makes the following operations fail, whichever interface they belong to.
struct FakeFaults {
  int fail_next_ops = 0;  // that many following operations fail

  bool fail() {
    if (fail_next_ops <= 0) return false;
    --fail_next_ops;
    return true;
  }
};

// The keys more than one concern moves payments through: this instance's queue (filled by
// the intake, the releases and the takeover), its processing list (emptied by the queue's
// moves and the ledger's record), its held set (filled by the queue's hold and the takeover),
// the dead letters and the idempotency ids (all cleared by the purge).
struct FakeQueueKeys {
  // Not copyable, and so neither is any fake built on it: tests share one fake by reference,
  // and a copy through the fakes' virtual bases would assign these keys once per path.
  FakeQueueKeys() = default;
  FakeQueueKeys(const FakeQueueKeys&) = delete;
  FakeQueueKeys& operator=(const FakeQueueKeys&) = delete;

  std::deque<std::string> queue;       // front = newest, back = head (next to pop)
  std::vector<std::string> processing;
  std::multimap<int64_t, std::string> held;  // due ms -> item
  std::vector<std::string> dead;
  std::set<std::string> ids;

  // By correlation id, as RedisStore's processing hash is keyed (processing_field()).
  bool remove_processing(std::string_view item) {
    auto it = std::find_if(processing.begin(), processing.end(),
                           [&](const std::string& p) { return processing_field(p) == processing_field(item); });
    if (it == processing.end()) return false;
    processing.erase(it);
    return true;
  }
  // Puts `items` (payments in flight) at the head of the queue, the earliest accepted at the
  // very head (ties: by item text), as RedisStore's recovery and takeover do; returns how many.
  int64_t move_to_head(std::vector<std::string>& items) {
    auto accepted = [](const std::string& item) {
      auto p = decode_payment(item);
      return p ? p->accepted_at_ms : 0;
    };
    std::sort(items.begin(), items.end(), [&](const std::string& a, const std::string& b) {
      const int64_t ta = accepted(a), tb = accepted(b);
      return ta != tb ? ta > tb : a > b;
    });
    for (auto& item : items) queue.push_back(item);
    const auto n = static_cast<int64_t>(items.size());
    items.clear();
    return n;
  }
};

}  // namespace rinha::testing
