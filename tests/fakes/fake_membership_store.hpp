// In-memory MembershipStore: this instance's heartbeat, and one other instance whose
// heartbeat has expired, whose work a claim moves into this instance's queue (FakeQueueKeys).
#pragma once
#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "fake_redis.hpp"
#include "membership_store.hpp"
#include "payment.hpp"

namespace rinha::testing {

class FakeMembershipStore : public virtual FakeFaults, public virtual FakeQueueKeys, public MembershipStore {
 public:
  // Another instance whose heartbeat has expired: what claim_dead_instances() finds.
  std::deque<std::string> dead_peer_queue;        // front = newest, back = its head
  std::vector<std::string> dead_peer_processing;
  bool lapse_next_heartbeat = false;  // the next heartbeat finds this instance's key expired
  int heartbeats = 0;

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
};

}  // namespace rinha::testing
