// RedisStore against a real redis-server on a private unix socket, with a password (so every
// connection of the store, and each reconnection after a Redis restart, authenticates).
#include "redis_store.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "../fakes/run_coro.hpp"
#include "handoff.hpp"
#include "redis_server.hpp"

namespace rinha {
namespace {

using testing::run_coro;

constexpr const char* kPassword = "store-test-password";

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.ok()) << "redis did not start";
    store_ = std::make_unique<RedisStore>(io_.get_executor(), RedisTarget{"", 0, redis_.socket(), kPassword}, 1,
                                          std::chrono::milliseconds(1000));
    store_->start();
  }
  void TearDown() override {
    store_->stop();
    io_.restart();
    io_.poll();
  }
  void start_redis() { ASSERT_TRUE(redis_.start()) << "redis did not start"; }
  void stop_redis() { redis_.stop(); }
  std::string redis_cli(const std::string& args) { return redis_.cli(args); }
  // Another instance's store, stopped and its loops finished before it goes out of scope.
  void stop_other(RedisStore& other) {
    other.stop();
    io_.restart();
    io_.poll();
  }

  Payment payment(const char* id, int64_t cents = 1990) {
    Payment p;
    p.id = *parse_correlation_id(id);
    p.amount_cents = cents;
    p.accepted_at_ms = 1;
    return p;
  }
  // Takes one payment, pinned to the default processor at t=1000 unless already pinned.
  std::string pop() {
    auto r = run_coro(io_, store_->take(1, Processor::default_, 1000));
    EXPECT_EQ(r.kind, TakeResult::Kind::items);
    return r.items.empty() ? std::string{} : r.items[0].item;
  }

  // The deployed redis.conf with a password; every write fsynced (the restart test's kA must survive).
  testing::RedisServer redis_{kPassword, "--appendfsync always"};
  boost::asio::io_context io_;
  std::unique_ptr<RedisStore> store_;
};

constexpr const char* kA = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b1";
constexpr const char* kB = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b2";
constexpr const char* kC = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";

TEST_F(RedisStoreTest, EnqueueIsIdempotentAndFifo) {
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(kA))), EnqueueStatus::accepted);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(kB))), EnqueueStatus::accepted);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(kA, 5))), EnqueueStatus::duplicate);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kA);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kB);
  EXPECT_EQ(run_coro(io_, store_->take(5, Processor::default_, 1000)).kind, TakeResult::Kind::empty);
}

// Straight to a worker: the intake's one script call pins the payment in the processing
// hash (the take's form, settled by record like a taken one), once per id across both paths,
// and a restart puts it back at the queue's head like any payment in flight.
TEST_F(RedisStoreTest, EnqueueTakenPinsInTheProcessingHashOnce) {
  Payment p = payment(kA);
  p.pin = Processor::fallback;
  p.requested_at_ms = 7;
  p.in_doubt = true;
  EXPECT_EQ(run_coro(io_, store_->enqueue_taken(p)), EnqueueStatus::accepted);
  EXPECT_EQ(run_coro(io_, store_->enqueue_taken(p)), EnqueueStatus::duplicate);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(kA))), EnqueueStatus::duplicate);
  EXPECT_EQ(redis_cli("LLEN payments:queue:1"), "0\n");
  EXPECT_EQ(redis_cli(std::string("HGET payments:processing:1 ") + kA), encode_payment(p) + "\n");
  EXPECT_EQ(run_coro(io_, store_->recover_in_flight()), 1);
  const auto back = decode_payment(pop());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pin, Processor::fallback);  // pin and requestedAt kept
  EXPECT_EQ(back->requested_at_ms, 7);
  EXPECT_TRUE(run_coro(io_, store_->record(encode_payment(*back), *back, Processor::fallback)));
  EXPECT_EQ(redis_cli("HLEN payments:processing:1"), "0\n");
  EXPECT_EQ(redis_cli("ZCARD payments:ledger:fallback"), "1\n");
}

