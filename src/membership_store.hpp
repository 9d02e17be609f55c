// What membership and takeover (membership.hpp) keep in Redis: each instance's heartbeat
// and the claim of a dead instance's work. RedisStore is the real one (redis_store.hpp);
// tests use tests/fakes/fake_membership_store.hpp. Failure is reported as nullopt.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>

namespace rinha {

namespace asio = boost::asio;

class MembershipStore {
 public:
  virtual ~MembershipStore() = default;

  // This instance says it is alive for `ttl_ms` more (and joins the set of instances).
  // Returns whether it was still alive before (false: it had lapsed, and its work may have
  // been claimed meanwhile), nullopt on error.
  virtual asio::awaitable<std::optional<bool>> heartbeat(int64_t ttl_ms) = 0;
  // Moves the queue and the processing list of every instance whose heartbeat has expired
  // to the head of this instance's queue (their held payments to its held set), pins and
  // doubt kept, atomically; returns how many payments moved.
  virtual asio::awaitable<std::optional<int64_t>> claim_dead_instances() = 0;
};

}  // namespace rinha
