// In-memory RoutingState: the record, the lease and the health-call reservations (with
// expiry when given a clock), the signals.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clock.hpp"
#include "fake_redis.hpp"
#include "routing_state.hpp"

namespace rinha::testing {

class FakeRoutingState : public virtual FakeFaults, public RoutingState {
 public:
  std::optional<RoutingRecord> routing;  // what save_routing() stored
  int64_t saves = 0;                     // save_routing() calls that stored (wait_routing's cursor)
  static constexpr size_t kMaxSignals = 64;
  std::vector<FailureSignal> signals;  // oldest first
  // Expiry (the health lease, health-call reservations) needs a clock; without one,
  // nothing expires.
  const Clock* clock = nullptr;
  std::string lease_holder;
  int64_t lease_expires_ms = 0;
  std::map<Processor, int64_t> reserved_until;
  int health_reservations = 0;  // successful only_if_free reservations

  std::optional<Colour> colour() const { return routing ? std::optional<Colour>(routing->colour) : std::nullopt; }

  asio::awaitable<std::optional<RoutingRecord>> load_routing() override {
    if (fail()) co_return std::nullopt;
    co_return routing.value_or(RoutingRecord{});
  }
  asio::awaitable<bool> save_routing(const RoutingRecord& r) override {
    if (fail()) co_return false;
    routing = r;
    ++saves;
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
    // RedisStore keeps the newest kMaxSignals (64) and takes at most that many per call.
    if (signals.size() > kMaxSignals) signals.erase(signals.begin());
    co_return true;
  }
  asio::awaitable<std::vector<FailureSignal>> take_signals() override {
    if (fail()) co_return std::vector<FailureSignal>{};
    auto out = std::move(signals);
    signals.clear();
    co_return out;
  }
  // Never waits: what there is now (the HealthMonitor listener backs off after an empty answer).
  asio::awaitable<std::vector<FailureSignal>> wait_signals(int64_t) override { return take_signals(); }
  asio::awaitable<std::optional<RoutingRecord>> wait_routing(std::string& cursor, int64_t) override {
    if (fail() || !routing) co_return std::nullopt;
    const int64_t seen = cursor.empty() ? 0 : std::stoll(cursor);
    if (saves <= seen) co_return std::nullopt;
    cursor = std::to_string(saves);
    co_return routing;
  }
};

}  // namespace rinha::testing
