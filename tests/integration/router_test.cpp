// End-to-end behaviour of the whole stack: nginx -> two rinha-api -> Redis -> simulators.
// Every test compares the backend's summary with what the simulators actually stored.
#include <gtest/gtest.h>

#include <cstdio>

#include <thread>

#include "stack.hpp"

namespace rinha::testing {
namespace {

constexpr long long kCents = 1990;

std::vector<std::string> post_many(Stack& s, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ids.push_back(new_uuid());
    const auto r = s.post_payment(ids.back());
    EXPECT_EQ(r.status, 202) << r.body;
  }
  return ids;
}

TEST(Router, EveryPaymentIsStoredOnceAndTheSummaryAgrees) {
  Stack s;
  const int n = 300;
  post_many(s, n);
  ASSERT_TRUE(s.wait_settled(n, 10000)) << s.summary().body;
  const auto sum = s.summary().body;
  EXPECT_EQ(parse_counts(sum, "default"), (Counts{n, n * kCents}));  // all healthy: all on the cheap one
  EXPECT_EQ(parse_counts(sum, "fallback"), (Counts{0, 0}));
  // Nothing stays queued or in flight.
  EXPECT_EQ(s.redis("LLEN payments:queue:1"), "0\n");
  EXPECT_EQ(s.redis("LLEN payments:queue:2"), "0\n");
  EXPECT_EQ(s.redis("HLEN payments:processing:1"), "0\n");
  EXPECT_EQ(s.redis("HLEN payments:processing:2"), "0\n");
}

TEST(Router, BothInstancesServeAndProcess) {
  Stack s;
  post_many(s, 40);
  ASSERT_TRUE(s.wait_settled(40, 10000));
  // nginx balances round-robin: each instance accepted some (read on each one's admin listener).
  int with_work = 0;
  for (int i : {1, 2}) {
    const auto m = s.admin_get(i, "/metrics").body;
    const std::string key = "\nrinha_payments_accepted_total ";
    const auto at = m.find(key);
    ASSERT_NE(at, std::string::npos);
    if (std::stoll(m.substr(at + key.size())) > 0) ++with_work;
  }
  EXPECT_EQ(with_work, 2);
}

// Issue #11 (d): :9999 serves the challenge's routes only; /metrics and /health are on each
// instance's admin listener, and Redis answers nothing without the stack's password.
TEST(Router, OperatorEndpointsAndRedisAreNotOpen) {
  Stack s;
  for (const char* path : {"/metrics", "/health"}) {
    const auto r = http_request(s.port(), "GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("rinha_"), std::string::npos) << path;
  }
  for (int i : {1, 2}) {
    EXPECT_EQ(s.admin_get(i, "/health").status, 200);
    EXPECT_NE(s.admin_get(i, "/metrics").body.find("rinha_backlog_total"), std::string::npos);
  }
  EXPECT_GE(s.redis_password().size(), 32u);
  EXPECT_EQ(s.redis("PING"), "PONG\n");
  // Without the password (REDISCLI_AUTH unset), Redis refuses.
  const std::string cmd = "env -u REDISCLI_AUTH redis-cli -s " + s.run_dir() + "/redis.sock PING 2>&1";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  EXPECT_NE(out.find("NOAUTH"), std::string::npos) << out;
}

// A metric of one instance's admin listener, or -1.
long long metric(Stack& s, int instance, const std::string& name) {
  const auto m = s.admin_get(instance, "/metrics").body;
  const auto at = m.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoll(m.substr(at + name.size() + 2));
}

TEST(Router, ReplayedCorrelationIdIsForwardedOnlyOnce) {
  // Each answer waits for Redis's (INTAKE_ACK_BUDGET of a whole deadline): a replay is 200.
  Stack s(std::map<std::string, std::string>{{"INTAKE_ACK_BUDGET", "60s"}});
  const std::string id = new_uuid();
  EXPECT_EQ(s.post_payment(id).status, 202);
  for (int i = 0; i < 5; ++i) {  // through both instances
    const auto r = s.post_payment(id);
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("duplicate"), std::string::npos);
  }
  ASSERT_TRUE(s.wait_settled(1, 10000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(s.sim_counts(s.default_port()).requests + s.sim_counts(s.fallback_port()).requests, 1);
}

// INTAKE_ACK_BUDGET 0: every 202 goes out before Redis's answer; each payment still reaches
// Redis once and is forwarded once, and a replay answered so is dropped, not paid again.
TEST(Router, PaymentsAnsweredBeforeRedisAreEachForwardedOnce) {
  Stack s(std::map<std::string, std::string>{{"INTAKE_ACK_BUDGET", "0"}});
  const int n = 100;
  const auto ids = post_many(s, n);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.post_payment(ids[static_cast<size_t>(i)]).status / 100, 2);  // replays
  ASSERT_TRUE(s.wait_settled(n, 10000)) << s.summary().body;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(s.sim_counts(s.default_port()).requests + s.sim_counts(s.fallback_port()).requests, n);
  EXPECT_EQ(parse_counts(s.summary().body, "default"), (Counts{n, n * kCents}));
  long long early = 0;
  for (int i : {1, 2}) {
    early += metric(s, i, "rinha_payments_answered_before_redis_total");
    EXPECT_EQ(metric(s, i, "rinha_intake_unconfirmed"), 0);
  }
  EXPECT_GT(early, 0);  // the path under test was taken
  EXPECT_EQ(s.redis("HLEN payments:processing:1"), "0\n");
  EXPECT_EQ(s.redis("HLEN payments:processing:2"), "0\n");
}

TEST(Router, BadInputIsRejectedAndNothingIsForwarded) {
  Stack s;
  const std::string id = new_uuid();
  const std::pair<std::string, int> cases[] = {
      {"{", 400},
      {R"({"correlationId":"nope","amount":19.90})", 400},
      {R"({"correlationId":")" + id + R"(","amount":-3})", 400},
      {R"({"correlationId":")" + id + R"(","amount":"19.90"})", 400},
      {R"({"correlationId":")" + id + R"(","amount":19.999})", 400},
      {R"({"correlationId":")" + id + R"("})", 400},
      {std::string(20000, 'x'), 413},
  };
  for (const auto& [body, status] : cases) {
    const auto r = http_request(s.port(), "POST", "/payments", body);
    EXPECT_EQ(r.status, status) << body.substr(0, 60);
    EXPECT_NE(r.body.find("error"), std::string::npos) << r.body;
  }
  EXPECT_EQ(s.summary("?from=2025-01-01").status, 400);
  EXPECT_EQ(http_request(s.port(), "POST", "/purge-payments").status, 401);  // token configured, not sent
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(s.redis("LLEN payments:queue:1"), "0\n");
  EXPECT_EQ(s.redis("LLEN payments:queue:2"), "0\n");
  EXPECT_EQ(s.sim_counts(s.default_port()).requests, 0);
  EXPECT_EQ(s.sim_counts(s.fallback_port()).requests, 0);
  // The id used above was never accepted, so it can still be paid.
  EXPECT_EQ(s.post_payment(id).status, 202);
  EXPECT_TRUE(s.wait_settled(1, 10000));
}

// The seed's behaviour (DEFAULT_OUTAGE_WAIT=0): a failing default sends everything to the
// fallback at once.
TEST(Router, FallbackIsUsedWhileDefaultFails) {
  Stack s(std::map<std::string, std::string>{{"DEFAULT_OUTAGE_WAIT", "0"}});
  s.set_failure(s.default_port(), true);
  const int n = 60;
  post_many(s, n);
  ASSERT_TRUE(s.wait_settled(n, 15000)) << s.summary().body;
  EXPECT_EQ(s.sim_counts(s.default_port()).requests, 0);
  EXPECT_EQ(s.sim_counts(s.fallback_port()), (Counts{n, n * kCents}));
}

// The default policy: payments wait for the cheap default while only it fails, and are
// paid there once it recovers; nothing reaches the fallback.
TEST(Router, PaymentsWaitForTheDefaultWhileItFails) {
  Stack s;  // DEFAULT_OUTAGE_WAIT 90 s
  s.set_failure(s.default_port(), true);
  const int n = 40;
  post_many(s, n);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(s.colour(), "RED");
  EXPECT_EQ(s.sim_counts(s.fallback_port()).requests, 0);
  EXPECT_EQ(parse_counts(s.summary().body, "default").requests, 0);
  s.set_failure(s.default_port(), false);
  ASSERT_TRUE(s.wait_settled(n, 15000)) << s.summary().body;
  EXPECT_EQ(s.sim_counts(s.default_port()), (Counts{n, n * kCents}));
  EXPECT_EQ(s.sim_counts(s.fallback_port()).requests, 0);
}

// ...for DEFAULT_OUTAGE_WAIT at most: then the fallback pays the backlog.
TEST(Router, TheFallbackPaysOnceTheOutageOutlastsTheWait) {
  Stack s(std::map<std::string, std::string>{{"DEFAULT_OUTAGE_WAIT", "3s"}});
  s.set_failure(s.default_port(), true);
  const int n = 40;
  post_many(s, n);
  ASSERT_TRUE(s.wait_settled(n, 20000)) << s.summary().body;
  EXPECT_EQ(s.sim_counts(s.default_port()).requests, 0);
  EXPECT_EQ(s.sim_counts(s.fallback_port()), (Counts{n, n * kCents}));
}

TEST(Router, RedWhileBothFailThenEverythingDrains) {
  Stack s;
  s.set_failure(s.default_port(), true);
  s.set_failure(s.fallback_port(), true);
  const int n = 50;
  post_many(s, n);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(s.colour(), "RED");
  EXPECT_EQ(s.sim_counts(s.default_port()).requests, 0);
  EXPECT_EQ(s.sim_counts(s.fallback_port()).requests, 0);
  EXPECT_EQ(parse_counts(s.summary().body, "default").requests, 0);
  s.set_failure(s.default_port(), false);
  s.set_failure(s.fallback_port(), false);
  // The next health check (at most HEALTH_INTERVAL = 5 s away) turns the breaker GREEN.
  ASSERT_TRUE(s.wait_settled(n, 15000)) << s.summary().body;
  EXPECT_EQ(s.colour(), "GREEN");
  EXPECT_EQ(s.sim_counts(s.default_port()), (Counts{n, n * kCents}));
}

TEST(Router, ALateCommitAfterATimeoutIsCountedOnceOnTheSameProcessor) {
  Stack s(std::map<std::string, std::string>{{"PROCESSOR_TIMEOUT", "300ms"}});
  s.set_delay(s.default_port(), 800);  // stores 800 ms later; the router gives up at 300 ms
  const auto ids = post_many(s, 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.set_delay(s.default_port(), 0);
  ASSERT_TRUE(s.wait_settled(5, 15000)) << s.summary().body;
  for (const auto& id : ids) {
    // Stored by exactly one processor.
    EXPECT_NE(s.sim_has(s.default_port(), id), s.sim_has(s.fallback_port(), id)) << id;
  }
  // The in-doubt ones were settled by a 422 from the default, never sent to the fallback.
  const auto m1 = s.admin_get(1, "/metrics").body + s.admin_get(2, "/metrics").body;
  EXPECT_NE(m1.find("rinha_duplicate_422_total{processor=\"default\"}"), std::string::npos);
  EXPECT_EQ(parse_counts(s.summary().body, "default"), s.sim_counts(s.default_port()));
}

TEST(Router, SummaryWindowIsInclusiveAndFiltersByRequestedAt) {
  Stack s;
  post_many(s, 10);
  ASSERT_TRUE(s.wait_settled(10, 10000));
  EXPECT_EQ(parse_counts(s.summary("?from=2000-01-01T00:00:00.000Z&to=2100-01-01T00:00:00Z").body, "default").requests, 10);
  EXPECT_EQ(parse_counts(s.summary("?from=2100-01-01T00:00:00.000Z").body, "default").requests, 0);
  EXPECT_EQ(parse_counts(s.summary("?to=2000-01-01T00:00:00.000Z").body, "default").requests, 0);
  // The backend and the processor agree on an arbitrary recent window too.
  const std::string all_but_future = "?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00.000Z";
  EXPECT_EQ(parse_counts(s.summary(all_but_future).body, "default"),
            parse_counts(s.admin(s.default_port(), "GET", "/admin/payments-summary" + all_but_future).body));
}

TEST(Router, PurgeWithTheTokenClearsTheBooks) {
  Stack s;
  post_many(s, 3);
  ASSERT_TRUE(s.wait_settled(3, 10000));
  EXPECT_EQ(http_request(s.port(), "POST", "/purge-payments", {}, {{"X-Rinha-Token", "123"}}).status, 200);
  EXPECT_EQ(parse_counts(s.summary().body, "default").requests, 0);
}

}  // namespace
}  // namespace rinha::testing
