// The books on a real Redis (deploy/redis.conf): the summary from the aggregates and the
// window's edges against a brute-force sum over random payments and random windows; the
// precision once the ledger is trimmed; the idempotency horizon; memory pressure.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <random>

#include "../fakes/run_coro.hpp"
#include "redis_server.hpp"
#include "redis_store.hpp"

namespace rinha {
namespace {

using testing::run_coro;

struct Booked {
  int64_t at_ms;
  int64_t cents;
  Processor where;
};

class BooksTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.ok()); }
  void TearDown() override {
    if (store_) store_->stop();
    io_.restart();
    io_.poll();
  }
  void open(BooksOptions books) {
    store_ = std::make_unique<RedisStore>(io_.get_executor(), RedisTarget{"", 0, redis_.socket()}, 1,
                                          std::chrono::milliseconds(5000), std::chrono::milliseconds(0), books);
    store_->start();
  }
  Payment payment(uint64_t n, int64_t cents, int64_t accepted_ms = 1) {
    Payment p;
    p.id = *parse_correlation_id(fmt::format("4a7901b8-7d26-4d9d-aa19-{:012x}", n));
    p.amount_cents = cents;
    p.accepted_at_ms = accepted_ms;
    return p;
  }
  // Books every payment through the real path (enqueue, take, record), the records of a
  // take settled concurrently, so batches of many seconds and both processors happen.
  void book(const std::vector<Booked>& all, uint64_t first_id = 1) {
    for (size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(run_coro(io_, store_->enqueue(payment(first_id + i, all[i].cents))), EnqueueStatus::accepted);
    }
    size_t next = 0;
    while (next < all.size()) {
      auto taken = run_coro(io_, store_->take(64, Processor::default_, 1));
      ASSERT_EQ(taken.kind, TakeResult::Kind::items);
      int done = 0;
      for (auto& t : taken.items) {
        const Booked b = all[next++];
        boost::asio::co_spawn(io_, [&, item = t.item, b]() -> boost::asio::awaitable<void> {
          Payment p = *decode_payment(item);
          p.requested_at_ms = b.at_ms;
          const bool ok = co_await store_->record(item, p, b.where);
          EXPECT_TRUE(ok);
          ++done;
        }, boost::asio::detached);
      }
      io_.restart();
      for (int i = 0; i < 500 && done < static_cast<int>(taken.items.size()); ++i) io_.run_for(std::chrono::milliseconds(10));
      ASSERT_EQ(done, static_cast<int>(taken.items.size()));
    }
  }
  static Summary brute(const std::vector<Booked>& all, int64_t from, int64_t to) {
    Summary s;
    for (const Booked& b : all) {
      if (b.at_ms < from || b.at_ms > to) continue;
      Totals& t = b.where == Processor::fallback ? s.fallback : s.default_;
      ++t.count;
      t.amount_cents += b.cents;
    }
    return s;
  }
  void expect_summary(TimeRange r, const Summary& want, const std::string& what) {
    auto got = run_coro(io_, store_->summary(r));
    ASSERT_TRUE(got) << what;
    EXPECT_EQ(got->default_.count, want.default_.count) << what;
    EXPECT_EQ(got->default_.amount_cents, want.default_.amount_cents) << what;
    EXPECT_EQ(got->fallback.count, want.fallback.count) << what;
    EXPECT_EQ(got->fallback.amount_cents, want.fallback.amount_cents) << what;
  }

  // Payments over three hours and a bit around an hour boundary, half of them packed into
  // a few seconds (so the edges hold many members), on both processors.
  static std::vector<Booked> random_payments(std::mt19937_64& rng, int64_t base, size_t n) {
    std::vector<Booked> all;
    std::uniform_int_distribution<int64_t> span(0, 3 * 3600000 + 123456), cents(1, 999999), jitter(-2500, 2500);
    std::vector<int64_t> hot;
    for (int i = 0; i < 6; ++i) hot.push_back(base + span(rng));
    hot.push_back(base + 3600000);  // straddling the hour boundary
    for (size_t i = 0; i < n; ++i) {
      const int64_t at = i % 2 ? base + span(rng) : hot[i % hot.size()] + jitter(rng);
      all.push_back(Booked{at, cents(rng), rng() % 3 == 0 ? Processor::fallback : Processor::default_});
    }
    return all;
  }
  // A bound near a payment, near a boundary of a level, or anywhere.
  static int64_t random_bound(std::mt19937_64& rng, const std::vector<Booked>& all, int64_t base) {
    std::uniform_int_distribution<int64_t> any(base - 5000, base + 3 * 3600000 + 200000), near(-1500, 1500);
    const int64_t sizes[] = {1000, 60000, 3600000};
    switch (rng() % 4) {
      case 0: return all[rng() % all.size()].at_ms;  // exactly a payment: the bounds are inclusive
      case 1: return all[rng() % all.size()].at_ms + near(rng);
      case 2: {
        const int64_t s = sizes[rng() % 3];
        return (any(rng) / s) * s + static_cast<int64_t>(rng() % 3) - 1;
      }
      default: return any(rng);
    }
  }

  testing::RedisServer redis_;
  boost::asio::io_context io_;
  std::unique_ptr<RedisStore> store_;
};

