#include "health_monitor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "fake_clock.hpp"
#include "fake_processor_client.hpp"
#include "fake_routing_state.hpp"
#include "run_coro.hpp"

namespace rinha {
namespace {

using testing::FakeClock;
using testing::FakeProcessorClient;
using testing::FakeRoutingState;
using testing::run_coro;

HealthResult ok(int64_t min_rt = 0) { return {HealthResult::Kind::ok, false, min_rt, 1}; }
HealthResult failing() { return {HealthResult::Kind::ok, true, 0, 1}; }

class HealthMonitorTest : public ::testing::Test {
 protected:
  void make(int app_name) {
    cfg_.app_name = app_name;
    store_.clock = &clock_;
    monitor_ = std::make_unique<HealthMonitor>(RouterParts{io_.get_executor(), cfg_, def_, fb_, breaker_, clock_, metrics_}, store_);
  }
  void tick() { run_coro(io_, monitor_->tick()); }

  // The seed's policy (no waiting for the default) unless a test sets a wait: most tests
  // here are about when the monitor notices a change, not about holding payments.
  static Config seed_policy() {
    Config c = default_config();
    c.default_outage_wait_ms = 0;
    return c;
  }

  boost::asio::io_context io_;
  Config cfg_ = seed_policy();
  FakeRoutingState store_;
  FakeProcessorClient def_, fb_;
  Breaker breaker_{[this](const FailureSignal& sig) { monitor_->on_failure(sig); }};
  FakeClock clock_;
  Metrics metrics_;
  std::unique_ptr<HealthMonitor> monitor_;
};

TEST_F(HealthMonitorTest, NeverCallsAProcessorMoreThanOncePerInterval) {
  make(1);
  for (int i = 0; i < 10; ++i) {
    tick();
    breaker_.signal_failure(Processor::default_, clock_.now_ms());  // signals do not bypass the rate limit
    clock_.advance(400);
  }
  // 10 ticks over 4 s: exactly one call each.
  EXPECT_EQ(def_.health_calls, 1);
  EXPECT_EQ(fb_.health_calls, 1);
  clock_.advance(1000);  // 5 s after the first call
  tick();
  EXPECT_EQ(def_.health_calls, 2);
  EXPECT_EQ(fb_.health_calls, 2);
}

TEST_F(HealthMonitorTest, AFailureSignalSwitchesToFallbackAtOnce) {
  make(1);
  tick();  // both healthy
  EXPECT_EQ(breaker_.colour(), Colour::green);
  clock_.advance(100);
  breaker_.signal_failure(Processor::default_, clock_.now_ms());
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);
  EXPECT_EQ(store_.colour(), Colour::yellow);  // published for the followers
  EXPECT_EQ(def_.health_calls, 1);           // no extra call: within the interval
}

TEST_F(HealthMonitorTest, SignalsFromInstanceTwoArriveThroughTheStore) {
  make(1);
  tick();
  clock_.advance(100);
  store_.signals.push_back(FailureSignal{Processor::default_, clock_.now_ms()});
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);
}

TEST_F(HealthMonitorTest, BothDownIsRedUntilAHealthCheckSaysOtherwise) {
  make(1);
  def_.health_script = {failing(), failing(), ok()};
  fb_.health_script = {failing(), failing(), failing()};
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::red);
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::red);
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::green);
  EXPECT_EQ(store_.colour(), Colour::green);
}

TEST_F(HealthMonitorTest, SlowDefaultMeansFallback) {
  make(1);
  def_.health_otherwise = ok(cfg_.latency_diff_ms + 20);
  fb_.health_otherwise = ok(10);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);
}

TEST_F(HealthMonitorTest, RecoversToDefaultWhenItIsHealthyAgain) {
  make(1);
  def_.health_script = {failing()};
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::green);
}

TEST_F(HealthMonitorTest, RateLimitedOrUnansweredChecks) {
  make(1);
  def_.health_script = {HealthResult{HealthResult::Kind::rate_limited}};
  fb_.health_script = {HealthResult{HealthResult::Kind::error}};
  tick();
  // 429 teaches nothing (default stays presumed healthy); no answer counts as a failure.
  EXPECT_EQ(breaker_.colour(), Colour::green);
  EXPECT_FALSE(view_healthy(monitor_->view(Processor::fallback)));
}

