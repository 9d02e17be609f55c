// ledger-bench: the pieces of `make bench-ledger` (scripts/bench-ledger.sh).
//   preload   --redis SOCK --count N --rate R --end-ms E --ids-horizon MS --ledger-horizon MS
//             Books N payments straight into Redis through the record script itself (batches
//             of 64, pipelined), requestedAt spread at R per second ending at E, oldest first;
//             adds the ids of the last two idempotency buckets as the intake would, and trims
//             the ledger past its horizon as the APIs' upkeep does. A progress line every 2 s.
//   summaries --url URL --count K (--from MS --to MS | --window-ms W --span-from MS --span-to MS)
//             K summaries through the API, one after the other, of [from, to] or of random
//             windows of W ms inside the span; prints their p50/p99.
//   post      --url URL --rate R --seconds S [--summary-every-ms M --from MS --to MS]
//             POSTs at R per second for S seconds (and one summary every M ms beside them);
//             prints the POSTs' p50/p99.
#include <cstdlib>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "books_lua.hpp"
#include "http_client.hpp"
#include "latency.hpp"
#include "redis_connection.hpp"
#include "timefmt.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::map<std::string, std::string> g_args;
std::string arg(const std::string& name, const std::string& dflt = "") {
  auto it = g_args.find(name);
  if (it != g_args.end()) return it->second;
  if (dflt.empty()) {
    std::fprintf(stderr, "ledger-bench: --%s is required\n", name.c_str());
    std::exit(2);
  }
  return dflt;
}
int64_t iarg(const std::string& name, const std::string& dflt = "") { return std::stoll(arg(name, dflt)); }

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
std::string uuid(uint64_t n) { return fmt::format("7e1d6a00-0000-4000-8000-{:012x}", n); }
std::string iso(int64_t ms) {
  rinha::IsoBuffer buf;
  return std::string(rinha::format_iso8601_ms(ms, buf));
}

// ---- preload -------------------------------------------------------------------------
struct Preload {
  rinha::RedisConnection& redis;
  int64_t count, rate, first_ms, ids_h, ledger_h;
  std::string record_sha, trim_sha;
  int64_t next = 0, done = 0;
  bool finished = false, failed = false;

  int64_t at(int64_t i) const { return first_ms + i * 1000 / rate; }

  asio::awaitable<void> batcher() {
    std::vector<std::string> own;
    std::vector<std::string_view> argv;
    while (next < count && !failed) {
      const int64_t begin = next, end = std::min(count, next + 64);
      next = end;
      own.clear();
      own.reserve(6 * (end - begin) + 16);  // no reallocation: argv views into it
      // The processing hash first (the record script books only what is there).
      argv = {"HSET", "payments:processing:bench"};
      for (int64_t i = begin; i < end; ++i) {
        own.push_back(uuid(i));
      }
      for (int64_t i = begin; i < end; ++i) {
        argv.push_back(own[i - begin]);
        argv.push_back("x");
      }
      auto h = co_await redis.command_argv(argv);
      if (!h.ok()) { std::fprintf(stderr, "preload: HSET failed: %s\n", h.str.c_str()); failed = true; co_return; }
      const size_t ids_at = own.size();
      argv = {"EVALSHA", record_sha, "3", "payments:processing:bench", "payments:ledger:default", "payments:ledger:fallback",
              "payments:agg:default", "payments:agg:fallback"};
      own.push_back(std::to_string(std::max<int64_t>(rinha::books::kTenthsHorizonMs, 2 * ledger_h)));
      own.push_back(std::to_string(std::max<int64_t>(rinha::books::kSecondsHorizonMs, 2 * ledger_h)));
      for (int64_t i = begin; i < end; ++i) {
        own.push_back(i % 10 == 9 ? "2" : "1");  // a tenth on the fallback
        own.push_back(std::to_string(at(i)));
        own.push_back(uuid(i) + ":1990");
      }
      argv.push_back(own[ids_at]);
      argv.push_back(own[ids_at + 1]);
      for (int64_t i = begin; i < end; ++i) {
        const size_t o = ids_at + 2 + 3 * (i - begin);
        argv.push_back(own[i - begin]);
        argv.push_back(own[o]);
        argv.push_back(own[o + 1]);
        argv.push_back(own[o + 2]);
      }
      auto r = co_await redis.command_argv(argv);
      if (r.type != rinha::RedisReply::Type::integer) {
        std::fprintf(stderr, "preload: record failed: %s\n", r.str.c_str());
        failed = true;
        co_return;
      }
      // The ids the intake would still remember: the last two idempotency buckets.
      if (ids_h > 0) {
        const int64_t k_now = floor_div(now_ms(), ids_h);
        std::map<int64_t, std::vector<int64_t>> by_bucket;
        for (int64_t i = begin; i < end; ++i) {
          const int64_t k = floor_div(at(i), ids_h);
          if (k >= k_now - 1) by_bucket[k].push_back(i);
        }
        for (auto& [k, ids] : by_bucket) {
          const std::string key = fmt::format("payments:ids:{}", k), ttl = std::to_string(2 * ids_h);
          std::vector<std::string_view> sadd{"SADD", key};
          for (int64_t i : ids) sadd.push_back(own[i - begin]);
          co_await redis.command_argv(sadd);
          std::vector<std::string_view> exp{"PEXPIRE", key, ttl, "NX"};  // as the upkeep does
          co_await redis.command_argv(exp);
        }
      }
      done += end - begin;
    }
  }