// INTAKE_WINDOW: the intakes that arrive within one window go to Redis as one script call,
// and each gets the answer it would have had alone, in arrival order: a replay within the
// batch or of an earlier bucket is a duplicate, a taken one is pinned in the processing
// hash, the queued ones keep their order; buckets on both sides of a boundary are checked.
TEST_F(RedisStoreTest, IntakesOfOneWindowGoAsOneCallEachWithItsOwnAnswer) {
  RedisStore batched(io_.get_executor(), RedisTarget{"", 0, redis_.socket(), kPassword}, 1, std::chrono::milliseconds(1000),
                     std::chrono::milliseconds(0), BooksOptions{1000, 0, 0}, std::chrono::milliseconds(50));
  batched.start();
  constexpr const char* kD = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b4";
  EXPECT_EQ(run_coro(io_, batched.enqueue(payment(kD))), EnqueueStatus::accepted);  // bucket 0; loads the script
  redis_cli("CONFIG RESETSTAT");
  auto at = [this](const char* id, int64_t accepted_at_ms) {
    Payment p = payment(id);
    p.accepted_at_ms = accepted_at_ms;
    return p;
  };
  // Starts every intake at once (so that they share a window), then waits for all answers.
  struct Intake {
    Payment p;
    bool taken = false;
    bool waited_for = false;
  };
  auto run_all = [&](const std::vector<Intake>& intakes) {
    std::vector<EnqueueStatus> got(intakes.size(), EnqueueStatus::unavailable);
    size_t answered = 0;
    for (size_t i = 0; i < intakes.size(); ++i) {
      const Intake& x = intakes[i];
      auto intake = x.taken ? batched.enqueue_taken(x.p, x.waited_for) : batched.enqueue(x.p, x.waited_for);
      boost::asio::co_spawn(io_, std::move(intake), [&got, &answered, i](std::exception_ptr, EnqueueStatus st) {
        got[i] = st;
        ++answered;
      });
    }
    run_coro(io_, [&]() -> boost::asio::awaitable<void> {
      boost::asio::steady_timer t(io_);
      for (int i = 0; i < 500 && answered < intakes.size(); ++i) {
        t.expires_after(std::chrono::milliseconds(2));
        co_await t.async_wait(boost::asio::use_awaitable);
      }
    }());
    EXPECT_EQ(answered, intakes.size());
    return got;
  };
  auto evalsha_calls = [this] {
    const std::string stats = redis_cli("INFO commandstats");
    const size_t at = stats.find("cmdstat_evalsha:calls=");
    return at == std::string::npos ? 0 : std::stoi(stats.substr(at + 22));
  };
  Payment taken = at(kB, 1500);  // bucket 1
  pin_for_handover(taken, Processor::fallback);
  const std::vector<Intake> intakes{{at(kA, 1)}, {at(kA, 2)}, {taken, true}, {at(kC, 2500)}, {at(kD, 1200)}};
  EXPECT_EQ(run_all(intakes), (std::vector<EnqueueStatus>{EnqueueStatus::accepted, EnqueueStatus::duplicate,
                                                          EnqueueStatus::accepted, EnqueueStatus::accepted,
                                                          EnqueueStatus::duplicate}));
  EXPECT_EQ(evalsha_calls(), 1);
  EXPECT_EQ(redis_cli(std::string("HGET payments:processing:1 ") + kB), encode_payment(taken) + "\n");
  EXPECT_EQ(redis_cli("LLEN payments:queue:1"), "3\n");  // kD, kA, kC
  EXPECT_EQ(id_view(decode_payment(pop())->id), kD);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kA);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kC);
  EXPECT_EQ(redis_cli("SMEMBERS payments:ids:2"), std::string(kC) + "\n");
  // Intakes a client's answer waits for are written at once, each in a call of its own.
  redis_cli("CONFIG RESETSTAT");
  constexpr const char* kE = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b5";
  constexpr const char* kF = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b6";
  EXPECT_EQ(run_all({{at(kE, 1), false, true}, {at(kF, 1), false, true}}),
            (std::vector<EnqueueStatus>{EnqueueStatus::accepted, EnqueueStatus::accepted}));
  EXPECT_EQ(evalsha_calls(), 2);
  stop_other(batched);
}