constexpr int64_t kBase = 1752580800000 - 90000;  // 2025-07-15T12:00:00Z less 90 s

TEST_F(BooksTest, SummaryEqualsABruteForceSumOverRandomWindows) {
  open({});
  std::mt19937_64 rng(20250715);
  const auto all = random_payments(rng, kBase, 1500);
  book(all);
  for (int i = 0; i < 400; ++i) {
    int64_t from = random_bound(rng, all, kBase), to = random_bound(rng, all, kBase);
    if (from > to) std::swap(from, to);
    if (i % 5 == 0) to = from + static_cast<int64_t>(rng() % 4000);  // short windows: all edges
    expect_summary(TimeRange{from, to}, brute(all, from, to), fmt::format("window {}..{}", from, to));
  }
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  expect_summary(TimeRange{}, brute(all, lo, hi), "unbounded");
  const int64_t mid = all[7].at_ms;
  expect_summary(TimeRange{lo, mid}, brute(all, lo, mid), "to only");
  expect_summary(TimeRange{mid, hi}, brute(all, mid, hi), "from only");
}

// Past LEDGER_HORIZON the members are gone: a window edge before the trim's mark counts its
// whole tenth of a second (rounded outward), one after it stays exact; nothing is counted twice.
TEST_F(BooksTest, PastTheLedgerHorizonEdgesRoundOutwardToTheirTenthOfASecond) {
  const int64_t horizon = 3600000;
  open(BooksOptions{0, horizon, 0});
  std::mt19937_64 rng(7);
  const auto all = random_payments(rng, kBase, 1200);
  book(all);
  const int64_t now = kBase + 5400123;  // the mark: kBase + 1:30:00 less the horizon, whole seconds
  const int64_t mark = (now - horizon) / 1000 * 1000;
  int64_t trimmed = 0;
  for (int i = 0; i < 10; ++i) {
    auto st = run_coro(io_, store_->upkeep(now));
    ASSERT_TRUE(st);
    trimmed += st->trimmed;
    if (st->trimmed == 0) break;
  }
  size_t before = 0;
  for (const Booked& b : all) before += b.at_ms < mark;
  EXPECT_EQ(trimmed, static_cast<int64_t>(before));
  for (int i = 0; i < 300; ++i) {
    int64_t from = random_bound(rng, all, kBase), to = random_bound(rng, all, kBase);
    if (from > to) std::swap(from, to);
    if (i % 5 == 0) to = from + static_cast<int64_t>(rng() % 4000);
    const int64_t from_r = from < mark ? from / 100 * 100 : from;
    const int64_t to_r = to < mark ? to / 100 * 100 + 99 : to;
    expect_summary(TimeRange{from, to}, brute(all, from_r, to_r), fmt::format("window {}..{} mark {}", from, to, mark));
  }
}

// The per-100 ms aggregates expire an hour after their last write, the per-second ones a
// day: an edge there counts its whole second, its whole minute. (Expiry simulated by
// deleting the hashes.)
TEST_F(BooksTest, PastTheAggregatesHorizonsEdgesRoundOutwardToSecondsThenMinutes) {
  open(BooksOptions{0, 1000, 0});
  std::vector<Booked> all;
  const int64_t minute = kBase / 60000 * 60000 + 60000;
  for (int i = 0; i < 120; ++i) all.push_back(Booked{minute + i * 997, 100 + i, Processor::default_});
  book(all);
  auto st = run_coro(io_, store_->upkeep(minute + 10 * 60000));  // everything past the ledger horizon
  ASSERT_TRUE(st);
  EXPECT_EQ(st->trimmed, 120);
  redis_.cli(fmt::format("DEL payments:agg:default:s:{}", minute / 60000));
  // First minute: whole minute (seconds gone); second minute: whole tenths (ledger gone).
  expect_summary(TimeRange{minute + 30500, minute + 61500}, brute(all, minute, minute + 61599), "rounded");
  redis_.cli(fmt::format("DEL payments:agg:default:d:{}", (minute + 61500) / 1000));  // then whole seconds
  expect_summary(TimeRange{minute + 30500, minute + 61500}, brute(all, minute, minute + 61999), "rounded more");
}

