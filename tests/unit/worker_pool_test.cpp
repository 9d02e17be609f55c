#include "worker_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "fake_clock.hpp"
#include "fake_processor_client.hpp"
#include "fake_store.hpp"
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
    pool_ = std::make_unique<WorkerPool>(io_.get_executor(), cfg_, store_, def_, fb_, breaker_, clock_, metrics_);
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
  TakenItem take() {
    auto r = run_coro(io_, store_.take(1, colour_target(breaker_.colour()), clock_.now_ms()));
    EXPECT_EQ(r.kind, TakeResult::Kind::items);
    return r.items.empty() ? TakenItem{} : r.items[0];
  }
  void process(TakenItem item, bool probe = false) { run_coro(io_, pool_->process(std::move(item), probe)); }
  // Accepts payments of 1.00, oldest first, without taking them.
  void enqueue(std::initializer_list<const char*> ids) {
    for (const char* id : ids) {
      Payment p;
      p.id = *parse_correlation_id(id);
      p.amount_cents = 100;
      run_coro(io_, store_.enqueue(p));
    }
  }
  Payment head() { return *decode_payment(store_.queue.back()); }

  boost::asio::io_context io_;
  Config cfg_;
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
  io_.restart();
  io_.run_for(std::chrono::milliseconds(60));
  EXPECT_EQ(store_.take_calls, 0);
  EXPECT_EQ(store_.queue.size(), 2u);
  EXPECT_TRUE(def_.sent.empty());
  breaker_.set_colour(Colour::yellow);
  io_.run_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(store_.queue.empty());
  ASSERT_EQ(fb_.sent.size(), 2u);
  EXPECT_EQ(id_view(fb_.sent[0].id), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b4");  // oldest first
  EXPECT_EQ(store_.ledger.size(), 2u);
  run_coro(io_, pool_->stop(std::chrono::milliseconds(100)));
}

TEST_F(WorkerPoolTest, WhileRedOnePaymentProbesTheProcessorTheBreakerNames) {
  std::vector<Processor> stored_on;
  breaker_.set_success_sink([&](const FailureSignal& s) { stored_on.push_back(s.processor); });
  breaker_.set_colour(Colour::red);
  breaker_.set_probe(Processor::default_);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b7"});
  pool_->start();
  io_.restart();
  io_.run_for(std::chrono::milliseconds(100));  // under one probe interval: exactly one try
  ASSERT_EQ(def_.sent.size(), 1u);
  EXPECT_EQ(id_view(def_.sent[0].id), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6");
  EXPECT_EQ(store_.queue.size(), 1u);
  EXPECT_EQ(stored_on, std::vector<Processor>{Processor::default_});
  run_coro(io_, pool_->stop(std::chrono::milliseconds(100)));
}

TEST_F(WorkerPoolTest, ABacklogDrainsAtTheConfiguredRate) {
  cfg_.max_send_rate = 100;  // per second: a burst of 5, then one every 10 ms
  testing::FakeClock& clock = clock_;
  for (int i = 0; i < 50; ++i) {
    Payment p;
    p.id = *parse_correlation_id(fmt::format("4a7901b8-7d26-4d9d-aa19-4dc1c7cf{:04}", i).c_str());
    p.amount_cents = 100;
    run_coro(io_, store_.enqueue(p));
  }
  pool_->start();
  io_.restart();
  for (int step = 0; step < 10; ++step) {  // 100 ms of fake time, in 10 ms steps
    io_.run_for(std::chrono::milliseconds(15));
    clock.advance(10);
  }
  const size_t sent = def_.sent.size();
  EXPECT_GE(sent, 10u);
  EXPECT_LE(sent, 16u);  // 5 + 100 ms x 100/s, give or take a step
  run_coro(io_, pool_->stop(std::chrono::milliseconds(100)));
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
  io_.restart();
  io_.run_for(std::chrono::milliseconds(200));
  EXPECT_EQ(def_.sent.size(), 1u);  // one probe: the next is due 250 ms after it ended
  EXPECT_EQ(fb_.sent.size(), 2u);
  EXPECT_EQ(store_.ledger.size(), 2u);
  EXPECT_TRUE(store_.queue.empty());
  run_coro(io_, pool_->stop(std::chrono::milliseconds(100)));
}

// A take whose reply is lost (Redis ran it, then the connection broke) leaves payments in
// the processing list that no worker holds: the feeder puts them back and they are paid,
// once, without a restart.
TEST_F(WorkerPoolTest, PaymentsOfATakeWhoseReplyWasLostArePaidOnce) {
  breaker_.set_colour(Colour::green);
  enqueue({"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b7"});
  store_.lose_next_take_reply = true;
  pool_->start();
  io_.restart();
  io_.run_for(std::chrono::milliseconds(400));
  EXPECT_EQ(def_.sent.size(), 2u);
  EXPECT_EQ(store_.ledger.size(), 2u);
  EXPECT_TRUE(store_.processing.empty());
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(metrics_.recovered, 2);
  run_coro(io_, pool_->stop(std::chrono::milliseconds(100)));
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

TEST_F(WorkerPoolTest, ARefusedPaymentThatWasNeverInDoubtIsDeadLettered) {
  def_.script = {Kind::invalid};
  process(accept_and_take());
  EXPECT_TRUE(store_.ledger.empty());
  EXPECT_TRUE(store_.queue.empty());
  EXPECT_EQ(store_.dead.size(), 1u);
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

}  // namespace
}  // namespace rinha
