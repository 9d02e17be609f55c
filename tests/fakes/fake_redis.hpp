// What the fakes of the store interfaces share, as RedisStore's interfaces share one Redis.
// Each fake derives virtually from what it uses, so the composition (FakeStore) holds one
// of each, and a fake used alone has its own.
#pragma once
#include <algorithm>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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
// moves and the ledger's record) and the idempotency ids (cleared by the purge).
struct FakeQueueKeys {
  std::deque<std::string> queue;       // front = newest, back = head (next to pop)
  std::vector<std::string> processing;
  std::set<std::string> ids;

  bool remove_processing(std::string_view item) {
    auto it = std::find(processing.begin(), processing.end(), item);
    if (it == processing.end()) return false;
    processing.erase(it);
    return true;
  }
};

}  // namespace rinha::testing
