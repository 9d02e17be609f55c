#include "api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "fake_clock.hpp"
#include "fake_store.hpp"
#include "run_coro.hpp"

namespace rinha {
namespace {

using testing::FakeClock;
using testing::FakeStore;
using testing::run_coro;

constexpr const char* kBody = R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":19.90})";

// A slow store's answer (FakePaymentQueue::intake_delay): 30x the tests' 1 ms budget.
constexpr auto kSlow = std::chrono::milliseconds(30);

// A Handoff that offers `offer` and records what the intake did with it.
struct FakeHandoff final : Handoff {
  std::optional<Processor> offer;
  int reserved = 0, cancelled = 0, maybe_written = 0;
  std::vector<Payment> handed;
  std::optional<Processor> reserve() override {
    if (offer) ++reserved;
    return offer;
  }
  void hand_over(const Payment& p) override { handed.push_back(p); }
  void cancel(bool written) override {
    ++cancelled;
    maybe_written += written ? 1 : 0;
  }
  int recoveries = 0;
  void recover_pinned_writes() override { ++recoveries; }
};

class ApiTest : public ::testing::Test {
 protected:
  // Each call's Api lives as long as the test: an intake answered before the store goes on
  // after the call returns.
  ApiResponse call(std::string_view method, std::string_view target, std::string_view body = {},
                   std::string_view token = {}, Handoff* handoff = nullptr) {
    apis_.push_back(std::make_unique<Api>(cfg_, store_, store_, clock_, metrics_, [this] { ++woken_; }, handoff));
    return run_coro(io_, apis_.back()->handle(ApiRequest{method, target, body, token}));
  }
  // Runs what the calls left going (intakes answered before the store) to completion.
  void finish_background() {
    io_.restart();
    io_.run();
  }
  // Then: the one payment is queued once, accepted once, with `duplicates` replays dropped.
  void expect_queued_once_in_the_end(int64_t duplicates) {
    finish_background();
    EXPECT_EQ(store_.queue.size(), 1u);
    EXPECT_EQ(metrics_.payments_accepted, 1);
    EXPECT_EQ(metrics_.payments_duplicate, duplicates);
    EXPECT_EQ(metrics_.intake_unconfirmed, 0);
  }
  // A POST offered a free worker (pinned to the default) while the store answers slowly.
  int post_pinned_to_a_slow_store(FakeHandoff& handoff) {
    handoff.offer = Processor::default_;
    store_.intake_delay = kSlow;
    return call("POST", "/payments", kBody, {}, &handoff).status;
  }
  std::vector<std::unique_ptr<Api>> apis_;
  int woken_ = 0;  // on_accepted: the feeder was told something was queued
  boost::asio::io_context io_;
  // A budget of 1 ms (the default is 0: every 202 before Redis): a store answering within it
  // gets its exact answer (the fake answers at once unless told to wait), so the tests of
  // the answers hold whatever the default; the budget's own tests set what they need.
  Config cfg_ = [] {
    Config c = default_config();
    c.intake_ack_budget_ms = 1;
    return c;
  }();
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

TEST_F(ApiTest, AFreeWorkerGetsThePaymentPinnedByTheIntakesOwnWrite) {
  FakeHandoff handoff;
  handoff.offer = Processor::fallback;
  auto r = call("POST", "/payments", kBody, {}, &handoff);
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(store_.queue.empty());
  ASSERT_EQ(store_.processing.size(), 1u);  // durably pinned before the 202
  auto p = decode_payment(store_.processing.front());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pin, Processor::fallback);
  EXPECT_EQ(p->requested_at_ms, clock_.now_ms());
  EXPECT_TRUE(p->in_doubt);  // as a take marks it: a send is about to start
  ASSERT_EQ(handoff.handed.size(), 1u);
  EXPECT_EQ(encode_payment(handoff.handed[0]), store_.processing.front());
  EXPECT_EQ(handoff.cancelled, 0);
  EXPECT_EQ(woken_, 0);  // nothing queued: the feeder stays asleep
  EXPECT_EQ(metrics_.payments_accepted, 1);
}

TEST_F(ApiTest, WithoutAFreeWorkerThePaymentIsQueuedAndTheFeederWoken) {
  FakeHandoff handoff;  // offers nothing
  EXPECT_EQ(call("POST", "/payments", kBody, {}, &handoff).status, 202);
  EXPECT_EQ(store_.queue.size(), 1u);
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_EQ(woken_, 1);
  EXPECT_EQ(store_.enqueue_taken_calls, 0);
}

TEST_F(ApiTest, AReservationNotUsedIsCancelledAndNothingIsSent) {
  FakeHandoff handoff;
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);  // queued first
  handoff.offer = Processor::default_;
  auto dup = call("POST", "/payments", kBody, {}, &handoff);
  EXPECT_EQ(dup.status, 200);  // a replay: nothing pinned
  store_.fail_next_ops = 1;
  auto down = call("POST", "/payments", R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b9","amount":1})", {}, &handoff);
  EXPECT_EQ(down.status, 503);
  store_.full = true;
  auto full = call("POST", "/payments", R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60ba","amount":1})", {}, &handoff);
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(handoff.reserved, 3);
  EXPECT_EQ(handoff.cancelled, 3);
  EXPECT_EQ(handoff.maybe_written, 1);  // only Redis unreachable: its write may have landed
  EXPECT_TRUE(handoff.handed.empty());
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_EQ(store_.queue.size(), 1u);
}

// INTAKE_ACK_BUDGET: a store slower than the budget gets the 202 out first; the payment
// still reaches it once, and nothing is answered before it while it is known down.
constexpr const char* kOther = R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c1","amount":1})";

TEST_F(ApiTest, ASlowStoreGets202AfterTheBudgetAndThePaymentIsQueuedOnce) {
  ASSERT_EQ(cfg_.intake_ack_budget_ms, 1);
  store_.intake_delay = kSlow;
  // (the budget's timer expires before the fake's answer, so it is served first, however
  // late both fire on a busy machine)
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  EXPECT_EQ(metrics_.answered_before_redis, 1);
  EXPECT_EQ(metrics_.intake_unconfirmed, 1);
  EXPECT_EQ(metrics_.payments_accepted, 0);  // not yet known
  finish_background();
  EXPECT_EQ(metrics_.intake_unconfirmed, 0);
  EXPECT_EQ(metrics_.payments_accepted, 1);
  EXPECT_EQ(store_.queue.size(), 1u);
  EXPECT_EQ(woken_, 1);  // the feeder heard of it once it was queued
  EXPECT_EQ(store_.enqueue_calls, 1);
}

TEST_F(ApiTest, AStoreWithinTheBudgetGivesThePreciseAnswer) {
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  auto r = call("POST", "/payments", kBody);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(metrics_.answered_before_redis, 0);
}

TEST_F(ApiTest, AReplayAnsweredBeforeTheStoreIsDroppedNotQueuedTwice) {
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  store_.intake_delay = kSlow;
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);  // Redis had not answered yet
  expect_queued_once_in_the_end(1);
}

