// Routing state shared by all instances: the health owner's decision (the routing record),
// its lease, the system-wide limit on health calls and the followers' failure signals.
// RedisStore is the real one (redis_store.hpp); tests use tests/fakes/fake_routing_state.hpp.
// Deadline-bound network operations that report failure as a value.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colour.hpp"
#include "payment.hpp"
#include "routing_record.hpp"

namespace rinha {

namespace asio = boost::asio;

// The health lease as one instance sees it after trying to take or renew it.
enum class LeaseState { acquired, renewed, held_by_other };

class RoutingState {
 public:
  virtual ~RoutingState() = default;

  // load_routing(): a record with decided_at_ms 0 when nothing was published; nullopt on error.
  virtual asio::awaitable<std::optional<RoutingRecord>> load_routing() = 0;
  virtual asio::awaitable<bool> save_routing(const RoutingRecord& r) = 0;
  // Takes the health lease if free, renews it if `holder` has it; it expires after `ttl_ms`.
  virtual asio::awaitable<std::optional<LeaseState>> hold_health_lease(std::string_view holder, int64_t ttl_ms) = 0;
  // The system-wide limit on health calls: reserves the next call to `p` for `ttl_ms`.
  // With `only_if_free`, fails (false) while an earlier reservation stands; without, it
  // re-dates the reservation (an answer came later than the call started).
  virtual asio::awaitable<bool> reserve_health_call(Processor p, int64_t ttl_ms, bool only_if_free) = 0;
  // A follower's failure evidence for the health owner, and the owner's read of them.
  virtual asio::awaitable<bool> push_signal(const FailureSignal& signal) = 0;
  virtual asio::awaitable<std::vector<FailureSignal>> take_signals() = 0;

  // The blocking forms, for a listener with a connection of its own (so that an idle system
  // costs a call per second, not one per poll): each waits up to `wait_ms` for news.
  // wait_signals(): take_signals() once there is one (empty after the wait or on error).
  virtual asio::awaitable<std::vector<FailureSignal>> wait_signals(int64_t wait_ms) = 0;
  // wait_routing(): the first record saved after the one `cursor` names ("" at first: any
  // saved record), advancing `cursor` to it; nullopt after the wait or on error.
  virtual asio::awaitable<std::optional<RoutingRecord>> wait_routing(std::string& cursor, int64_t wait_ms) = 0;
};

}  // namespace rinha
