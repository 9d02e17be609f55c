// Takeover faults (src/membership.cpp, the health lease in src/health_monitor.cpp): nothing
// depends on one instance staying alive. Each test kills instances with SIGKILL under load
// and ends, after the drain, with the usual invariants: 0 lost (but for the payments answered
// in the intake window before a kill: expect_invariants_across_kills), 0 charged twice, the
// backend's summary equal to the processors'. Figures go to the faults report.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "fault_harness.hpp"

namespace rinha::testing {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr int kRate = 150;

// Polls until `pred` holds; returns the ms it took, -1 after `timeout`.
template <typename Pred>
int64_t wait_for(Pred pred, milliseconds timeout, milliseconds every = 50ms) {
  const auto start = Clock::now();
  while (since_ms(start) < timeout.count()) {
    if (pred()) return since_ms(start);
    sleep_for(every);
  }
  return -1;
}

long long sim_requests(Stack& s, int port) { return s.sim_counts(port).requests; }

// kill -9 of the health owner, kept dead while the default fails: the survivor holds the
// lease within 2 s, the fallback pays once DEFAULT_OUTAGE_WAIT is over (counted from when
// the dead owner saw the default go down), and the whole system never calls a health
// endpoint twice within 5 s, across the takeover too.
TEST(Takeover, HealthOwnerKilledWhileTheDefaultFails) {
  const milliseconds wait = pick(6s, 30s), dead_for = pick(15s, 60s);
  const std::map<std::string, std::string> env{{"DEFAULT_OUTAGE_WAIT", std::to_string(wait.count()) + "ms"}};
  Stack s(env);
  HealthProxy def(s.default_port()), fb(s.fallback_port());
  {
    std::ofstream f(s.run_dir() + "/processors");
    f << "http://127.0.0.1:" << def.port() << " http://127.0.0.1:" << fb.port() << "\n";
  }
  ASSERT_EQ(stack_sh(s, "restart api1", env), 0);
  ASSERT_EQ(stack_sh(s, "restart api2", env), 0);
  LoadDriver load(s.port(), kRate);
  const int owner = health_owner(s, 2, 5s);
  ASSERT_NE(owner, 0);
  const int survivor = 3 - owner;
  sleep_for(1s);
  s.set_failure(s.default_port(), true);
  sleep_for(1s);  // the owner sees it (a failed send is a signal)
  ASSERT_EQ(::kill(pid_of(s, "api" + std::to_string(owner)), SIGKILL), 0);
  const auto killed = Clock::now();
  const int64_t killed_ms = now_epoch_ms();
  const int64_t takeover_ms = wait_for([&] { return api_metric(s, survivor, "rinha_health_owner") == 1; }, 10s);
  const long long fallback_at_takeover = sim_requests(s, s.fallback_port());
  sleep_for(dead_for - milliseconds(since_ms(killed)));
  const long long fallback_paid = sim_requests(s, s.fallback_port()) - fallback_at_takeover;
  const std::string colour_dead = s.colour();
  s.set_failure(s.default_port(), false);
  ASSERT_EQ(stack_sh(s, "restart api" + std::to_string(owner), env), 0);
  sleep_for(2s);
  const auto [drain_ms, sent, o] = stop_and_verify(s, load, 60s);
  const int64_t gap_default = def.min_gap_ms(), gap_fallback = fb.min_gap_ms();
  const std::string at_risk = expect_invariants_across_kills(sent, o, {killed_ms}, kRate, env);
  report("takeover_health_owner", o,
         "killed=api" + std::to_string(owner) + " takeover_ms=" + std::to_string(takeover_ms) +
             " dead_ms=" + std::to_string(dead_for.count()) + " wait_ms=" + std::to_string(wait.count()) +
             " colour_while_dead=" + colour_dead + " fallback_paid_while_dead=" + std::to_string(fallback_paid) +
             " health_calls=" + std::to_string(def.health_calls() + fb.health_calls()) +
             " min_gap_ms_default=" + std::to_string(gap_default) + " min_gap_ms_fallback=" + std::to_string(gap_fallback) +
             " drain_ms=" + std::to_string(drain_ms) + " " + at_risk);
  ASSERT_GE(takeover_ms, 0) << "no instance took the health lease over";
  EXPECT_LE(takeover_ms, 2500);  // the lease expires within 1.5 s; tries every 250 ms; the poll adds up to 50 ms
  EXPECT_EQ(colour_dead, "YELLOW");  // the wait is over: the fallback pays
  EXPECT_GT(fallback_paid, 0);
  EXPECT_GE(gap_default, 4900);  // one call per 5 s for the whole system (clock reads: 100 ms of slack)
  EXPECT_GE(gap_fallback, 4900);
  EXPECT_GE(drain_ms, 0);
}

// kill -9 of an instance that is not the health owner, with payments queued and in flight
// (the default takes 1 s per payment and WORKERS is 8, so the queue grows): the survivor
// claims them once the heartbeat expires; those in flight come back in doubt, pinned, and
// are retried on their processor only (which stored them meanwhile: a 422 settles them);
// every one is settled within 10 s of the death, with no restart.
TEST(Takeover, NonOwnerKilledWithWorkQueuedInFlightAndInDoubt) {
  Stack s(std::map<std::string, std::string>{{"WORKERS", "8"}});
  const int owner = health_owner(s, 2, 5s);
  ASSERT_NE(owner, 0);
  const int victim = 3 - owner;
  const std::string n = std::to_string(victim);
  s.set_delay(s.default_port(), 1000);  // within PROCESSOR_TIMEOUT (3 s): slow, not failing
  LoadDriver load(s.port(), kRate);
  sleep_for(pick(3s, 10s));
  load.stop();
  ASSERT_EQ(::kill(pid_of(s, "api" + n), SIGKILL), 0);
  const auto killed = Clock::now();
  const int64_t killed_ms = now_epoch_ms();
  // What it left (read at once: the claim waits for its heartbeat to expire, 3 s).
  const long long queued = std::stoll(s.redis("LLEN payments:queue:" + n));
  const long long in_flight = std::stoll(s.redis("HLEN payments:processing:" + n));
  s.set_delay(s.default_port(), 0);
  const int64_t claimed_ms = wait_for([&] { return s.redis("EXISTS payments:queue:" + n + " payments:processing:" + n) == "0\n"; }, 30s);
  const int64_t drain_ms = wait_drained(s, 60s);
  const int64_t settled_ms = drain_ms < 0 ? -1 : since_ms(killed);
  const auto sent = load.results();
  const auto o = verify(s, sent);
  const long long claimed = api_metric(s, owner, "rinha_claimed_total");
  const std::string at_risk = expect_invariants_across_kills(sent, o, {killed_ms}, kRate);
  report("takeover_non_owner", o,
         "killed=api" + n + " queued=" + std::to_string(queued) + " in_flight=" + std::to_string(in_flight) +
             " claimed=" + std::to_string(claimed) + " claimed_ms=" + std::to_string(claimed_ms) +
             " settled_ms_after_death=" + std::to_string(settled_ms) + " " + at_risk);
  EXPECT_GT(queued, 0);     // the fault really had payments waiting...
  EXPECT_GT(in_flight, 0);  // ...and in flight (in doubt) at the victim
  EXPECT_EQ(claimed, queued + in_flight);  // all of it, by the survivor
  ASSERT_GE(settled_ms, 0);
  EXPECT_LE(settled_ms, 10000);
}

// Three instances under load; one killed in turn every period, kept dead past its heartbeat
// expiry (so its work is claimed, not recovered), then restarted.
TEST(Takeover, ThreeInstancesOneKilledInTurn) {
  const milliseconds period = pick(6s, 20s);
  const int rounds = faults_long() ? 6 : 3;
  Stack s(std::map<std::string, std::string>{{"API_INSTANCES", "3"}});
  LoadDriver load(s.port(), kRate);
  std::vector<int64_t> kills_ms;
  for (int r = 0; r < rounds; ++r) {
    sleep_for(period - 4500ms);
    const std::string name = "api" + std::to_string(r % 3 + 1);
    ASSERT_EQ(::kill(pid_of(s, name), SIGKILL), 0);
    kills_ms.push_back(now_epoch_ms());
    sleep_for(4500ms);  // > the 3 s heartbeat expiry + the 1 s claim period
    ASSERT_EQ(stack_sh(s, "restart " + name), 0);
  }
  sleep_for(2s);
  const auto [drain_ms, sent, o] = stop_and_verify(s, load, 60s);
  long long claimed = 0;
  for (int i = 1; i <= 3; ++i) claimed += std::max(0LL, api_metric(s, i, "rinha_claimed_total"));
  const std::string at_risk = expect_invariants_across_kills(sent, o, kills_ms, kRate);
  report("takeover_three_in_turn", o,
         "rounds=" + std::to_string(rounds) + " period_ms=" + std::to_string(period.count()) +
             " claimed=" + std::to_string(claimed) + " drain_ms=" + std::to_string(drain_ms) + " " + at_risk);
  EXPECT_GE(drain_ms, 0);
}

}  // namespace
}  // namespace rinha::testing