// persist() repeats a move whose reply was lost: the repeat must change nothing.
TEST_F(RedisStoreTest, ARepeatedRequeueOrDeadLetterQueuesThePaymentOnce) {
  run_coro(io_, store_->enqueue(payment(kA)));
  run_coro(io_, store_->enqueue(payment(kB)));
  const std::string a = pop();
  EXPECT_TRUE(run_coro(io_, store_->requeue_front(a, a)));
  EXPECT_TRUE(run_coro(io_, store_->requeue_front(a, a)));
  auto backlog = run_coro(io_, store_->backlog());
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->queued, 2);  // A once, and B
  const std::string a2 = pop();
  EXPECT_EQ(id_view(decode_payment(a2)->id), kA);
  EXPECT_TRUE(run_coro(io_, store_->dead_letter(a2)));
  EXPECT_TRUE(run_coro(io_, store_->dead_letter(a2)));
  EXPECT_EQ(id_view(decode_payment(pop())->id), kB);  // A is not in the queue again
  backlog = run_coro(io_, store_->backlog());
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->queued, 0);
  EXPECT_EQ(backlog->processing, 1);  // B, just taken
}

// A held payment leaves the processing list at once (no worker waits on it), comes back
// only when due, at the tail, unchanged; a repeated hold (lost reply) holds it once.
TEST_F(RedisStoreTest, AHeldPaymentIsReleasedToTheTailWhenDue) {
  run_coro(io_, store_->enqueue(payment(kA)));
  const std::string a = pop();
  Payment pa = *decode_payment(a);
  pa.pin = Processor::none;
  pa.in_doubt = false;
  pa.requested_at_ms = 0;
  const std::string held = encode_payment(pa);
  EXPECT_TRUE(run_coro(io_, store_->hold(a, held, 31'000)));
  EXPECT_TRUE(run_coro(io_, store_->hold(a, held, 31'000)));
  run_coro(io_, store_->enqueue(payment(kB)));
  auto backlog = run_coro(io_, store_->backlog());
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->processing, 0);
  EXPECT_EQ(backlog->held, 1);
  EXPECT_EQ(backlog->queued, 1);  // B
  auto early = run_coro(io_, store_->release_held(30'999, 256));
  ASSERT_TRUE(early);
  EXPECT_EQ(early->released, 0);
  EXPECT_EQ(early->remaining, 1);
  run_coro(io_, store_->enqueue(payment(kC)));
  auto due = run_coro(io_, store_->release_held(31'000, 256));
  ASSERT_TRUE(due);
  EXPECT_EQ(due->released, 1);
  EXPECT_EQ(due->remaining, 0);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kB);  // the waiting ones first
  EXPECT_EQ(id_view(decode_payment(pop())->id), kC);
  const auto again = decode_payment(pop());
  ASSERT_TRUE(again);
  EXPECT_EQ(id_view(again->id), kA);
  EXPECT_EQ(again->requested_at_ms, 1000);  // unpinned while held: pinned afresh by this take
  EXPECT_TRUE(run_coro(io_, store_->purge()));
  EXPECT_EQ(redis_cli("exists payments:held:1"), "0\n");
}

// scripts/dead-letters.sh against this Redis: list, then replay moves the oldest dead
// letters, unchanged (pin, requestedAt, doubt), to the tail of a queue, atomically.
TEST_F(RedisStoreTest, DeadLettersAreListedAndReplayedByTheScript) {
  const std::string script = std::string(RINHA_SOURCE_DIR) + "/scripts/dead-letters.sh";
  const std::string env = "REDIS_PASSWORD=" + std::string(kPassword) + " REDIS_SOCKET=" + redis_.socket() + " ";
  Payment pinned = payment(kA);  // pinned, in doubt
  pinned.pin = Processor::default_;
  pinned.requested_at_ms = 1000;
  pinned.in_doubt = true;
  pinned.attempts = 3;
  Payment unpinned = payment(kB, 500);
  unpinned.accepted_at_ms = 2;
  unpinned.attempts = 1;
  const std::string oldest = encode_payment(pinned);
  const std::string newer = encode_payment(unpinned);
  redis_cli("lpush payments:dead '" + oldest + "'");
  redis_cli("lpush payments:dead '" + newer + "'");
  run_coro(io_, store_->enqueue(payment(kC)));
  auto run = [&](const std::string& args) {
    std::string out;
    FILE* f = ::popen((env + script + " " + args + " 2>&1").c_str(), "r");
    if (!f) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    EXPECT_EQ(::pclose(f), 0) << args << ": " << out;
    return out;
  };
  EXPECT_EQ(run("count"), "2\n");
  EXPECT_EQ(run("list"), oldest + "\n" + newer + "\n");  // oldest first
  EXPECT_EQ(run("replay 1"), "replayed 1 to payments:queue:1, 1 left in payments:dead\n");
  EXPECT_EQ(run("replay"), "replayed 1 to payments:queue:1, 0 left in payments:dead\n");
  EXPECT_EQ(redis_cli("llen payments:dead"), "0\n");
  // The queue's head is the right end: C (waiting), then the replayed ones, oldest first.
  EXPECT_EQ(id_view(decode_payment(pop())->id), kC);
  auto r = run_coro(io_, store_->take(2, Processor::fallback, 5000));
  ASSERT_EQ(r.items.size(), 2u);
  const auto a = decode_payment(r.items[0].item);
  ASSERT_TRUE(a);
  EXPECT_TRUE(r.items[0].prior_doubt);  // its doubt kept: retried only on the default...
  EXPECT_EQ(a->pin, Processor::default_);
  EXPECT_EQ(a->requested_at_ms, 1000);  // ...with the same requestedAt
  EXPECT_EQ(a->attempts, 3u);
  const auto b = decode_payment(r.items[1].item);
  ASSERT_TRUE(b);
  EXPECT_FALSE(r.items[1].prior_doubt);
  EXPECT_EQ(b->pin, Processor::fallback);  // unpinned: free to go where the breaker says
  EXPECT_EQ(run("replay"), "replayed 0 to payments:queue:1, 0 left in payments:dead\n");
  EXPECT_EQ(run("list"), "");
}

TEST_F(RedisStoreTest, RequeueGoesToTheHeadAndRecordLeavesProcessing) {
  run_coro(io_, store_->enqueue(payment(kA)));
  run_coro(io_, store_->enqueue(payment(kB)));
  const std::string a = pop();
  Payment pa = *decode_payment(a);
  pa.attempts = 1;
  const std::string a2 = encode_payment(pa);
  EXPECT_TRUE(run_coro(io_, store_->requeue_front(a, a2)));
  EXPECT_EQ(pop(), a2);  // before B
  pa.requested_at_ms = 1000;
  EXPECT_TRUE(run_coro(io_, store_->record(a2, pa, Processor::fallback)));
  auto backlog = run_coro(io_, store_->backlog());
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->processing, 0);
  EXPECT_EQ(backlog->queued, 1);
  auto s = run_coro(io_, store_->summary(TimeRange{1000, 1000}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->fallback.count, 1);
  EXPECT_EQ(s->fallback.amount_cents, 1990);
  EXPECT_EQ(s->default_.count, 0);
}

TEST_F(RedisStoreTest, RecordsOfOneWindowSettleAsOneBatch) {
  std::vector<std::string> items;
  for (const char* id : {kA, kB, kC}) {
    run_coro(io_, store_->enqueue(payment(id)));
    items.push_back(pop());
  }
  // Three workers finishing in the same turn: one script call settles all three.
  int recorded = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    boost::asio::co_spawn(io_, [&, i]() -> boost::asio::awaitable<void> {
      Payment p = *decode_payment(items[i]);
      if (co_await store_->record(items[i], p, i == 2 ? Processor::fallback : Processor::default_)) ++recorded;
    }, boost::asio::detached);
  }
  io_.restart();
  for (int i = 0; i < 200 && recorded < 3; ++i) io_.run_for(std::chrono::milliseconds(10));
  EXPECT_EQ(recorded, 3);
  auto backlog = run_coro(io_, store_->backlog());
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->processing, 0);
  auto s = run_coro(io_, store_->summary(TimeRange{}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->default_.count, 2);
  EXPECT_EQ(s->fallback.count, 1);
  const std::string stats = redis_cli("INFO commandstats");
  EXPECT_NE(stats.find("cmdstat_hdel:calls=1,"), std::string::npos) << stats;
}

TEST_F(RedisStoreTest, RecordingTwiceCountsOnce) {
  run_coro(io_, store_->enqueue(payment(kA)));
  const std::string a = pop();
  Payment pa = *decode_payment(a);
  pa.requested_at_ms = 5;
  EXPECT_TRUE(run_coro(io_, store_->record(a, pa, Processor::default_)));
  EXPECT_TRUE(run_coro(io_, store_->record(a, pa, Processor::default_)));
  EXPECT_EQ(run_coro(io_, store_->summary(TimeRange{}))->default_.count, 1);
}

TEST_F(RedisStoreTest, SummaryBoundsAreInclusive) {
  for (auto [id, at] : {std::pair{kA, 999}, std::pair{kB, 1000}, std::pair{kC, 2000}}) {
    run_coro(io_, store_->enqueue(payment(id)));
    const std::string item = pop();
    Payment p = *decode_payment(item);
    p.requested_at_ms = at;
    run_coro(io_, store_->record(item, p, Processor::default_));
  }
  EXPECT_EQ(run_coro(io_, store_->summary(TimeRange{1000, 2000}))->default_.count, 2);
  EXPECT_EQ(run_coro(io_, store_->summary(TimeRange{1001, 1999}))->default_.count, 0);
  EXPECT_EQ(run_coro(io_, store_->summary(TimeRange{}))->default_.amount_cents, 3 * 1990);
}

TEST_F(RedisStoreTest, RecoveryPutsInFlightBackOldestFirstAtTheHead) {
  int64_t accepted = 1;
  for (const char* id : {kA, kB, kC}) {
    Payment p = payment(id);
    p.accepted_at_ms = accepted++;  // "oldest" is the order of acceptance
    run_coro(io_, store_->enqueue(p));
  }
  pop();  // A
  pop();  // B, both "in flight" when the instance died
  EXPECT_EQ(run_coro(io_, store_->recover_in_flight()), 2);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kA);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kB);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kC);
}

TEST_F(RedisStoreTest, TakePinsAtomicallyAndKeepsAnExistingPin) {
  run_coro(io_, store_->enqueue(payment(kA)));
  Payment b = payment(kB);
  b.pin = Processor::fallback;  // in doubt on the fallback since an earlier send
  b.requested_at_ms = 42;
  b.in_doubt = true;
  run_coro(io_, store_->enqueue(b));
  auto r = run_coro(io_, store_->take(10, Processor::default_, 7777));
  ASSERT_EQ(r.items.size(), 2u);
  auto a = decode_payment(r.items[0].item);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->pin, Processor::default_);
  EXPECT_EQ(a->requested_at_ms, 7777);
  EXPECT_TRUE(a->in_doubt);
  EXPECT_FALSE(r.items[0].prior_doubt);
  auto bb = decode_payment(r.items[1].item);
  ASSERT_TRUE(bb);
  EXPECT_EQ(bb->pin, Processor::fallback);
  EXPECT_EQ(bb->requested_at_ms, 42);
  EXPECT_TRUE(r.items[1].prior_doubt);
  // The pinned forms are what a crash would recover.
  EXPECT_EQ(run_coro(io_, store_->recover_in_flight()), 2);
  EXPECT_EQ(pop(), r.items[0].item);
  EXPECT_EQ(pop(), r.items[1].item);
}

TEST_F(RedisStoreTest, RoutingRecordAndSignals) {
  auto nothing = run_coro(io_, store_->load_routing());
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->decided_at_ms, 0);  // nothing decided yet: never fresh
  EXPECT_EQ(nothing->colour, Colour::green);
  RoutingRecord r{Colour::red, 1752582896123, 1752582800000, {}, {}};
  r.default_view.last_failure_ms = 1752582896000;
  r.fallback_view.health_known = true;
  r.fallback_view.min_response_ms = 12;
  EXPECT_TRUE(run_coro(io_, store_->save_routing(r)));
  EXPECT_EQ(run_coro(io_, store_->load_routing()), r);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(run_coro(io_, store_->save_routing(r)));
  EXPECT_EQ(redis_cli("XLEN payments:breaker:routing"), "1\n");  // one record, however often saved
  EXPECT_TRUE(run_coro(io_, store_->push_signal(FailureSignal{Processor::default_, 1752582896123})));
  EXPECT_TRUE(run_coro(io_, store_->push_signal(FailureSignal{Processor::fallback, 7})));
  auto signals = run_coro(io_, store_->take_signals());
  EXPECT_EQ(signals, (std::vector<FailureSignal>{{Processor::default_, 1752582896123}, {Processor::fallback, 7}}));
  EXPECT_TRUE(run_coro(io_, store_->take_signals()).empty());
}

// The listener's waits end as soon as there is news, not at the end of the wait: a record
// saved, or a signal pushed, while the wait blocks in Redis reaches the waiter.
TEST_F(RedisStoreTest, AWaitEndsWhenTheNewsArrives) {
  std::string cursor;
  RoutingRecord r{Colour::yellow, 1752582896123, -1, {}, {}};
  asio::steady_timer t(io_);
  auto later = [&](auto action) {
    t.expires_after(std::chrono::milliseconds(100));
    t.async_wait([&, action](const boost::system::error_code&) {
      asio::co_spawn(io_, action(), asio::detached);
    });
  };
  later([&]() -> asio::awaitable<void> { co_await store_->save_routing(r); });
  auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(run_coro(io_, store_->wait_routing(cursor, 10000)), r);
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(9));
  later([&]() -> asio::awaitable<void> { co_await store_->push_signal(FailureSignal{Processor::fallback, 7}); });
  began = std::chrono::steady_clock::now();
  EXPECT_EQ(run_coro(io_, store_->wait_signals(10000)), (std::vector<FailureSignal>{{Processor::fallback, 7}}));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(9));
}

