// What the contract tests of the store interfaces share (payment_queue_test.cpp, ledger_test.cpp,
// routing_state_test.cpp, membership_store_test.cpp): each is a typed suite that runs the
// same checks on two backends, the fakes the unit tests rely on (tests/fakes) and RedisStore
// on a real redis-server (the deployed redis.conf, with a password), so the fakes cannot
// drift from the real store. A backend gives the four interfaces, runs a coroutine, lets time
// pass and plants a dead instance's work (the fake models exactly one such instance).
#pragma once
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "../fakes/fake_clock.hpp"
#include "../fakes/fake_store.hpp"
#include "../fakes/run_coro.hpp"
#include "redis_server.hpp"
#include "redis_store.hpp"

namespace rinha::testing {

// Another instance's work when its heartbeat expired.
struct DeadPeer {
  std::vector<Payment> queued;                       // in the order they were accepted
  std::vector<Payment> in_flight;                    // in its processing list, as given
  std::vector<std::pair<Payment, int64_t>> held;     // with their retry times
};

// The fakes, composed as the unit tests use them (FakeStore: each interface is its fake's).
class FakeBackend {
 public:
  FakeBackend() {
    store_.FakeRoutingState::clock = &clock_;
    store_.FakeMembershipStore::clock = &clock_;
  }
  bool ok() const { return true; }
  PaymentQueue& queue() { return store_; }
  Ledger& ledger() { return store_; }
  RoutingState& routing() { return store_; }
  MembershipStore& membership() { return store_; }
  template <typename T>
  T run(asio::awaitable<T> coro) { return run_coro(io_, std::move(coro)); }
  void pass(int64_t ms) { clock_.advance(ms); }
  void plant_dead_peer(const DeadPeer& peer) {
    for (const Payment& p : peer.queued) store_.dead_peer_queue.push_front(encode_payment(p));
    for (const Payment& p : peer.in_flight) store_.dead_peer_processing.push_back(encode_payment(p));
    for (const auto& [p, due] : peer.held) store_.dead_peer_held.emplace(due, encode_payment(p));
  }

 private:
  boost::asio::io_context io_;
  FakeClock clock_;
  FakeStore store_;
};

// RedisStore as instance 1, on its own redis-server; time passes for real.
class RedisBackend {
 public:
  static constexpr const char* kPassword = "contract-test-password";

  RedisBackend() : store_(make_store(1)) { store_->start(); }
  ~RedisBackend() {
    store_->stop();
    if (peer_) peer_->stop();
    io_.restart();
    io_.poll();
  }
  bool ok() const { return redis_.ok(); }
  PaymentQueue& queue() { return *store_; }
  Ledger& ledger() { return *store_; }
  RoutingState& routing() { return *store_; }
  MembershipStore& membership() { return *store_; }
  template <typename T>
  T run(asio::awaitable<T> coro) { return run_coro(io_, std::move(coro)); }
  void pass(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
  // Instance 2 takes the work through its own store, then stops beating.
  void plant_dead_peer(const DeadPeer& peer) {
    peer_ = make_store(2);
    peer_->start();
    run(peer_->heartbeat(100));
    for (const Payment& p : peer.queued) EXPECT_EQ(run(peer_->enqueue(p)), EnqueueStatus::accepted);
    for (const Payment& p : peer.in_flight) EXPECT_EQ(run(peer_->enqueue_taken(p)), EnqueueStatus::accepted);
    for (const auto& [p, due] : peer.held) {
      EXPECT_EQ(run(peer_->enqueue_taken(p)), EnqueueStatus::accepted);
      const std::string item = encode_payment(p);
      EXPECT_TRUE(run(peer_->hold(item, item, due)));
    }
    pass(300);  // its heartbeat expires
  }

 private:
  std::unique_ptr<RedisStore> make_store(int instance) {
    return std::make_unique<RedisStore>(io_.get_executor(), RedisTarget{"", 0, redis_.socket(), kPassword}, instance,
                                        std::chrono::milliseconds(1000));
  }

  RedisServer redis_{kPassword};
  boost::asio::io_context io_;
  std::unique_ptr<RedisStore> store_, peer_;
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, FakeBackend> ? "Fake" : "Redis";
  }
};
using Backends = ::testing::Types<FakeBackend, RedisBackend>;

// The fixture of every contract suite: the backend and the payments the checks move.
template <typename Backend>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(be_.ok()) << "redis did not start"; }

  // Payment number n (1..9): its own correlation id, accepted at `accepted_ms`.
  static Payment payment(int n, int64_t accepted_ms = 1, int64_t cents = 1990) {
    Payment p;
    p.id = *parse_correlation_id("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b" + std::to_string(n));
    p.amount_cents = cents;
    p.accepted_at_ms = accepted_ms;
    return p;
  }
  // Payment n as a take pins it: to `pin` at `requested_ms`, in doubt.
  static Payment pinned(int n, Processor pin, int64_t requested_ms, int64_t accepted_ms = 1) {
    Payment p = payment(n, accepted_ms);
    p.pin = pin;
    p.requested_at_ms = requested_ms;
    p.in_doubt = true;
    return p;
  }
  static int number(const std::string& item) {
    auto p = decode_payment(item);
    return p ? id_view(p->id).back() - '0' : -1;
  }

  void enqueue(std::initializer_list<Payment> payments) {
    for (const Payment& p : payments) EXPECT_EQ(be_.run(be_.queue().enqueue(p)), EnqueueStatus::accepted);
  }
  TakeResult take(size_t max, Processor pin_to = Processor::default_, int64_t now_ms = 1000) {
    return be_.run(be_.queue().take(max, pin_to, now_ms));
  }
  // Takes exactly one payment: its processing item.
  std::string take_one() {
    auto r = take(1);
    EXPECT_EQ(r.items.size(), 1u);
    return r.items.empty() ? std::string{} : r.items[0].item;
  }
  // Takes everything queued: the payments' numbers, head first.
  std::vector<int> drain() {
    std::vector<int> out;
    for (const TakenItem& t : take(100).items) out.push_back(number(t.item));
    return out;
  }
  Backlog backlog() {
    auto b = be_.run(be_.queue().backlog());
    EXPECT_TRUE(b);
    return b.value_or(Backlog{-1, -1, -1, -1});
  }

  Backend be_;
};

}  // namespace rinha::testing

namespace rinha {  // (where EXPECT_EQ finds them)
inline bool operator==(const Backlog& a, const Backlog& b) {
  return a.queued == b.queued && a.own_queued == b.own_queued && a.processing == b.processing && a.held == b.held;
}
inline std::ostream& operator<<(std::ostream& os, const Backlog& b) {
  return os << "{queued " << b.queued << ", own " << b.own_queued << ", processing " << b.processing << ", held "
            << b.held << "}";
}

}  // namespace rinha