TEST_F(HealthMonitorTest, AnUnansweredCheckSkipsTheWindowItsAbandonedCallWillTake) {
  make(1);
  fb_.health_script = {HealthResult{HealthResult::Kind::error}, ok()};
  tick();
  EXPECT_EQ(fb_.health_calls, 1);
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(fb_.health_calls, 1);  // that window belongs to the call given up on
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(fb_.health_calls, 2);
  EXPECT_TRUE(view_healthy(monitor_->view(Processor::fallback)));
}

TEST_F(HealthMonitorTest, HoldsForTheDefaultForAtMostTheOutageWait) {
  cfg_.default_outage_wait_ms = 12000;
  make(1);
  def_.health_otherwise = failing();
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::red);  // fallback is fine, but we wait for the cheap one
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::red);
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::red);
  clock_.advance(cfg_.health_interval_ms);  // 15 s down > 12 s
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);
  def_.health_otherwise = ok();
  clock_.advance(cfg_.health_interval_ms);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::green);
}

TEST_F(HealthMonitorTest, AFailureOfASendOlderThanAHealthyAnswerIsIgnored) {
  make(1);
  const int64_t sent_before = clock_.now_ms() - 3000;  // a send still pending from before
  tick();                                               // healthy answers arrive now
  clock_.advance(100);
  breaker_.signal_failure(Processor::default_, sent_before);
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::green);
  breaker_.signal_failure(Processor::default_, clock_.now_ms());  // a new send failing is news
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);
}

TEST_F(HealthMonitorTest, AStoredProbeProvesRecoveryBeforeTheNextHealthCall) {
  make(1);
  def_.health_otherwise = failing();
  fb_.health_otherwise = failing();
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::red);
  EXPECT_EQ(breaker_.probe(), Processor::default_);  // the workers try it with one payment
  clock_.advance(300);
  monitor_->on_success(FailureSignal{Processor::default_, clock_.now_ms()});
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::green);
  EXPECT_EQ(breaker_.probe(), Processor::none);
  EXPECT_EQ(def_.health_calls, 1);  // no extra health call was needed
}

TEST_F(HealthMonitorTest, FollowerOnlyReadsTheColourAndNeverCallsHealth) {
  make(2);
  store_.lease_holder = "1:owner";  // someone else holds the health lease
  store_.lease_expires_ms = clock_.now_ms() + 60000;
  store_.routing = RoutingRecord{Colour::yellow, clock_.now_ms()};
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);
  store_.routing = RoutingRecord{Colour::red, clock_.now_ms()};
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::red);
  EXPECT_EQ(def_.health_calls + fb_.health_calls, 0);
  EXPECT_FALSE(monitor_->owner());
}

// A second instance beside the fixture's, sharing its store, processors and clock.
struct Peer {
  Peer(boost::asio::io_context& io, const Config& base, int app_name, FakeRoutingState& store, FakeProcessorClient& def,
       FakeProcessorClient& fb, const FakeClock& clock)
      : cfg(base) {
    cfg.app_name = app_name;
    monitor = std::make_unique<HealthMonitor>(RouterParts{io.get_executor(), cfg, def, fb, breaker, clock, metrics}, store);
    breaker.set_failure_sink([this](const FailureSignal& s) { monitor->on_failure(s); });
  }
  Config cfg;
  Breaker breaker;
  Metrics metrics;
  std::unique_ptr<HealthMonitor> monitor;
};

TEST_F(HealthMonitorTest, OnlyTheLeaseHolderCallsHealthAndOthersFollowIt) {
  make(1);
  Peer two(io_, cfg_, 2, store_, def_, fb_, clock_);
  def_.health_otherwise = failing();
  for (int i = 0; i < 40; ++i) {  // 2 s of ticks, both instances
    tick();
    run_coro(io_, two.monitor->tick());
    clock_.advance(cfg_.breaker_poll_ms);
  }
  EXPECT_TRUE(monitor_->owner());
  EXPECT_FALSE(two.monitor->owner());
  EXPECT_EQ(def_.health_calls, 1);  // one call for the whole system in 2 s
  EXPECT_EQ(fb_.health_calls, 1);
  EXPECT_EQ(two.breaker.colour(), Colour::yellow);  // the owner's decision
  EXPECT_EQ(two.metrics.routing_stale, 0);
}