TEST_F(RedisStoreTest, TheHealthLeaseHasOneHolderAndExpires) {
  EXPECT_EQ(run_coro(io_, store_->hold_health_lease("1:a", 200)), LeaseState::acquired);
  EXPECT_EQ(run_coro(io_, store_->hold_health_lease("1:a", 200)), LeaseState::renewed);
  EXPECT_EQ(run_coro(io_, store_->hold_health_lease("2:b", 200)), LeaseState::held_by_other);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // unrenewed past its expiry
  EXPECT_EQ(run_coro(io_, store_->hold_health_lease("2:b", 200)), LeaseState::acquired);
  EXPECT_EQ(run_coro(io_, store_->hold_health_lease("1:a", 200)), LeaseState::held_by_other);
}

TEST_F(RedisStoreTest, AHealthCallIsReservedOncePerInterval) {
  EXPECT_TRUE(run_coro(io_, store_->reserve_health_call(Processor::default_, 200, true)));
  EXPECT_FALSE(run_coro(io_, store_->reserve_health_call(Processor::default_, 200, true)));
  EXPECT_TRUE(run_coro(io_, store_->reserve_health_call(Processor::fallback, 200, true)));  // per processor
  EXPECT_TRUE(run_coro(io_, store_->reserve_health_call(Processor::default_, 200, false)));  // re-dated
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(run_coro(io_, store_->reserve_health_call(Processor::default_, 200, true)));
}

