#include "api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "fake_clock.hpp"
#include "fake_store.hpp"
#include "run_coro.hpp"

namespace rinha {
namespace {

using testing::FakeClock;
using testing::FakeStore;
using testing::run_coro;

constexpr const char* kBody = R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":19.90})";

class ApiTest : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view method, std::string_view target, std::string_view body = {},
                   std::string_view token = {}) {
    Api api(cfg_, store_, store_, clock_, metrics_);
    return run_coro(io_, api.handle(ApiRequest{method, target, body, token}));
  }
  boost::asio::io_context io_;
  Config cfg_ = default_config();
  FakeStore store_;
  FakeClock clock_;
  Metrics metrics_;
};

TEST_F(ApiTest, AcceptedPaymentIsQueuedOnce) {
  auto r = call("POST", "/payments", kBody);
  EXPECT_EQ(r.status, 202);
  ASSERT_EQ(store_.queue.size(), 1u);
  auto p = decode_payment(store_.queue.front());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->amount_cents, 1990);
  EXPECT_EQ(p->accepted_at_ms, clock_.now_ms());
  EXPECT_EQ(p->pin, Processor::none);
}

TEST_F(ApiTest, ReplayedPaymentIsAnsweredIdempotentlyAndNotQueuedAgain) {
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  auto r = call("POST", "/payments", kBody);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("duplicate"), std::string::npos);
  EXPECT_EQ(store_.queue.size(), 1u);
}

TEST_F(ApiTest, InvalidPaymentIsRejectedAndNothingQueued) {
  auto r = call("POST", "/payments", R"({"correlationId":"x","amount":19.90})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"error\""), std::string::npos);
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(metrics_.payments_invalid, 1);
}

TEST_F(ApiTest, StorageDownIs503AndNothingAcknowledged) {
  store_.fail_next_ops = 1;
  EXPECT_EQ(call("POST", "/payments", kBody).status, 503);
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);  // the client's retry is accepted
}

TEST_F(ApiTest, StorageNearlyFullIsAClear503AndCounted) {
  store_.full = true;
  auto r = call("POST", "/payments", kBody);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("storage nearly full"), std::string::npos) << r.body;
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(metrics_.payments_refused_full, 1);
  EXPECT_NE(metrics_.render(std::nullopt, 1).find("rinha_payments_refused_full_total 1"), std::string::npos);
  store_.full = false;
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);  // once memory is back, the retry is accepted
}

TEST_F(ApiTest, SummaryFiltersInclusively) {
  store_.ledger["a"] = {Processor::default_, 1000, 1990};
  store_.ledger["b"] = {Processor::default_, 2000, 1990};
  store_.ledger["c"] = {Processor::fallback, 2001, 500};
  auto all = call("GET", "/payments-summary");
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(all.body, R"({"default":{"totalRequests":2,"totalAmount":39.80},"fallback":{"totalRequests":1,"totalAmount":5.00}})");
  auto window = call("GET", "/payments-summary?from=1970-01-01T00:00:01.000Z&to=1970-01-01T00:00:02.000Z");
  EXPECT_EQ(window.body, R"({"default":{"totalRequests":2,"totalAmount":39.80},"fallback":{"totalRequests":0,"totalAmount":0.00}})");
  EXPECT_EQ(call("GET", "/payments-summary?from=nope").status, 400);
}

TEST_F(ApiTest, PurgeNeedsAConfiguredToken) {
  store_.ledger["a"] = {Processor::default_, 1000, 1990};
  EXPECT_EQ(call("POST", "/purge-payments").status, 403);
  cfg_.purge_token = "s3cret";
  EXPECT_EQ(call("POST", "/purge-payments", {}, "wrong").status, 401);
  for (const char* near : {"s3cre", "s3cret!", "S3cret", "s3cres", ""})  // prefixes, extensions, one letter off
    EXPECT_EQ(call("POST", "/purge-payments", {}, near).status, 401) << near;
  EXPECT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(call("POST", "/purge-payments", {}, "s3cret").status, 200);
  EXPECT_TRUE(store_.ledger.empty());
}

TEST_F(ApiTest, RoutesAndMethods) {
  EXPECT_EQ(call("GET", "/payments").status, 405);
  EXPECT_EQ(call("POST", "/payments-summary").status, 405);
  EXPECT_EQ(call("GET", "/nope").status, 404);
}

// Issue #11 (d): what the load balancer forwards from :9999 never reaches the operator's
// endpoints; they are AdminApi's, on a listener of their own (admin_api_test.cpp).
TEST_F(ApiTest, MetricsAndHealthAreNotRoutesOfThePublicApi) {
  for (const char* path : {"/metrics", "/health", "/metrics?x=1", "/health/"}) {
    const auto r = call("GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("rinha_"), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace rinha
