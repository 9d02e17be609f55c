// Heartbeat and takeover of dead instances' work (see header).
#include "membership.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log.hpp"

namespace rinha {

Membership::Membership(asio::any_io_executor ex, MembershipStore& store, const Clock& clock, Metrics& metrics,
                       std::function<void()> on_claimed)
    : store_(store), clock_(clock), metrics_(metrics), on_claimed_(std::move(on_claimed)), timer_(ex) {}

void Membership::start() { asio::co_spawn(timer_.get_executor(), loop(), asio::detached); }

void Membership::stop() {
  stopped_ = true;
  timer_.cancel();
}

asio::awaitable<void> Membership::loop() {
  while (!stopped_) {
    co_await tick();
    timer_.expires_after(std::chrono::milliseconds(kHeartbeatMs));
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Membership::tick() {
  const auto alive = co_await store_.heartbeat(kHeartbeatTtlMs);
  if (!alive) co_return;  // Redis unreachable: nothing can be claimed either
  if (registered_ && !*alive) {
    ++metrics_.membership_lapses;
    LOG_WARN("membership_lapsed", "ttl_ms={} note=work_may_have_been_claimed", kHeartbeatTtlMs);
  }
  registered_ = true;
  const int64_t now = clock_.now_ms();
  if (now - last_claim_ms_ < kClaimMs) co_return;
  last_claim_ms_ = now;
  const auto claimed = co_await store_.claim_dead_instances();
  if (claimed && *claimed > 0) {
    metrics_.claimed += *claimed;
    LOG_WARN("claimed_dead_instance_work", "payments={}", *claimed);
    on_claimed_();
  }
}

}  // namespace rinha