// Instance 2 dies with payments queued, one in flight (pinned, in doubt) and one held; once
// its heartbeat expires, instance 1 claims all of them, in flight first, pins kept.
TEST_F(RedisStoreTest, ADeadInstancesWorkIsClaimedInOrderWithItsPins) {
  RedisStore two(io_.get_executor(), RedisTarget{"", 0, redis_.socket(), kPassword}, 2, std::chrono::milliseconds(1000));
  two.start();
  int64_t accepted = 1;
  for (const char* id : {kA, kB, kC}) {
    Payment p = payment(id);
    p.accepted_at_ms = accepted++;
    EXPECT_EQ(run_coro(io_, two.enqueue(p)), EnqueueStatus::accepted);
  }
  auto taken = run_coro(io_, two.take(1, Processor::fallback, 42));  // A, in flight at the fallback
  ASSERT_EQ(taken.items.size(), 1u);
  auto refused = run_coro(io_, two.take(1, Processor::default_, 43));  // B, refused with a 4XX: held
  ASSERT_EQ(refused.items.size(), 1u);
  EXPECT_TRUE(run_coro(io_, two.hold(refused.items[0].item, refused.items[0].item, 99000)));
  EXPECT_EQ(run_coro(io_, two.heartbeat(200)), false);  // first beat: it had not been alive before
  EXPECT_EQ(run_coro(io_, two.heartbeat(200)), true);
  EXPECT_EQ(run_coro(io_, store_->heartbeat(5000)), false);
  EXPECT_EQ(run_coro(io_, store_->claim_dead_instances()), 0);  // 2 is alive
  auto backlog = run_coro(io_, store_->backlog());
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->queued, 1);  // C, in instance 2's queue
  EXPECT_EQ(backlog->own_queued, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // 2 stops beating
  EXPECT_EQ(run_coro(io_, store_->claim_dead_instances()), 3);
  EXPECT_EQ(run_coro(io_, store_->claim_dead_instances()), 0);  // nothing is claimed twice
  const std::string first = pop();
  EXPECT_EQ(first, taken.items[0].item);  // the payment in flight, at the head, pin unchanged
  auto a = decode_payment(first);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->pin, Processor::fallback);
  EXPECT_EQ(a->requested_at_ms, 42);
  EXPECT_TRUE(a->in_doubt);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kC);
  // The held one is held here now, with its retry time.
  EXPECT_EQ(redis_cli("ZSCORE payments:held:1 '" + refused.items[0].item + "'"), "99000\n");
  EXPECT_EQ(redis_cli("SISMEMBER payments:instances 2"), "0\n");
  EXPECT_EQ(redis_cli("EXISTS payments:queue:2 payments:processing:2 payments:held:2"), "0\n");
  stop_other(two);
}

