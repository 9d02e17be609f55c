// In-memory MembershipStore: this instance's heartbeat (with expiry when given a clock), and
// one other instance whose heartbeat has expired, whose work a claim moves into this
// instance's queue and held set (FakeQueueKeys). Other live instances are not modelled.
#pragma once
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "clock.hpp"
#include "fake_redis.hpp"
#include "membership_store.hpp"

namespace rinha::testing {

class FakeMembershipStore : public virtual FakeFaults, public virtual FakeQueueKeys, public MembershipStore {
 public:
  // Another instance whose heartbeat has expired: what claim_dead_instances() finds.
  std::deque<std::string> dead_peer_queue;        // front = newest, back = its head
  std::vector<std::string> dead_peer_processing;
  std::multimap<int64_t, std::string> dead_peer_held;  // due ms -> item
  bool lapse_next_heartbeat = false;  // the next heartbeat finds this instance's key expired
  int heartbeats = 0;
  // A heartbeat's expiry needs a clock; without one, it never lapses by itself.
  const Clock* clock = nullptr;
  int64_t alive_until_ms = 0;

  asio::awaitable<std::optional<bool>> heartbeat(int64_t ttl_ms) override {
    if (fail()) co_return std::nullopt;
    const bool expired = clock && clock->now_ms() >= alive_until_ms;
    const bool was = heartbeats > 0 && !lapse_next_heartbeat && !expired;
    lapse_next_heartbeat = false;
    ++heartbeats;
    if (clock) alive_until_ms = clock->now_ms() + ttl_ms;
    co_return was;
  }
  asio::awaitable<std::optional<int64_t>> claim_dead_instances() override {
    if (fail()) co_return std::nullopt;
    int64_t n = 0;
    for (; !dead_peer_queue.empty(); ++n) {  // newest first, so its head ends nearest ours
      queue.push_back(dead_peer_queue.front());
      dead_peer_queue.pop_front();
    }
    n += move_to_head(dead_peer_processing);  // the earliest at the very head
    n += static_cast<int64_t>(dead_peer_held.size());
    held.merge(dead_peer_held);  // each keeps its retry time
    co_return n;
  }
};

}  // namespace rinha::testing
