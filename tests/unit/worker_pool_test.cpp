#include "worker_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "fake_clock.hpp"
#include "fake_processor_client.hpp"
#include "fake_store.hpp"
#include "fake_timers.hpp"
#include "run_coro.hpp"

namespace rinha {
namespace {

using testing::FakeClock;
using testing::FakeProcessorClient;
using testing::FakeStore;
using testing::run_coro;
using Kind = SendOutcome::Kind;

class WorkerPoolTest : public ::testing::Test {
 protected:
  WorkerPoolTest() : breaker_([this](const FailureSignal& sig) { signals_.push_back(sig.processor); }) {
    cfg_.backoff_base_ms = 1;
    cfg_.backoff_max_ms = 2;
    cfg_.batch_window_ms = 0;  // takes as soon as woken; the window has a test of its own
    pool_ = std::make_unique<WorkerPool>(RouterParts{io_.get_executor(), cfg_, def_, fb_, breaker_, clock_, metrics_},
                                         store_, store_, timers_);
    def_.timers = &timers_;  // a send's latency passes on the same virtual time
    fb_.timers = &timers_;
  }

  // Accepts a payment and takes it, as the feeder would with the breaker's colour.
  TakenItem accept_and_take(const char* id = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3", int64_t cents = 1990) {
    Payment p;
    p.id = *parse_correlation_id(id);
    p.amount_cents = cents;
    p.accepted_at_ms = clock_.now_ms();
    EXPECT_EQ(run_coro(io_, store_.enqueue(p)), EnqueueStatus::accepted);
    return take();
  }
  // Pins a payment in the processing list as the intake's handover write does (requestedAt
  // = acceptance, in doubt before any byte is sent), with `pin` the reservation's processor.
  Payment pin_taken(const char* id, Processor pin, int64_t cents) {
    Payment p;
    p.id = *parse_correlation_id(id);
    p.amount_cents = cents;
    p.accepted_at_ms = clock_.now_ms();
    pin_for_handover(p, pin);
    EXPECT_EQ(run_coro(io_, store_.enqueue_taken(p)), EnqueueStatus::accepted);
    return p;
  }
  TakenItem take() {
    auto r = run_coro(io_, store_.take(1, colour_target(breaker_.colour()), clock_.now_ms()));
    EXPECT_EQ(r.kind, TakeResult::Kind::items);
    return r.items.empty() ? TakenItem{} : r.items[0];
  }
  void process(TakenItem item, bool probe = false) { timers_.run(io_, pool_->process(std::move(item), probe)); }
  // Runs the feeder and the workers for `ms` of the timers' virtual time (no wall time).
  void run_for(int64_t ms) { timers_.run_for(io_, ms); }
  // Accepts payments of 1.00, oldest first, without taking them.
  void enqueue(std::initializer_list<const char*> ids) {
    for (const char* id : ids) {
      Payment p;
      p.id = *parse_correlation_id(id);
      p.amount_cents = 100;
      run_coro(io_, store_.enqueue(p));
    }
  }
  // Accepts `n` payments of 1.00 with numbered ids (...cf0000, ...cf0001, ...), oldest first.
  void enqueue_numbered(int n) {
    for (int i = 0; i < n; ++i) {
      Payment p;
      p.id = *parse_correlation_id(fmt::format("4a7901b8-7d26-4d9d-aa19-4dc1c7cf{:04}", i).c_str());
      p.amount_cents = 100;
      run_coro(io_, store_.enqueue(p));
    }
  }
  Payment head() { return *decode_payment(store_.queue.back()); }