TEST_F(BooksTest, IdsAreRememberedForTheHorizonThenAcceptedAgain) {
  open(BooksOptions{1000, 0, 0});
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(1, 100, 10000))), EnqueueStatus::accepted);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(1, 100, 10999))), EnqueueStatus::duplicate);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(1, 100, 11999))), EnqueueStatus::duplicate);  // 1.999 s later
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(1, 100, 12000))), EnqueueStatus::accepted);  // past 2 buckets
  // Both copies settle on the same processor (its 422 for the second): booked once, at
  // the first one's requestedAt, in the ledger and in the aggregates alike.
  for (int64_t at : {kBase, kBase + 5000}) {
    auto taken = run_coro(io_, store_->take(1, Processor::default_, 1));
    ASSERT_EQ(taken.items.size(), 1u);
    Payment p = *decode_payment(taken.items[0].item);
    p.requested_at_ms = at;
    EXPECT_TRUE(run_coro(io_, store_->record(taken.items[0].item, p, Processor::default_)));
  }
  expect_summary(TimeRange{}, brute({Booked{kBase, 100, Processor::default_}}, kBase, kBase), "all");
  expect_summary(TimeRange{kBase + 1, kBase + 9000}, Summary{}, "the replay's time");
  EXPECT_EQ(redis_.cli("PTTL payments:ids:10"), "-1\n");  // the upkeep sets the buckets' expiry
  ASSERT_TRUE(run_coro(io_, store_->upkeep(11500)));
  const long long ttl = std::atoll(redis_.cli("PTTL payments:ids:10").c_str());
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 2000);
  EXPECT_EQ(redis_.cli("EXISTS payments:ids"), "0\n");
}

TEST_F(BooksTest, PurgeClearsTheAggregatesAndTheIdBuckets) {
  open(BooksOptions{60000, 0, 0});
  book({Booked{kBase, 500, Processor::default_}, Booked{kBase + 61000, 700, Processor::fallback}});
  ASSERT_TRUE(run_coro(io_, store_->purge()));
  EXPECT_EQ(redis_.cli("DBSIZE"), "0\n");
  expect_summary(TimeRange{}, Summary{}, "after purge");
}

// Memory tight: Redis refuses the intake's first write (and the upkeep's gate refuses it
// before Redis must), while every payment already accepted still settles into the books.
TEST_F(BooksTest, UnderMemoryPressureIntakeIsRefusedAndAcceptedPaymentsStillSettle) {
  open(BooksOptions{60000, 60000, 90});
  std::vector<Booked> all;
  for (int i = 0; i < 200; ++i) all.push_back(Booked{kBase + i * 10, 1000 + i, i % 2 ? Processor::fallback : Processor::default_});
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(run_coro(io_, store_->enqueue(payment(1 + i, all[i].cents))), EnqueueStatus::accepted);
  }
  std::vector<TakenItem> taken;
  while (taken.size() < all.size()) {
    auto r = run_coro(io_, store_->take(64, Processor::default_, 1));
    ASSERT_EQ(r.kind, TakeResult::Kind::items);
    for (auto& t : r.items) taken.push_back(std::move(t));
  }
  EXPECT_EQ(redis_.cli("CONFIG GET maxmemory-policy"), "maxmemory-policy\nnoeviction\n");  // the deployed policy
  const long long used = redis_.info_field("memory", "used_memory");
  ASSERT_GT(used, 0);
  redis_.cli(fmt::format("CONFIG SET maxmemory {}", used * 3 / 4));  // past the limit already

  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(9999, 100))), EnqueueStatus::full);  // Redis said OOM
  auto st = run_coro(io_, store_->upkeep(kBase));
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->intake_refused);
  EXPECT_GE(st->used_memory * 100, st->max_memory * 90);
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(9999, 100))), EnqueueStatus::full);  // the gate said so

  // Settle every accepted payment: each record succeeds at the first try.
  for (size_t i = 0; i < taken.size(); ++i) {
    Payment p = *decode_payment(taken[i].item);
    p.requested_at_ms = all[i].at_ms;
    EXPECT_TRUE(run_coro(io_, store_->record(taken[i].item, p, all[i].where))) << i;
  }
  auto backlog = run_coro(io_, store_->backlog());
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->processing, 0);
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  expect_summary(TimeRange{}, brute(all, lo, hi), "settled under pressure");
  // The trim frees memory under pressure too.
  st = run_coro(io_, store_->upkeep(kBase + 10 * 60000));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->trimmed, 200);

  redis_.cli("CONFIG SET maxmemory 128mb");
  st = run_coro(io_, store_->upkeep(kBase + 10 * 60000));
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->intake_refused);
  EXPECT_EQ(st->max_memory, 128LL * 1024 * 1024);  // deploy/redis.conf's
  EXPECT_EQ(run_coro(io_, store_->enqueue(payment(9999, 100))), EnqueueStatus::accepted);
}

}  // namespace
}  // namespace rinha