  // Trims past the ledger horizon while preloading, as the APIs' upkeep does (bigger steps).
  asio::awaitable<int64_t> trim_once() {
    const std::string cutoff = std::to_string(floor_div(now_ms() - ledger_h, 1000) * 1000);
    // The API's upkeep script, trimming only (no id buckets: their keys and expiry left as is).
    std::vector<std::string_view> argv{"EVALSHA", trim_sha, "5", "payments:ledger:default", "payments:ledger:fallback",
                                       "payments:books", "payments:ids", "payments:ids", cutoff, "50000", ""};
    auto r = co_await redis.command_argv(argv);
    const bool ok = r.type == rinha::RedisReply::Type::array && !r.elements.empty();
    co_return ok ? r.elements[0].integer : -1;
  }
  asio::awaitable<void> trimmer() {
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!finished && ledger_h > 0) {
      co_await trim_once();
      t.expires_after(100ms);
      co_await t.async_wait(asio::use_awaitable);
    }
  }
};

int64_t info_field(const std::string& info, const std::string& name) {
  const auto at = info.find("\n" + name + ":");
  return at == std::string::npos ? -1 : std::atoll(info.c_str() + at + name.size() + 2);
}

int run_preload() {
  asio::io_context io(1);
  const char* password = std::getenv("REDIS_PASSWORD");  // the local stack's (bench-ledger.sh exports it)
  rinha::RedisTarget target{"", 0, arg("redis"), password ? password : ""};
  rinha::RedisConnection redis(io.get_executor(), target, 30000ms, "bench");
  redis.start();
  const int64_t count = iarg("count"), rate = iarg("rate", "1000"), end_ms = iarg("end-ms");
  Preload pl{redis, count, rate, end_ms - (count - 1) * 1000 / rate, iarg("ids-horizon", "0"), iarg("ledger-horizon", "0"), {}, {}};
  int rc = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto a = co_await redis.command("SCRIPT", "LOAD", rinha::books::kRecordLua);
    auto b = co_await redis.command("SCRIPT", "LOAD", rinha::books::kUpkeepLua);
    if (a.type != rinha::RedisReply::Type::string || b.type != rinha::RedisReply::Type::string) {
      std::fprintf(stderr, "preload: cannot load the scripts: %s %s\n", a.str.c_str(), b.str.c_str());
      rc = 1;
      io.stop();
      co_return;
    }
    pl.record_sha = a.str;
    pl.trim_sha = b.str;
    const auto started = std::chrono::steady_clock::now();
    int running = 12;
    for (int i = 0; i < 12; ++i) {
      asio::co_spawn(io, [&]() -> asio::awaitable<void> { co_await pl.batcher(); --running; }, asio::detached);
    }
    asio::co_spawn(io, pl.trimmer(), asio::detached);
    asio::steady_timer t(io);
    auto last_print = started;
    while (running > 0) {
      t.expires_after(50ms);
      co_await t.async_wait(asio::use_awaitable);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_print >= 2s || running == 0) {
        last_print = now;
        auto info = co_await redis.command("INFO", "memory");
        const int64_t used = info_field(info.str, "used_memory"), max = info_field(info.str, "maxmemory");
        const double s = std::chrono::duration<double>(now - started).count();
        std::fprintf(stderr, "preload: %lld/%lld payments (%.0f/s), Redis used_memory %.1f MB of %.1f MB\n",
                     static_cast<long long>(pl.done), static_cast<long long>(count), pl.done / s, used / 1e6, max / 1e6);
        if (max > 0 && used > max) {
          std::fprintf(stderr, "preload: Redis is past its maxmemory: stopping (horizons too long for this size?)\n");
          pl.failed = true;
        }
      }
    }
    pl.finished = true;
    if (pl.ledger_h > 0) {
      while (co_await pl.trim_once() > 0) {
      }
    }
    co_await redis.command("DEL", "payments:processing:bench");
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("preloaded %lld first_ms %lld last_ms %lld seconds %.1f rate %.0f\n", static_cast<long long>(pl.done),
                static_cast<long long>(pl.first_ms), static_cast<long long>(pl.at(count - 1)), s, pl.done / s);
    rc = pl.failed ? 1 : 0;
    redis.stop();
    io.stop();
  }, asio::detached);
  io.run();
  return rc;
}