  boost::asio::io_context io_;
  testing::FakeTimers timers_{io_.get_executor()};
  Config cfg_ = default_config();
  FakeStore store_;
  FakeProcessorClient def_, fb_;
  std::vector<Processor> signals_;
  Breaker breaker_;
  FakeClock clock_;
  Metrics metrics_;
  std::unique_ptr<WorkerPool> pool_;
};

TEST_F(WorkerPoolTest, GreenStoresOnDefaultWithTheSentRequestedAt) {
  process(accept_and_take());
  ASSERT_EQ(def_.sent.size(), 1u);
  EXPECT_TRUE(fb_.sent.empty());
  ASSERT_EQ(store_.ledger.size(), 1u);
  const auto& e = store_.ledger.begin()->second;
  EXPECT_EQ(e.processor, Processor::default_);
  EXPECT_EQ(e.requested_at_ms, def_.sent[0].requested_at_ms);
  EXPECT_EQ(e.requested_at_ms, clock_.now_ms());
  EXPECT_EQ(e.amount_cents, 1990);
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(metrics_.stored[1], 1);
}

TEST_F(WorkerPoolTest, YellowStoresOnFallback) {
  breaker_.set_colour(Colour::yellow);
  process(accept_and_take());
  EXPECT_TRUE(def_.sent.empty());
  ASSERT_EQ(fb_.sent.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::fallback);
}

TEST_F(WorkerPoolTest, TheFeederTakesNothingWhileRedAndDrainsWhenItClears) {
  breaker_.set_colour(Colour::red);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b4", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b5"});
  pool_->start();
  run_for(60);
  EXPECT_EQ(store_.take_calls, 0);
  EXPECT_EQ(store_.queue.size(), 2u);
  EXPECT_TRUE(def_.sent.empty());
  breaker_.set_colour(Colour::yellow);
  run_for(200);
  EXPECT_TRUE(store_.queue.empty());
  ASSERT_EQ(fb_.sent.size(), 2u);
  EXPECT_EQ(id_view(fb_.sent[0].id), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b4");  // oldest first
  EXPECT_EQ(store_.ledger.size(), 2u);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

TEST_F(WorkerPoolTest, WhileRedOnePaymentProbesTheProcessorTheBreakerNames) {
  std::vector<Processor> stored_on;
  breaker_.set_success_sink([&](const FailureSignal& s) { stored_on.push_back(s.processor); });
  breaker_.set_colour(Colour::red);
  breaker_.set_probe(Processor::default_);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b7"});
  pool_->start();
  run_for(100);  // under one probe interval: exactly one try
  ASSERT_EQ(def_.sent.size(), 1u);
  EXPECT_EQ(id_view(def_.sent[0].id), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6");
  EXPECT_EQ(store_.queue.size(), 1u);
  EXPECT_EQ(stored_on, std::vector<Processor>{Processor::default_});
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

TEST_F(WorkerPoolTest, ABacklogDrainsAtTheConfiguredRate) {
  cfg_.max_send_rate = 100;  // per second: a burst of 5, then one every 10 ms
  testing::FakeClock& clock = clock_;
  enqueue_numbered(50);
  pool_->start();
  for (int step = 0; step < 10; ++step) {  // 100 ms of fake time, in 10 ms steps
    run_for(15);
    clock.advance(10);
  }
  const size_t sent = def_.sent.size();
  EXPECT_GE(sent, 10u);
  EXPECT_LE(sent, 16u);  // 5 + 100 ms x 100/s, give or take a step
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

// A drain's take carries a burst (50 ms at the rate): its sends go out at that rate, not all
// at once, so their answers do not come back as one lump of CPU that every request behind
// it waits for.
TEST_F(WorkerPoolTest, ADrainsBurstIsSentAtTheRateNotAtOnce) {
  // The pacer's first rate, 500/s: bursts of 25 (50 ms' worth), sent one every 2 ms.
  enqueue_numbered(200);
  pool_->start();
  run_for(1);
  EXPECT_EQ(def_.sent.size(), 1u);  // the old feeder sent all 25 here
  EXPECT_GE(pool_->in_flight(), 24);  // the 24 not sent yet hold their slots from the take on
  run_for(24);  // t = 25 ms: half the burst
  EXPECT_GE(def_.sent.size(), 12u);
  EXPECT_LE(def_.sent.size(), 14u);
  run_for(35);  // t = 60 ms: the whole burst, and no more (the pacer's clock stood still)
  EXPECT_EQ(def_.sent.size(), 25u);
  EXPECT_EQ(store_.take_calls, 1);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

// What the rate did not hold back (the queue had less than the tokens allow) goes at once,
// and a burst still being released when the pool stops is sent at once and waited for.
TEST_F(WorkerPoolTest, ATakeTheRateDidNotLimitIsSentAtOnceAndStopSendsTheRestOfABurst) {
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf6001", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf6002",
           "4a7901b8-7d26-4d9d-aa19-4dc1c7cf6003"});
  pool_->start();
  run_for(1);
  EXPECT_EQ(def_.sent.size(), 3u);
  run_for(50);

  auto pool = std::make_unique<WorkerPool>(RouterParts{io_.get_executor(), cfg_, def_, fb_, breaker_, clock_, metrics_},
                                           store_, store_, timers_);
  enqueue_numbered(100);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
  pool->start();
  run_for(5);
  const size_t before_stop = def_.sent.size();
  EXPECT_LT(before_stop, 3u + 25u);  // mid-burst (one every 2 ms)
  timers_.run(io_, pool->stop(std::chrono::milliseconds(1000)));
  EXPECT_EQ(def_.sent.size(), 3u + 25u);  // the rest of the burst went out and was waited for
  EXPECT_EQ(pool->in_flight(), 0);
}

TEST_F(WorkerPoolTest, PinIsPersistedBeforeTheSend) {
  bool pinned_at_send = false;
  def_.on_send = [&](const Payment& sent) {
    ASSERT_EQ(store_.processing.size(), 1u);
    auto in_store = decode_payment(store_.processing[0]);
    pinned_at_send = in_store && in_store->pin == Processor::default_ && in_store->in_doubt &&
                     in_store->requested_at_ms == sent.requested_at_ms;
  };
  process(accept_and_take());
  EXPECT_TRUE(pinned_at_send);
}

TEST_F(WorkerPoolTest, A5xxUnpinsSignalsAndRequeuesAtTheHead) {
  def_.script = {Kind::rejected};
  process(accept_and_take());
  EXPECT_TRUE(store_.ledger.empty());
  ASSERT_EQ(store_.queue.size(), 1u);
  EXPECT_EQ(head().pin, Processor::none);
  EXPECT_FALSE(head().in_doubt);
  EXPECT_EQ(signals_, std::vector<Processor>{Processor::default_});
  // The breaker turns YELLOW: the retry goes to the fallback, the only holder.
  breaker_.set_colour(Colour::yellow);
  process(take());
  EXPECT_EQ(def_.sent.size(), 1u);
  EXPECT_EQ(fb_.sent.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::fallback);
}

// While the fallback works and the default is probed, a payment whose probe failed goes
// back to the head and the fallback pays it: it does not stay the probe for the whole
// outage (seen before the feeder took the regular batch ahead of the probe).
TEST_F(WorkerPoolTest, AFailedProbeIsPaidByTheWorkingProcessor) {
  breaker_.set_colour(Colour::yellow);
  breaker_.set_probe(Processor::default_);
  def_.otherwise = Kind::rejected;  // the default stays down...
  def_.on_send = [this](const Payment&) { clock_.advance(300); };  // ...and answers slowly
  def_.latency = std::chrono::milliseconds(5);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b7"});
  pool_->start();
  run_for(200);
  EXPECT_EQ(def_.sent.size(), 1u);  // one probe: the next is due 250 ms after it ended
  EXPECT_EQ(fb_.sent.size(), 2u);
  EXPECT_EQ(store_.ledger.size(), 2u);
  EXPECT_TRUE(store_.queue.empty());
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

// A take whose reply is lost (Redis ran it, then the connection broke) leaves payments in
// the processing list that no worker holds: the feeder puts them back and they are paid,
// once, without a restart.
TEST_F(WorkerPoolTest, PaymentsOfATakeWhoseReplyWasLostArePaidOnce) {
  breaker_.set_colour(Colour::green);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b7"});
  store_.lose_next_take_reply = true;
  pool_->start();
  run_for(400);
  EXPECT_EQ(def_.sent.size(), 2u);
  EXPECT_EQ(store_.ledger.size(), 2u);
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(metrics_.recovered, 2);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

TEST_F(WorkerPoolTest, ATimeoutIsSettledOnlyOnTheSameProcessorWithTheSameRequestedAt) {
  def_.script = {Kind::in_doubt, Kind::rejected, Kind::duplicate};
  process(accept_and_take());
  const int64_t first_requested_at = def_.sent[0].requested_at_ms;
  EXPECT_EQ(head().pin, Processor::default_);
  EXPECT_TRUE(head().in_doubt);
  EXPECT_EQ(signals_, std::vector<Processor>{Processor::default_});

  breaker_.set_colour(Colour::yellow);  // even with the fallback chosen for new payments...
  clock_.advance(5000);
  process(take());  // ...the retry goes to default, which answers 500: still in doubt
  EXPECT_EQ(head().pin, Processor::default_);
  EXPECT_TRUE(head().in_doubt);
  process(take());  // 422: the first call had landed
  EXPECT_TRUE(fb_.sent.empty());
  ASSERT_EQ(def_.sent.size(), 3u);
  for (const auto& p : def_.sent) EXPECT_EQ(p.requested_at_ms, first_requested_at);
  ASSERT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::default_);
  EXPECT_EQ(store_.ledger.begin()->second.requested_at_ms, first_requested_at);
  EXPECT_EQ(metrics_.duplicates_422[1], 1);
}

TEST_F(WorkerPoolTest, A422OnTheFirstCallIsRecorded) {
  def_.script = {Kind::duplicate};
  process(accept_and_take());
  ASSERT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::default_);
}

// Issue 11 (c): a 4XX other than 422/429 used to dead-letter an accepted payment for good.
// Now it is held (unpinned: the processor stored nothing), for HOLD_RETRY, out of the
// processing list.
TEST_F(WorkerPoolTest, ARefusedPaymentThatWasNeverInDoubtIsHeldUnpinned) {
  def_.script = {Kind::invalid};
  process(accept_and_take());
  EXPECT_TRUE(store_.ledger.empty());
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_TRUE(store_.dead.empty());
  ASSERT_EQ(store_.held.size(), 1u);
  EXPECT_EQ(store_.held.begin()->first, clock_.now_ms() + cfg_.hold_retry_ms);
  const Payment held = *decode_payment(store_.held.begin()->second);
  EXPECT_EQ(held.pin, Processor::none);
  EXPECT_FALSE(held.in_doubt);
  EXPECT_EQ(metrics_.held[1], 1);
  EXPECT_EQ(metrics_.dead_lettered, 0);
  EXPECT_TRUE(signals_.empty());  // a 4XX is not an outage: the breaker is not told
}

// The held payment is released to the queue only once its time has come, then paid once.
TEST_F(WorkerPoolTest, AProcessorAnswering403ThenRecoveringPaysThePaymentOnce) {
  def_.invalid_status = 403;
  def_.script = {Kind::invalid, Kind::invalid, Kind::invalid};  // then 200
  process(accept_and_take());
  for (int round = 0; round < 3; ++round) {
    timers_.run(io_, pool_->release_held());
    EXPECT_TRUE(store_.queue.empty()) << "released before its time, round " << round;
    clock_.advance(cfg_.hold_retry_ms);
    timers_.run(io_, pool_->release_held());
    ASSERT_EQ(store_.queue.size(), 1u);
    ASSERT_TRUE(store_.held.empty());
    process(take());
  }
  EXPECT_EQ(def_.sent.size(), 4u);
  ASSERT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::default_);
  EXPECT_EQ(store_.ledger.begin()->second.requested_at_ms, def_.sent.back().requested_at_ms);
  EXPECT_TRUE(store_.dead.empty());
  EXPECT_TRUE(store_.held.empty());
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_EQ(metrics_.held[1], 3);
  EXPECT_EQ(metrics_.released, 3);
  EXPECT_EQ(metrics_.stored[1], 1);
}

// With the feeder running: a processor that refuses everything gets one call per payment
// per HOLD_RETRY, not calls at full speed; no worker waits on a held payment; once it
// accepts again every payment is paid once.
TEST_F(WorkerPoolTest, HeldPaymentsAreRetriedSlowlyAndPaidOnceWhenTheProcessorAccepts) {
  def_.otherwise = Kind::invalid;
  def_.invalid_status = 404;
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b7",
           "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b8"});
  pool_->start();
  run_for(300);  // the fake clock stands still: no hold is due
  EXPECT_EQ(def_.sent.size(), 3u);
  EXPECT_EQ(store_.held.size(), 3u);
  EXPECT_EQ(pool_->in_flight(), 0);
  def_.otherwise = Kind::stored;
  clock_.advance(cfg_.hold_retry_ms);
  run_for(1500);  // the idle feeder looks again within 500 ms
  EXPECT_EQ(def_.sent.size(), 6u);
  EXPECT_EQ(store_.ledger.size(), 3u);
  EXPECT_TRUE(store_.held.empty());
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_TRUE(store_.dead.empty());
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

// A held payment goes back at the tail: the ones waiting with no evidence against them go
// first.
TEST_F(WorkerPoolTest, AReleasedPaymentGoesToTheTailOfTheQueue) {
  def_.script = {Kind::invalid};
  process(accept_and_take("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b1"));
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b2", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3"});
  clock_.advance(cfg_.hold_retry_ms);
  timers_.run(io_, pool_->release_held());
  ASSERT_EQ(store_.queue.size(), 3u);
  EXPECT_EQ(id_view(head().id), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b2");
  EXPECT_EQ(id_view(decode_payment(store_.queue.front())->id), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b1");
}

// A 4XX after a send in doubt says nothing about that send: the payment is held, still
// pinned with the same requestedAt, and settled by the same processor.
TEST_F(WorkerPoolTest, A4xxAfterADoubtIsHeldPinnedAndSettledOnTheSameProcessor) {
  cfg_.doubt_lookup_after_ms = 2 * cfg_.hold_retry_ms;  // resent after the hold, not looked up
  def_.script = {Kind::in_doubt, Kind::invalid, Kind::duplicate};
  process(accept_and_take());
  const int64_t first_requested_at = def_.sent[0].requested_at_ms;
  breaker_.set_colour(Colour::yellow);
  process(take());  // 403
  ASSERT_EQ(store_.held.size(), 1u);
  const Payment held = *decode_payment(store_.held.begin()->second);
  EXPECT_EQ(held.pin, Processor::default_);
  EXPECT_TRUE(held.in_doubt);
  EXPECT_EQ(held.requested_at_ms, first_requested_at);
  clock_.advance(cfg_.hold_retry_ms);
  timers_.run(io_, pool_->release_held());
  process(take());  // 422: the first call had landed
  EXPECT_TRUE(fb_.sent.empty());
  ASSERT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::default_);
  EXPECT_EQ(store_.ledger.begin()->second.requested_at_ms, first_requested_at);
}

// Issue 11 (c): an in-doubt payment pinned to a processor that keeps failing used to be
// sent there for ever. After DOUBT_LOOKUP_AFTER of failing sends it is no longer sent; once
// its last send is that old, GET /payments/{id} settles it.
class DoubtLookupTest : public WorkerPoolTest {
 protected:
  // The payment times out on the default, whose sends then fail (500) every 10 s for
  // DOUBT_LOOKUP_AFTER (30 s); returns the requestedAt it was pinned with.
  int64_t doubt_for_long() {
    def_.script = {Kind::in_doubt};
    def_.otherwise = Kind::rejected;
    process(accept_and_take());
    const int64_t requested_at = def_.sent[0].requested_at_ms;
    breaker_.set_colour(Colour::yellow);  // new payments would go to the fallback
    for (int i = 0; i < 3; ++i) {
      clock_.advance(10'000);
      process(take());  // 500: still in doubt, still pinned
    }
    EXPECT_EQ(def_.sent.size(), 3u);  // at 0, 10 and 20 s; at 30 s the doubt is 30 s old
    EXPECT_EQ(def_.lookup_calls, 0);  // the last send (20 s) is 10 s old: too young to look up
    EXPECT_TRUE(store_.queue.empty());
    EXPECT_EQ(store_.held.size(), 1u);
    EXPECT_EQ(store_.held.begin()->first, clock_.now_ms() + 20'000);  // 30 s after the last send
    clock_.advance(20'000);
    timers_.run(io_, pool_->release_held());
    return requested_at;
  }
};

TEST_F(DoubtLookupTest, FoundIsRecordedWithTheProcessorsRequestedAt) {
  const int64_t requested_at = doubt_for_long();
  def_.lookup_result = {LookupResult::Kind::found, requested_at};
  process(take());
  EXPECT_EQ(def_.lookup_calls, 1);
  EXPECT_EQ(def_.sent.size(), 3u);  // no send in lookup mode
  EXPECT_TRUE(fb_.sent.empty());
  ASSERT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::default_);
  EXPECT_EQ(store_.ledger.begin()->second.requested_at_ms, requested_at);
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_TRUE(store_.held.empty());
  EXPECT_EQ(metrics_.lookup_settled, 1);
}

TEST_F(DoubtLookupTest, NotFoundAfterTheQuietTimeUnpinsAndTheWorkingProcessorPays) {
  constexpr const char* kControl = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c0";
  process(accept_and_take(kControl));  // stored on the default: the control
  def_.sent.clear();
  doubt_for_long();
  def_.lookup_result = {LookupResult::Kind::not_found, 0};
  def_.lookup_by_id[kControl] = {LookupResult::Kind::found, clock_.now_ms()};
  process(take());
  EXPECT_EQ(def_.lookup_calls, 2);  // the payment, then the control
  EXPECT_EQ(metrics_.lookup_unpinned, 1);
  ASSERT_EQ(store_.queue.size(), 1u);
  EXPECT_EQ(head().pin, Processor::none);
  EXPECT_FALSE(head().in_doubt);
  process(take());  // YELLOW: the fallback
  EXPECT_EQ(def_.sent.size(), 3u);
  ASSERT_EQ(fb_.sent.size(), 1u);
  ASSERT_EQ(store_.ledger.size(), 2u);  // the control and this one
  const auto& paid = store_.ledger.at(std::string(id_view(fb_.sent[0].id)));
  EXPECT_EQ(paid.processor, Processor::fallback);
  EXPECT_EQ(paid.requested_at_ms, fb_.sent[0].requested_at_ms);
}

// A wrong URL or a proxy answers 404 to anything: with no payment known to be stored on
// that processor found there too, "not found" is not believed.
TEST_F(DoubtLookupTest, NotFoundIsNotBelievedWithoutAStoredPaymentFoundThere) {
  constexpr const char* kControl = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c0";
  doubt_for_long();  // nothing stored on the default yet: no control
  def_.lookup_result = {LookupResult::Kind::not_found, 0};
  process(take());
  EXPECT_EQ(metrics_.lookup_unpinned, 0);
  EXPECT_EQ(metrics_.lookup_failed, 1);
  ASSERT_EQ(store_.held.size(), 1u);
  EXPECT_EQ(decode_payment(store_.held.begin()->second)->pin, Processor::default_);
  EXPECT_TRUE(fb_.sent.empty());
  // A payment stored there since, which this endpoint does not know either: still not believed.
  def_.script.push_front(Kind::stored);
  breaker_.set_colour(Colour::green);
  process(accept_and_take(kControl));
  clock_.advance(cfg_.hold_retry_ms);
  timers_.run(io_, pool_->release_held());
  process(take());
  EXPECT_EQ(metrics_.lookup_unpinned, 0);
  EXPECT_EQ(metrics_.lookup_failed, 2);
  EXPECT_EQ(store_.held.size(), 1u);
  EXPECT_TRUE(fb_.sent.empty());
  EXPECT_TRUE(store_.dead.empty());
}

TEST_F(DoubtLookupTest, NoAnswerKeepsItPinnedReportsItAndAsksAgain) {
  const int64_t requested_at = doubt_for_long();
  def_.lookup_script = {{LookupResult::Kind::error, 0}};
  def_.lookup_result = {LookupResult::Kind::found, requested_at};
  process(take());
  EXPECT_EQ(metrics_.lookup_failed, 1);
  EXPECT_TRUE(store_.ledger.empty());
  EXPECT_TRUE(store_.dead.empty());
  ASSERT_EQ(store_.held.size(), 1u);
  const Payment held = *decode_payment(store_.held.begin()->second);
  EXPECT_EQ(held.pin, Processor::default_);
  EXPECT_TRUE(held.in_doubt);
  EXPECT_EQ(held.requested_at_ms, requested_at);
  clock_.advance(cfg_.hold_retry_ms);
  timers_.run(io_, pool_->release_held());
  process(take());  // the processor answers again
  EXPECT_EQ(def_.lookup_calls, 2);
  EXPECT_EQ(def_.sent.size(), 3u);
  EXPECT_TRUE(fb_.sent.empty());
  ASSERT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.requested_at_ms, requested_at);
}

// A doubt that a resend settles quickly never reaches the lookup (the common late commit).
TEST_F(WorkerPoolTest, AShortDoubtIsSettledBySendingNotByLookup) {
  def_.script = {Kind::in_doubt, Kind::duplicate};
  process(accept_and_take());
  clock_.advance(cfg_.doubt_lookup_after_ms - 1);
  process(take());
  EXPECT_EQ(def_.lookup_calls, 0);
  EXPECT_EQ(store_.ledger.size(), 1u);
}

TEST_F(WorkerPoolTest, AnUndecodableItemIsDeadLettered) {
  store_.queue.push_back("garbage");
  process(take());  // the fake, like the Lua script, passes undecodable items through
  EXPECT_EQ(store_.dead, std::vector<std::string>{"garbage"});
  EXPECT_TRUE(def_.sent.empty());
}

TEST_F(WorkerPoolTest, RecordIsRetriedUntilItSucceeds) {
  const TakenItem item = accept_and_take();
  def_.on_send = [&](const Payment&) { store_.fail_next_ops = 3; };
  process(item);
  EXPECT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.record_calls, 4);
  EXPECT_EQ(def_.sent.size(), 1u);
}

// Handoff: the intake may give a payment straight to a free worker only while the feeder is
// idle with the queue drained; the payment is then sent and booked like a taken one.
TEST_F(WorkerPoolTest, AnIdleFeederLetsTheIntakeHandAPaymentStraightToAWorker) {
  pool_->start();
  run_for(10);  // recovered, found the queue empty: idle
  const auto pin = pool_->reserve();
  ASSERT_EQ(pin, Processor::default_);
  EXPECT_EQ(pool_->in_flight(), 1);  // the slot is held from the reservation on
  const Payment p = pin_taken("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c1", *pin, 1990);
  pool_->hand_over(p);
  run_for(50);
  ASSERT_EQ(def_.sent.size(), 1u);
  EXPECT_EQ(def_.sent[0].requested_at_ms, p.accepted_at_ms);
  ASSERT_EQ(store_.ledger.size(), 1u);
  EXPECT_EQ(store_.ledger.begin()->second.processor, Processor::default_);
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_EQ(store_.take_calls, 1);  // only the feeder's first look at the empty queue
  EXPECT_EQ(pool_->in_flight(), 0);
  EXPECT_EQ(metrics_.handed_over, 1);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

TEST_F(WorkerPoolTest, YellowHandsOverToTheFallbackAndACancelFreesTheSlot) {
  breaker_.set_colour(Colour::yellow);
  pool_->start();
  run_for(10);
  EXPECT_EQ(pool_->reserve(), Processor::fallback);
  EXPECT_EQ(pool_->in_flight(), 1);
  pool_->cancel(false);  // e.g. a duplicate: nothing was pinned
  EXPECT_EQ(pool_->in_flight(), 0);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

TEST_F(WorkerPoolTest, NoHandoverWhenThatCouldOvertakeOrBreakARule) {
  // Before the feeder has looked at the queue (payments from an earlier run may be there).
  EXPECT_EQ(pool_->reserve(), std::nullopt);
  pool_->start();
  run_for(10);
  // RED: nothing may be sent.
  breaker_.set_colour(Colour::red);
  EXPECT_EQ(pool_->reserve(), std::nullopt);
  breaker_.set_colour(Colour::green);
  // A probe is due: the feeder paces probes, so arrivals go through the queue.
  breaker_.set_probe(Processor::default_);
  EXPECT_EQ(pool_->reserve(), std::nullopt);
  breaker_.set_probe(Processor::none);
  // Something was queued and the feeder has not taken it yet: a handover would overtake it.
  pool_->notify_work();
  EXPECT_EQ(pool_->reserve(), std::nullopt);
  run_for(100);  // the feeder takes (nothing), finds the queue drained, idles again
  // Every worker busy.
  cfg_.workers = 1;
  ASSERT_EQ(pool_->reserve(), Processor::default_);
  EXPECT_EQ(pool_->reserve(), std::nullopt);
  pool_->cancel(false);
  EXPECT_EQ(pool_->reserve(), Processor::default_);
  pool_->cancel(false);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
  EXPECT_EQ(pool_->reserve(), std::nullopt);  // stopping
}

// BATCH_WINDOW after a wake: without the handoff every payment is queued, so the woken feeder
// waits one window and one take carries its arrivals.
TEST_F(WorkerPoolTest, WithoutHandoffAWokenFeederWaitsOneWindowSoOneTakeCarriesItsArrivals) {
  cfg_.handoff = false;
  cfg_.batch_window_ms = 100;
  pool_->start();
  run_for(10);  // recovered, found the queue empty: idle
  ASSERT_EQ(store_.take_calls, 1);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60d1"});
  pool_->notify_work(1);
  run_for(50);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60d2"});
  pool_->notify_work(1);
  run_for(40);  // 90 ms into the window: nothing taken yet
  EXPECT_EQ(store_.take_calls, 1);
  EXPECT_EQ(store_.queue.size(), 2u);
  run_for(20);
  EXPECT_EQ(store_.take_calls, 2);  // both in one take
  EXPECT_TRUE(store_.queue.empty());
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
  EXPECT_EQ(def_.sent.size(), 2u);
}

// With the handoff, the few payments the intake queued while the feeder was busy are taken
// at once: a feeder waiting out a window is not idle, so it would have had every arrival of
// that window queued too (and their notice starts the next wait).
TEST_F(WorkerPoolTest, WithHandoffAWokenFeederTakesAtOnceAndIdlesAgain) {
  cfg_.batch_window_ms = 100;
  pool_->start();
  run_for(10);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60d3"});
  pool_->notify_work(1);
  run_for(5);
  EXPECT_EQ(store_.take_calls, 2);  // one take: it got less than it asked for, so the queue is drained
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(pool_->reserve(), Processor::default_);  // idle again: the next arrival goes straight over
  pool_->cancel(false);
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
  EXPECT_EQ(def_.sent.size(), 1u);
}

// ... but where the intake goes on queueing (here: a probe is due, so arrivals go through the
// queue), the woken feeder still waits one window, so one take carries its arrivals.
TEST_F(WorkerPoolTest, WithHandoffButAProbeDueAWokenFeederStillWaitsOneWindow) {
  cfg_.batch_window_ms = 100;
  breaker_.set_colour(Colour::yellow);
  breaker_.set_probe(Processor::default_);
  pool_->start();
  run_for(10);  // probed the empty queue, took nothing: idle
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60d5"});
  pool_->notify_work(1);
  run_for(50);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60d6"});
  pool_->notify_work(1);
  run_for(40);  // 90 ms into the window
  EXPECT_EQ(store_.queue.size(), 2u);
  run_for(20);
  EXPECT_TRUE(store_.queue.empty());  // the probe took the oldest, the take the other
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
  EXPECT_EQ(def_.sent.size() + fb_.sent.size(), 2u);
}

// The idle recheck's timeout is no intake's notice: nothing to wait for, whatever the mode.
TEST_F(WorkerPoolTest, TheIdleRecheckTakesWithoutWaitingAWindow) {
  cfg_.handoff = false;
  cfg_.batch_window_ms = 100;
  pool_->start();
  run_for(10);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60d4"});  // queued with no notice (as by another process)
  run_for(505);  // past the 500 ms recheck, well inside one window after it
  EXPECT_TRUE(store_.queue.empty());
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
  EXPECT_EQ(def_.sent.size(), 1u);
}

// The intake's write may have pinned the payment though its answer was lost: the pool puts
// the processing list back on the queue and sends it, as after a lost take reply.
TEST_F(WorkerPoolTest, AHandoverWhoseWriteAnswerWasLostIsRecovered) {
  pool_->start();
  run_for(10);
  ASSERT_EQ(pool_->reserve(), Processor::default_);
  pin_taken("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60c2", Processor::default_, 100);  // landed ...
  pool_->cancel(true);  // ... but the intake saw no answer
  run_for(200);
  ASSERT_EQ(def_.sent.size(), 1u);
  EXPECT_EQ(store_.ledger.size(), 1u);
  EXPECT_TRUE(store_.processing.empty());
  timers_.run(io_, pool_->stop(std::chrono::milliseconds(100)));
}

}  // namespace
}  // namespace rinha