TEST_F(ApiTest, AnUnansweredWriteAfterThe202IsRetriedUntilTheStoreHasIt) {
  store_.intake_delay = kSlow;
  store_.fail_next_ops = 2;  // two writes that never reached it
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  expect_queued_once_in_the_end(0);
  EXPECT_EQ(store_.enqueue_calls, 3);
  EXPECT_EQ(metrics_.intake_retries, 2);
}

TEST_F(ApiTest, APinnedWriteWhoseAnswerWasLostIsRecoveredNotSentTwice) {
  FakeHandoff handoff;
  store_.lose_intake_replies = 1;  // written, answer lost
  EXPECT_EQ(post_pinned_to_a_slow_store(handoff), 202);
  finish_background();
  // The first write pinned it; the pool recovers the processing list (maybe_written), and
  // the retry through the queue found the id there: it exists once, pinned.
  ASSERT_EQ(store_.processing.size(), 1u);
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(handoff.cancelled, 1);
  EXPECT_EQ(handoff.maybe_written, 1);
  // ...and once the retry proved the write ran, again: the first recovery may have run
  // before the write did (two connections, no order between them).
  EXPECT_EQ(handoff.recoveries, 1);
  EXPECT_TRUE(handoff.handed.empty());
  EXPECT_EQ(store_.enqueue_taken_calls, 1);
  EXPECT_EQ(store_.enqueue_calls, 1);
  EXPECT_EQ(metrics_.intake_unconfirmed, 0);
  EXPECT_EQ(metrics_.payments_accepted, 1);  // its own write, most likely
}

