// RedisStore against a real redis-server on a private unix socket.
#include "redis_store.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <thread>

#include "../fakes/run_coro.hpp"

namespace rinha {
namespace {

using testing::run_coro;

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rinha-redis-XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    dir_ = tmpl;
    start_redis();
    store_ = std::make_unique<RedisStore>(io_.get_executor(), RedisTarget{"", 0, dir_ + "/redis.sock"}, 1,
                                          std::chrono::milliseconds(1000));
    store_->start();
  }
  void TearDown() override {
    store_->stop();
    io_.restart();
    io_.poll();
    stop_redis();
    std::system(("rm -rf " + dir_).c_str());
  }
  void start_redis() {
    // The deployed configuration (its maxmemory and policy), listening and writing elsewhere.
    // (Redis chdirs to `dir` as it reads it, and /data does not exist here: that line is rewritten.)
    const std::string cmd = "sed 's|^dir .*|dir " + dir_ + "|' " RINHA_SOURCE_DIR "/deploy/redis.conf >" + dir_ +
                            "/redis.conf && redis-server " + dir_ + "/redis.conf --port 0 --bind 127.0.0.1 --unixsocket " +
                            dir_ + "/redis.sock" +
                            " --appendfsync always --daemonize yes --pidfile " + dir_ +
                            "/redis.pid --logfile " + dir_ + "/redis.log";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    for (int i = 0; i < 200; ++i) {
      if (std::system(("redis-cli -s " + dir_ + "/redis.sock ping >/dev/null 2>&1").c_str()) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "redis did not start";
  }
  std::string redis_cli(const std::string& args) {
    std::string out;
    FILE* f = ::popen(("redis-cli -s " + dir_ + "/redis.sock " + args).c_str(), "r");
    if (!f) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    ::pclose(f);
    return out;
  }
  void stop_redis() { std::system(("redis-cli -s " + dir_ + "/redis.sock shutdown nosave >/dev/null 2>&1").c_str()); }

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

  boost::asio::io_context io_;
  std::string dir_;
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

TEST_F(RedisStoreTest, ColourAndSignals) {
  EXPECT_EQ(run_coro(io_, store_->load_colour()), Colour::green);  // nothing decided yet
  EXPECT_TRUE(run_coro(io_, store_->save_colour(Colour::red)));
  EXPECT_EQ(run_coro(io_, store_->load_colour()), Colour::red);
  EXPECT_TRUE(run_coro(io_, store_->push_signal(FailureSignal{Processor::default_, 1752582896123})));
  EXPECT_TRUE(run_coro(io_, store_->push_signal(FailureSignal{Processor::fallback, 7})));
  auto signals = run_coro(io_, store_->take_signals());
  EXPECT_EQ(signals, (std::vector<FailureSignal>{{Processor::default_, 1752582896123}, {Processor::fallback, 7}}));
  EXPECT_TRUE(run_coro(io_, store_->take_signals()).empty());
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
