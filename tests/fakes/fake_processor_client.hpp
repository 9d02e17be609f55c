// A scripted ProcessorClient: answers from a queue of outcomes (then a default one) and
// records every payment it was sent, so tests can assert where payments went.
#pragma once
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "processor_client.hpp"
#include "timer.hpp"

namespace rinha::testing {

class FakeProcessorClient final : public ProcessorClient {
 public:
  std::deque<SendOutcome::Kind> script;                      // next outcomes, in order
  SendOutcome::Kind otherwise = SendOutcome::Kind::stored;   // after the script runs out
  std::vector<Payment> sent;
  std::deque<HealthResult> health_script;
  HealthResult health_otherwise{HealthResult::Kind::ok, false, 0, 1};
  int health_calls = 0;
  LookupResult lookup_result{LookupResult::Kind::not_found, 0};  // after lookup_script runs out
  std::deque<LookupResult> lookup_script;
  std::map<std::string, LookupResult, std::less<>> lookup_by_id;  // answered first, for these ids
  int lookup_calls = 0;
  int invalid_status = 400;  // the status an `invalid` outcome carries (a 403 proxy, a 404 URL)
  std::function<void(const Payment&)> on_send;  // observes the world at the moment of sending
  std::chrono::milliseconds latency{0};          // > 0: answers after this long, so the
                                                 // caller's other coroutines run meanwhile
  Timers* timers = nullptr;                      // the latency's time (none: real time)

  // ProcessorClient
  asio::awaitable<SendOutcome> send(const Payment& p, std::chrono::milliseconds) override {
    sent.push_back(p);
    if (on_send) on_send(p);
    if (latency.count() > 0 && timers) {
      const auto wait = timers->make_timer();
      wait->expires_after_ms(latency.count());
      co_await wait->wait();
    } else if (latency.count() > 0) {
      asio::steady_timer wait(co_await asio::this_coro::executor, latency);
      co_await wait.async_wait(asio::use_awaitable);
    }
    SendOutcome out;
    out.kind = otherwise;
    if (!script.empty()) {
      out.kind = script.front();
      script.pop_front();
    }
    out.status = out.kind == SendOutcome::Kind::stored      ? 200
                 : out.kind == SendOutcome::Kind::duplicate ? 422
                 : out.kind == SendOutcome::Kind::rejected  ? 500
                 : out.kind == SendOutcome::Kind::overloaded ? 429
                 : out.kind == SendOutcome::Kind::invalid   ? invalid_status
                                                            : 0;
    co_return out;
  }
  asio::awaitable<LookupResult> lookup(const CorrelationId& id, std::chrono::milliseconds) override {
    ++lookup_calls;
    if (auto it = lookup_by_id.find(id_view(id)); it != lookup_by_id.end()) co_return it->second;
    if (!lookup_script.empty()) {
      auto r = lookup_script.front();
      lookup_script.pop_front();
      co_return r;
    }
    co_return lookup_result;
  }
  asio::awaitable<HealthResult> health(std::chrono::milliseconds) override {
    ++health_calls;
    if (!health_script.empty()) {
      auto h = health_script.front();
      health_script.pop_front();
      co_return h;
    }
    co_return health_otherwise;
  }
};

}  // namespace rinha::testing