// The owner dies (stops ticking). Within 2 s another instance holds the lease; it calls
// health no earlier than the interval after the dead owner's call; and an outage wait in
// progress goes on counting from when the dead owner saw the default go down.
TEST_F(HealthMonitorTest, TakeoverWithinTwoSecondsKeepsTheCallLimitAndTheOutageWait) {
  cfg_.default_outage_wait_ms = 12000;
  make(1);
  Peer two(io_, cfg_, 2, store_, def_, fb_, clock_);
  def_.health_otherwise = failing();
  const int64_t down_at = clock_.now_ms();
  tick();  // instance 1 takes the lease, calls both processors: default failing -> RED
  run_coro(io_, two.monitor->tick());
  EXPECT_EQ(breaker_.colour(), Colour::red);
  EXPECT_EQ(two.breaker.colour(), Colour::red);
  clock_.advance(3000);
  tick();  // its last publication
  const int64_t died_at = clock_.now_ms();
  int64_t owner_at = -1;
  int64_t first_call_at = -1;
  while (clock_.now_ms() - down_at < 16000) {  // instance 1 is dead from here on
    clock_.advance(cfg_.breaker_poll_ms);
    run_coro(io_, two.monitor->tick());
    if (owner_at < 0 && two.monitor->owner()) owner_at = clock_.now_ms();
    if (first_call_at < 0 && def_.health_calls > 1) first_call_at = clock_.now_ms();
    if (clock_.now_ms() - down_at < 12000) {
      EXPECT_EQ(two.breaker.colour(), Colour::red) << clock_.now_ms() - down_at;
    }
  }
  ASSERT_GE(owner_at, 0);
  EXPECT_LE(owner_at - died_at, 2000);
  ASSERT_GE(first_call_at, 0);
  EXPECT_GE(first_call_at - down_at, cfg_.health_interval_ms);  // never two calls within the interval
  EXPECT_EQ(two.breaker.colour(), Colour::yellow);  // 12 s after the default went down, not after the takeover
}

TEST_F(HealthMonitorTest, WithoutAFreshDecisionAFollowerActsOnItsOwnEvidence) {
  make(2);
  store_.lease_holder = "1:owner";  // an owner that holds the lease but publishes nothing
  store_.lease_expires_ms = clock_.now_ms() + 600000;
  store_.routing = RoutingRecord{Colour::green, clock_.now_ms()};
  breaker_.signal_failure(Processor::default_, clock_.now_ms());  // its own send failed
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::green);  // the owner's fresh decision wins
  clock_.advance(kRoutingStaleMs + 1);  // the decision is stale now
  breaker_.signal_failure(Processor::default_, clock_.now_ms());
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::yellow);  // not a frozen GREEN
  EXPECT_EQ(metrics_.routing_stale, 1);
  EXPECT_EQ(def_.health_calls + fb_.health_calls, 0);  // still not the owner
  store_.routing = RoutingRecord{Colour::green, clock_.now_ms()};
  tick();
  EXPECT_EQ(breaker_.colour(), Colour::green);
  EXPECT_EQ(metrics_.routing_stale, 0);
}

TEST_F(HealthMonitorTest, FollowersSignalTheOwnerThroughTheStoreAtMostOncePerPoll) {
  make(2);
  store_.lease_holder = "1:owner";
  store_.lease_expires_ms = clock_.now_ms() + 600000;
  for (int i = 0; i < 10; ++i) breaker_.signal_failure(Processor::default_, clock_.now_ms());
  io_.restart();
  io_.poll();
  EXPECT_EQ(store_.signals.size(), 1u);
  clock_.advance(cfg_.breaker_poll_ms);
  breaker_.signal_failure(Processor::default_, clock_.now_ms());
  io_.restart();
  io_.poll();
  EXPECT_EQ(store_.signals.size(), 2u);
}

}  // namespace
}  // namespace rinha