TEST_F(ApiTest, AWriteThatMayHaveLandedIsNotRetriedPastHalfTheIdHorizon) {
  store_.intake_delay = kSlow;
  store_.fail_next_ops = 1;  // unanswered: it may have landed
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  clock_.advance(cfg_.ids_horizon_ms);  // Redis refused meanwhile (as if for that long)
  finish_background();
  // A retry now could be taken for a new payment (its id forgotten) and paid twice: given up.
  EXPECT_EQ(store_.enqueue_calls, 1);
  EXPECT_EQ(metrics_.intake_retries, 0);
  EXPECT_EQ(metrics_.intake_unconfirmed, 0);
}

TEST_F(ApiTest, APinnedPaymentAnsweredBeforeTheStoreIsHandedOverOnceAccepted) {
  FakeHandoff handoff;
  EXPECT_EQ(post_pinned_to_a_slow_store(handoff), 202);
  EXPECT_TRUE(handoff.handed.empty());  // not before Redis has it
  finish_background();
  ASSERT_EQ(handoff.handed.size(), 1u);
  EXPECT_EQ(encode_payment(handoff.handed[0]), store_.processing.front());
  EXPECT_EQ(handoff.cancelled, 0);
}

TEST_F(ApiTest, NothingIsAnsweredBeforeAStoreKnownDownOrPastTheBudgetSetting) {
  store_.intake_delay = kSlow;
  store_.ready = false;  // Redis not connected: wait for the answer
  store_.fail_next_ops = 1;
  EXPECT_EQ(call("POST", "/payments", kBody).status, 503);
  store_.ready = true;
  cfg_.intake_ack_budget_ms = cfg_.redis_timeout_ms;  // a budget of a whole deadline: always wait
  EXPECT_EQ(call("POST", "/payments", kOther).status, 202);
  EXPECT_EQ(call("POST", "/payments", kOther).status, 200);
  EXPECT_EQ(metrics_.answered_before_redis, 0);
  EXPECT_EQ(metrics_.payments_unavailable, 1);
  EXPECT_EQ(store_.waited_for_intakes, 3);  // every answer waited: none went into a window
}

TEST_F(ApiTest, ABudgetOfZeroAnswersBeforeEvenAFastStore) {
  cfg_.intake_ack_budget_ms = 0;
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);  // a replay too: found later, dropped
  EXPECT_EQ(metrics_.answered_before_redis, 2);
  expect_queued_once_in_the_end(1);
  EXPECT_EQ(store_.waited_for_intakes, 0);  // no answer waited: both may go in the window
}

TEST_F(ApiTest, AtMostTheBoundOfPaymentsIsAnsweredBeforeTheStore) {
  store_.intake_delay = kSlow;
  metrics_.intake_unconfirmed = Api::kMaxUnconfirmed;  // as if that many were outstanding
  EXPECT_EQ(call("POST", "/payments", kBody).status, 202);
  EXPECT_EQ(metrics_.answered_before_redis, 0);  // it waited for the store's answer
  EXPECT_EQ(metrics_.payments_accepted, 1);
  EXPECT_EQ(store_.waited_for_intakes, 1);  // so it was written at once, not in a window
}

}  // namespace
}  // namespace rinha