TEST_F(RedisStoreTest, PurgeClearsEveryInstancesQueue) {
  RedisStore seven(io_.get_executor(), RedisTarget{"", 0, redis_.socket(), kPassword}, 7, std::chrono::milliseconds(1000));
  seven.start();
  EXPECT_EQ(run_coro(io_, seven.heartbeat(5000)), false);
  EXPECT_EQ(run_coro(io_, seven.enqueue(payment(kA))), EnqueueStatus::accepted);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(kB))), EnqueueStatus::accepted);
  EXPECT_TRUE(run_coro(io_, store_->purge()));
  EXPECT_EQ(redis_cli("EXISTS payments:queue:7 payments:queue:1 payments:ids"), "0\n");
  EXPECT_EQ(run_coro(io_, seven.enqueue(payment(kA))), EnqueueStatus::accepted);  // forgotten: accepted again
  stop_other(seven);
}

TEST_F(RedisStoreTest, SurvivesARedisRestart) {
  run_coro(io_, store_->enqueue(payment(kA)));
  stop_redis();
  // While Redis is down, operations fail as values, they do not hang or throw.
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(kB))), EnqueueStatus::unavailable);
  start_redis();  // AOF with fsync always: kA survived
  EnqueueStatus st = EnqueueStatus::unavailable;
  for (int i = 0; i < 50 && st == EnqueueStatus::unavailable; ++i) {
    st = run_coro(io_, store_->enqueue(payment(kB)));
    if (st == EnqueueStatus::unavailable) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(st, EnqueueStatus::accepted);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(kA))), EnqueueStatus::duplicate);
  EXPECT_EQ(id_view(decode_payment(pop())->id), kA);
}

}  // namespace
}  // namespace rinha