// ---- HTTP ----------------------------------------------------------------------------
std::string summary_target(int64_t from, int64_t to) {
  return fmt::format("/payments-summary?from={}&to={}", iso(from), iso(to));
}

int run_summaries() {
  asio::io_context io(1);
  auto ep = loadtool::endpoint_resolve(io, arg("url"));
  loadtool::HttpConnection conn(io.get_executor(), ep);
  const int64_t count = iarg("count", "200"), window = iarg("window-ms", "0");
  std::mt19937_64 rng(42);
  std::vector<uint32_t> lat;
  int errors = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    for (int64_t i = 0; i < count; ++i) {
      int64_t from, to;
      if (window > 0) {
        const int64_t lo = iarg("span-from"), hi = std::max(lo, iarg("span-to") - window);
        from = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
        to = from + window - 1;
      } else {
        from = iarg("from");
        to = iarg("to");
      }
      const std::string target = summary_target(from, to);
      auto r = co_await conn.request(boost::beast::http::verb::get, target, std::string{}, {}, 10000ms);
      if (r.status != 200) ++errors;
      else lat.push_back(r.latency_us);
    }
  }, asio::detached);
  io.run();
  auto s = loadtool::latency_summarize(lat);
  std::printf("summaries %lld p50_ms %.3f p99_ms %.3f max_ms %.3f errors %d\n", static_cast<long long>(s.count), s.p50_ms,
              s.p99_ms, s.max_ms, errors);
  return errors ? 1 : 0;
}

int run_post() {
  asio::io_context io(1);
  auto ep = loadtool::endpoint_resolve(io, arg("url"));
  const int64_t rate = iarg("rate", "300"), seconds = iarg("seconds", "15"), every = iarg("summary-every-ms", "0");
  const int conns = 32;
  const uint64_t seed = std::random_device{}();
  std::vector<uint32_t> lat, sum_lat;
  int errors = 0;
  const auto t0 = std::chrono::steady_clock::now() + 100ms;
  const auto stop_at = t0 + std::chrono::seconds(seconds);
  std::vector<std::unique_ptr<loadtool::HttpConnection>> pool;
  for (int j = 0; j < conns; ++j) pool.push_back(std::make_unique<loadtool::HttpConnection>(io.get_executor(), ep));
  for (int j = 0; j < conns; ++j) {
    asio::co_spawn(io, [&, j]() -> asio::awaitable<void> {
      asio::steady_timer t(io);
      for (int64_t k = 0;; ++k) {
        const auto when = t0 + std::chrono::microseconds((j + k * conns) * 1000000 / rate);
        if (when >= stop_at) break;
        t.expires_at(when);
        co_await t.async_wait(asio::use_awaitable);
        const std::string body = fmt::format(R"({{"correlationId":"{}","amount":19.90}})",
                                             fmt::format("{:08x}-0000-4000-8000-{:012x}", seed & 0xffffffff, j + k * conns));
        auto r = co_await pool[j]->request(boost::beast::http::verb::post, "/payments", body, {}, 10000ms);
        if (r.status != 202) ++errors;
        else lat.push_back(r.latency_us);
      }
    }, asio::detached);
  }
  loadtool::HttpConnection sconn(io.get_executor(), ep);
  if (every > 0) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      asio::steady_timer t(io);
      const std::string target = summary_target(iarg("from"), iarg("to"));
      for (auto when = t0; when < stop_at; when += std::chrono::milliseconds(every)) {
        t.expires_at(when);
        co_await t.async_wait(asio::use_awaitable);
        auto r = co_await sconn.request(boost::beast::http::verb::get, target, std::string{}, {}, 10000ms);
        if (r.status == 200) sum_lat.push_back(r.latency_us);
      }
    }, asio::detached);
  }
  io.run();
  auto s = loadtool::latency_summarize(lat);
  auto ss = loadtool::latency_summarize(sum_lat);
  std::printf("posts %lld p50_ms %.3f p99_ms %.3f max_ms %.3f errors %d summaries %lld summary_p99_ms %.3f\n",
              static_cast<long long>(s.count), s.p50_ms, s.p99_ms, s.max_ms, errors, static_cast<long long>(ss.count), ss.p99_ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ledger-bench preload|summaries|post --name value...\n");
    return 2;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) == 0) k = k.substr(2);
    g_args[k] = argv[i + 1];
  }
  const std::string mode = argv[1];
  try {
    if (mode == "preload") return run_preload();
    if (mode == "summaries") return run_summaries();
    if (mode == "post") return run_post();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ledger-bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "ledger-bench: unknown mode %s\n", mode.c_str());
  return 2;
}
