// Composition root of the API server.
#include "app.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <functional>

#include "admin_api.hpp"
#include "api.hpp"
#include "breaker.hpp"
#include "clock.hpp"
#include "health_monitor.hpp"
#include "http_processor_client.hpp"
#include "http_server.hpp"
#include "log.hpp"
#include "membership.hpp"
#include "metrics.hpp"
#include "redis_store.hpp"
#include "worker_pool.hpp"

namespace rinha {

int run_app(const Config& cfg) {
  asio::io_context ioc(1);
  auto ex = ioc.get_executor();
  SystemClock clock;
  Metrics metrics;

  RedisTarget target{cfg.redis_host, cfg.redis_port, cfg.redis_socket, cfg.redis_password};
  RedisStore store(ex, target, cfg.app_name, std::chrono::milliseconds(cfg.redis_timeout_ms),
                   std::chrono::milliseconds(cfg.batch_window_ms),
                   BooksOptions{cfg.ids_horizon_ms, cfg.ledger_horizon_ms, cfg.intake_memory_percent},
                   std::chrono::milliseconds(effective_intake_window_ms(cfg)));
  const auto max_idle = static_cast<size_t>(cfg.workers) + 4;
  HttpProcessorClient default_client(ex, cfg.processor_default, max_idle);
  HttpProcessorClient fallback_client(ex, cfg.processor_fallback, max_idle);

  Breaker breaker;
  const RouterParts parts{ex, cfg, default_client, fallback_client, breaker, clock, metrics};
  HealthMonitor monitor(parts, store);
  breaker.set_failure_sink([&monitor](const FailureSignal& s) { monitor.on_failure(s); });
  breaker.set_success_sink([&monitor](const FailureSignal& s) { monitor.on_success(s); });
  AsioTimers timers(ex);
  WorkerPool workers(parts, store, store, timers);
  Membership membership(ex, store, clock, metrics, [&workers] { workers.notify_work(); });
  Api api(cfg, store, store, clock, metrics, [&workers] { workers.notify_work(1); },
          cfg.handoff ? &workers : nullptr);
  HttpServer server(ex, api, &metrics.http_latency, std::chrono::milliseconds(cfg.http_idle_timeout_ms));
  // /metrics and /health: a listener of their own, which the load balancer does not reach;
  // its requests are not counted in the API's latency histogram.
  AdminApi admin_api(cfg, store, metrics);
  HttpServer admin_server(ex, admin_api, nullptr, std::chrono::milliseconds(cfg.http_idle_timeout_ms));

  try {
    if (!cfg.app_socket.empty()) {
      server.listen_unix(cfg.app_socket);
    } else {
      server.listen_tcp("0.0.0.0", cfg.app_port);
    }
    if (!cfg.admin_socket.empty()) {
      admin_server.listen_unix(cfg.admin_socket, 0600);  // the operator's user only
    } else {
      admin_server.listen_tcp("0.0.0.0", cfg.admin_port);
    }
  } catch (const std::exception& e) {
    LOG_ERROR("listen_failed", "error=\"{}\"", e.what());
    return 1;
  }
  store.start();
  membership.start();  // first: this instance is alive before it recovers its own work
  monitor.start();
  workers.start();
  server.start();
  admin_server.start();
  if (cfg.app_socket.empty()) {
    std::printf("listening port=%d\n", server.port());
  } else {
    std::printf("listening socket=%s\n", cfg.app_socket.c_str());
  }
  if (cfg.admin_socket.empty()) {
    std::printf("admin port=%d\n", admin_server.port());
  } else {
    std::printf("admin socket=%s\n", cfg.admin_socket.c_str());
  }
  std::fflush(stdout);
  LOG_INFO("started", "instance={} health=by_lease", cfg.app_name);

  // One line of counters every kStatsPeriod: what happened, without a line per request.
  constexpr auto kStatsPeriod = std::chrono::seconds(10);
  asio::steady_timer stats_timer(ex);
  std::function<void()> arm_stats = [&] {
    stats_timer.expires_after(kStatsPeriod);
    stats_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      LOG_INFO("stats", "{}", metrics.stats_fields());
      arm_stats();
    });
  };
  arm_stats();

  // The books' upkeep: trims the ledger past LEDGER_HORIZON (bounded per call: again soon
  // while a call removes its most, else once a second) and reads Redis's memory for the
  // intake's gate and the metrics. (It ran every 250 ms: 8 of an idle system's ~67
  // top-level calls per second, counted with MONITOR.)
  constexpr auto kUpkeepPeriod = std::chrono::milliseconds(1000);
  constexpr auto kUpkeepCatchUp = std::chrono::milliseconds(50);
  bool upkeep_running = true;
  asio::co_spawn(
      ex,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(ex);
        while (upkeep_running) {
          bool behind = false;
          if (auto st = co_await store.upkeep(clock.now_ms())) {
            metrics.redis_used_memory = st->used_memory;
            metrics.redis_max_memory = st->max_memory;
            metrics.ledger_trimmed += st->trimmed;
            behind = st->trim_bound_reached;
          }
          t.expires_after(behind ? kUpkeepCatchUp : kUpkeepPeriod);
          co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        }
      },
      asio::detached);

  asio::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    LOG_INFO("stopping", "signal={}", sig);
    api.stop_answering_early();  // the POSTs still arriving on open connections wait for Redis
    server.stop();
    admin_server.stop();
    asio::co_spawn(
        ex,
        [&]() -> asio::awaitable<void> {
          asio::steady_timer t(ex);
          // Polls every 10 ms while `busy()`, for `limit_ms` at most.
          auto wait_while = [&](const std::function<bool()>& busy, int64_t limit_ms) -> asio::awaitable<void> {
            for (int64_t waited = 0; waited < limit_ms && busy(); waited += 10) {
              t.expires_after(std::chrono::milliseconds(10));
              co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            }
          };
          // Payments answered 202 before Redis's answer first reach Redis (their intake is
          // retried for up to a deadline and a second), while the workers still take them.
          const std::function<bool()> unconfirmed = [&] { return api.unconfirmed() > 0; };
          const std::function<bool()> answering = [&] { return server.active_requests() > 0; };
          co_await wait_while(unconfirmed, cfg.redis_timeout_ms + 1000);
          co_await workers.stop(std::chrono::milliseconds(cfg.processor_timeout_ms + 1000));
          co_await wait_while(answering, 1000);
          if (api.unconfirmed() > 0) LOG_WARN("stopping_unconfirmed", "payments={}", api.unconfirmed());
          monitor.stop();
          membership.stop();
          stats_timer.cancel();
          upkeep_running = false;
          LOG_INFO("stats", "{}", metrics.stats_fields());
          store.stop();
          ioc.stop();
        },
        asio::detached);
  });
  ioc.run();
  LOG_INFO("stopped", "in_flight_left={}", workers.in_flight());
  return 0;
}

}  // namespace rinha
