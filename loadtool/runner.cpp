// The coroutines of a run. Invariants: all state lives in Run and is touched by the single
// io_context thread only; every request carries the scenario timeout; nothing is logged per
// request. The payment phase ends like k6's ramping-vus with gracefulStop: no iteration
// starts after duration_s, iterations in progress (POST + sleep) finish.
#include "runner.hpp"

#include "iso_time.hpp"
#include "prometheus.hpp"
#include "report_input.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <sys/resource.h>
#include <uuid/uuid.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace loadtool {
namespace asio = boost::asio;
using http_verb = boost::beast::http::verb;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string runner_payment_body(const std::string& correlation_id, int64_t amount_cents) {
  char amount[32];
  const int64_t units = amount_cents / 100, cents = amount_cents % 100;
  if (cents == 0) std::snprintf(amount, sizeof amount, "%lld", static_cast<long long>(units));
  else if (cents % 10 == 0)
    std::snprintf(amount, sizeof amount, "%lld.%lld", static_cast<long long>(units),
                  static_cast<long long>(cents / 10));
  else
    std::snprintf(amount, sizeof amount, "%lld.%02lld", static_cast<long long>(units),
                  static_cast<long long>(cents));
  return "{\"correlationId\":\"" + correlation_id + "\",\"amount\":" + amount + "}";
}

namespace {

std::string new_uuid() {
  uuid_t id;
  uuid_generate_random(id);
  char text[37];
  uuid_unparse_lower(id, text);
  return text;
}

std::string random_token() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "rinha-load-%08x%08x", rd(), rd());
  return buf;
}

class Run {
 public:
  explicit Run(const RunOptions& o)
      : opt_(o), sc_(o.scenario),
        backend_(endpoint_resolve(io_, o.backend_url)),
        done_timer_(io_) {
    if (!o.floor) {
      default_ = endpoint_resolve(io_, o.default_url);
      fallback_ = endpoint_resolve(io_, o.fallback_url);
    }
    if (o.metrics_url.rfind("unix:", 0) == 0) {
      metrics_unix_ = o.metrics_url.substr(5);
    } else if (!o.metrics_url.empty()) {
      metrics_ = endpoint_resolve(io_, o.metrics_url);
    }
    token_ = o.floor ? o.initial_processor_token : random_token();
    timeout_ = milliseconds(sc_.request_timeout_ms);
  }

  RunResult run() {
    asio::co_spawn(io_, main_flow(), asio::detached);
    io_.run();
    return std::move(res_);
  }

 private:
  int64_t since_t0_ms() const {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - t0_).count();
  }

  // Every request the official script makes goes through here, for the p99.
  asio::awaitable<HttpResult> official(HttpConnection& c, http_verb m, std::string target,
                                       std::string body, std::string_view token) {
    const int64_t at = since_t0_ms();
    HttpResult r = co_await c.request(m, target, std::move(body), token, timeout_);
    ++res_.official_requests;
    if (r.expected()) res_.official.record(at, r.latency_us);
    else ++res_.official_unexpected;
    co_return r;
  }

  std::string window_query(int64_t from_ms, int64_t to_ms) {
    return "?from=" + iso_format_ms(from_ms) + "&to=" + iso_format_ms(to_ms);
  }

  // Everything this run can have stored, with an hour of slack either side (clock skew).
  std::string all_time_query() {
    return window_query(res_.start_wall_ms - 3600 * 1000, iso_now_ms() + 3600 * 1000);
  }

  asio::awaitable<void> sleep_until(Clock::time_point when) {
    asio::steady_timer t(io_);
    t.expires_at(when);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  void job_started() { ++pending_; }
  void job_finished() {
    if (--pending_ == 0) done_timer_.cancel();
  }

  asio::awaitable<bool> setup() {
    if (!opt_.floor) {
      HttpConnection d(io_.get_executor(), default_), f(io_.get_executor(), fallback_);
      HttpConnection* both[] = {&d, &f};
      const std::string body = "{\"token\":\"" + token_ + "\"}";
      for (HttpConnection* c : both) {
        HttpResult r = co_await official(*c, http_verb::put, "/admin/configurations/token", body,
                                         opt_.initial_processor_token);
        if (!r.ok_2xx()) {
          res_.abort_reason = "setting the processor token failed (HTTP " +
                              std::to_string(r.status) + " " + r.error + ")";
          co_return false;
        }
      }
      for (HttpConnection* c : both) {
        HttpResult r = co_await official(*c, http_verb::post, "/admin/purge-payments", "", token_);
        if (!r.ok_2xx()) {
          res_.abort_reason = "purging a processor failed (HTTP " + std::to_string(r.status) +
                              " " + r.error + ")";
          co_return false;
        }
      }
    }
    HttpConnection b(io_.get_executor(), backend_);
    HttpResult r = co_await official(b, http_verb::post, "/purge-payments", "", opt_.backend_token);
    if (!r.ok_2xx())
      res_.warnings.push_back("backend POST /purge-payments answered HTTP " +
                              std::to_string(r.status) + " " + r.error + " (ignored)");
    co_return true;
  }

  asio::awaitable<void> vu(int64_t number) {
    co_await sleep_until(t0_ + milliseconds(scenario_vu_start_ms(sc_, number)));
    HttpConnection conn(io_.get_executor(), backend_);
    asio::steady_timer pause(io_);
    while (Clock::now() < end_) {
      const int64_t at = since_t0_ms();
      const size_t second = static_cast<size_t>(at / 1000);
      bump(res_.posts_sent_per_s, second);
      HttpResult r = co_await official(conn, http_verb::post, "/payments",
                                       runner_payment_body(new_uuid(), sc_.amount_cents), "");
      ++res_.post_status_counts[r.status];
      if (r.ok_2xx()) {
        ++res_.payments_ok;
        bump(res_.posts_ok_per_s, second);
        res_.posts.record(at, r.latency_us);
      } else {
        ++res_.payments_failed;
        if (r.timed_out) ++res_.payments_timeouts;
        bump(res_.posts_failed_per_s, second);
      }
      pause.expires_after(milliseconds(sc_.vu_sleep_ms));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    job_finished();
  }

  static void bump(std::vector<int64_t>& v, size_t i) {
    if (v.size() <= i) v.resize(i + 1, 0);
    ++v[i];
  }

  asio::awaitable<void> stage(Stage st) {
    co_await sleep_until(t0_ + std::chrono::seconds(st.at_s));
    HttpConnection d(io_.get_executor(), default_), f(io_.get_executor(), fallback_);
    auto delay = [](int64_t ms) { return "{\"delay\":" + std::to_string(ms) + "}"; };
    auto failure = [](bool on) { return std::string("{\"failure\":") + (on ? "true" : "false") + "}"; };
    HttpResult r[4];
    r[0] = co_await official(d, http_verb::put, "/admin/configurations/delay", delay(st.default_.delay_ms), token_);
    r[1] = co_await official(f, http_verb::put, "/admin/configurations/delay", delay(st.fallback_.delay_ms), token_);
    r[2] = co_await official(d, http_verb::put, "/admin/configurations/failure", failure(st.default_.failure), token_);
    r[3] = co_await official(f, http_verb::put, "/admin/configurations/failure", failure(st.fallback_.failure), token_);
    for (auto& x : r)
      if (!x.ok_2xx())
        res_.warnings.push_back("stage at " + std::to_string(st.at_s) + " s: a processor answered HTTP " +
                                std::to_string(x.status) + " " + x.error);
    job_finished();
  }

  asio::awaitable<ProcessorSummary> processor_summary(HttpConnection& c, const std::string& query,
                                                      bool count_official) {
    // Plain statements around co_await: GCC 12 destroys temporaries of a co_await inside a
    // conditional expression twice, so no `a ? co_await x : co_await y` in this file.
    const std::string target = "/admin/payments-summary" + query;
    HttpResult r;
    if (count_official) r = co_await official(c, http_verb::get, target, "", token_);
    else r = co_await c.request(http_verb::get, target, "", token_, timeout_);
    std::optional<ProcessorSummary> s;
    if (r.status == 200) s = summary_parse_processor(r.body);
    co_return s.value_or(ProcessorSummary{});
  }

  asio::awaitable<void> consistency() {
    HttpConnection b(io_.get_executor(), backend_);
    std::optional<HttpConnection> d, f;
    if (!opt_.floor) { d.emplace(io_.get_executor(), default_); f.emplace(io_.get_executor(), fallback_); }
    asio::steady_timer pause(io_);
    while (Clock::now() < end_) {
      const int64_t now = iso_now_ms();
      const std::string q = window_query(now - sc_.consistency_from_offset_ms, now - sc_.consistency_to_offset_ms);
      ConsistencyCheck check;
      check.at_ms = since_t0_ms();
      if (!opt_.floor) {
        ProcessorSummary pd = co_await processor_summary(*d, q, true);
        ProcessorSummary pf = co_await processor_summary(*f, q, true);
        check.processor_default = pd.counts;
        check.processor_fallback = pf.counts;
      }
      HttpResult r = co_await official(b, http_verb::get, "/payments-summary" + q, "", "");
      std::optional<BackendSummary> bs;
      if (r.status == 200) bs = summary_parse_backend(r.body);
      check.backend = bs.value_or(BackendSummary{});
      const int64_t dd = check.backend.default_.requests - check.processor_default.requests;
      const int64_t df = check.backend.fallback_.requests - check.processor_fallback.requests;
      check.inconsistencies = sc_.compare == CompareMode::AbsOfSum ? std::llabs(dd + df)
                                                                  : std::llabs(dd) + std::llabs(df);
      res_.inconsistencies += check.inconsistencies;
      res_.checks.push_back(check);
      pause.expires_after(std::chrono::seconds(sc_.consistency_period_s));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    job_finished();
  }

  // Report-only polling, once per second, outside the official figures.
  asio::awaitable<void> monitor() {
    const asio::any_io_executor ex = io_.get_executor();
    std::optional<HttpConnection> m, d, f;
    if (metrics_) m.emplace(io_.get_executor(), *metrics_);
    if (!opt_.floor) { d.emplace(io_.get_executor(), default_); f.emplace(io_.get_executor(), fallback_); }
    int metrics_misses = (m || !metrics_unix_.empty()) ? 0 : 3;  // nowhere to read: never polled
    for (int64_t k = 0; !stop_monitor_; ++k) {
      co_await sleep_until(t0_ + std::chrono::seconds(k));
      if (stop_monitor_) break;
      MonitorSample s;
      s.at_ms = since_t0_ms();
      if (!opt_.floor) {
        const std::string q = all_time_query();
        ProcessorSummary pd = co_await processor_summary(*d, q, false);
        ProcessorSummary pf = co_await processor_summary(*f, q, false);
        s.default_requests = pd.counts.requests;
        s.fallback_requests = pf.counts.requests;
      }
      if (metrics_misses < 3) {
        HttpResult r;
        if (m) r = co_await m->request(http_verb::get, "/metrics", "", "", milliseconds(900));
        else r = co_await http_get_unix(ex, metrics_unix_, "/metrics", milliseconds(900));
        std::optional<double> v;
        if (r.status == 200) v = prometheus_gauge(r.body, "rinha_backlog_total");
        if (v) { s.backlog = *v; res_.backlog_seen = true; metrics_misses = 0; }
        else if (!res_.backlog_seen) ++metrics_misses;
      }
      res_.monitor.push_back(s);
      if (k > 0 && k % 10 == 0) progress(k, s);
    }
  }

  // One line on stderr every 10 s, so a long run never looks hung: elapsed, load, answers,
  // p99 of the last 10 s and so far, the backend's backlog, and the tool's own CPU.
  void progress(int64_t k, const MonitorSample& s) const {
    const auto& per_s = res_.official.per_second_us();
    std::vector<uint32_t> recent;
    for (int64_t i = std::max<int64_t>(0, k - 10); i < k && i < static_cast<int64_t>(per_s.size()); ++i)
      recent.insert(recent.end(), per_s[static_cast<size_t>(i)].begin(), per_s[static_cast<size_t>(i)].end());
    const double p99_recent = latency_summarize(std::move(recent)).p99_ms;
    const double p99_all = latency_summarize(res_.official.all_us()).p99_ms;
    const ToolUsage tool = tool_usage(t0_);
    std::string backlog = s.backlog >= 0 ? std::to_string(static_cast<long long>(s.backlog)) : std::string("n/a");
    std::fprintf(stderr, "rinha-load: t=%llds/%llds vus=%lld ok=%lld failed=%lld p99_10s=%.2fms p99=%.2fms backlog=%s tool_cpu=%.1fs\n",
                 static_cast<long long>(k), static_cast<long long>(sc_.duration_s),
                 static_cast<long long>(scenario_vus_at(sc_, std::min<int64_t>(k, sc_.duration_s) * 1000)),
                 static_cast<long long>(res_.payments_ok), static_cast<long long>(res_.payments_failed), p99_recent,
                 p99_all, backlog.c_str(), tool.cpu_user_s + tool.cpu_sys_s);
  }

  asio::awaitable<void> teardown() {
    const int64_t to = iso_now_ms();
    const int64_t from = to - sc_.teardown_window_s * 1000;
    res_.teardown_from_iso = iso_format_ms(from);
    res_.teardown_to_iso = iso_format_ms(to);
    const std::string q = window_query(from, to);
    if (!opt_.floor) {
      HttpConnection d(io_.get_executor(), default_), f(io_.get_executor(), fallback_);
      res_.teardown_default = co_await processor_summary(d, q, true);
      res_.teardown_fallback = co_await processor_summary(f, q, true);
    }
    if (sc_.teardown_source == TeardownSource::Backend || opt_.floor) {
      HttpConnection b(io_.get_executor(), backend_);
      HttpResult r = co_await official(b, http_verb::get, "/payments-summary" + q, "", "");
      std::optional<BackendSummary> bs;
      if (r.status == 200) bs = summary_parse_backend(r.body);
      if (!bs) res_.warnings.push_back("teardown: backend summary unreadable (HTTP " + std::to_string(r.status) + ")");
      res_.teardown_backend = bs.value_or(BackendSummary{});
    }
  }

  // Not part of the official test: leaves the simulators usable for the next local run.
  asio::awaitable<void> restore_processors() {
    HttpConnection d(io_.get_executor(), default_), f(io_.get_executor(), fallback_);
    HttpConnection* both[] = {&d, &f};
    const std::string token_body = "{\"token\":\"" + opt_.initial_processor_token + "\"}";
    for (HttpConnection* c : both) {
      co_await c->request(http_verb::put, "/admin/configurations/delay", "{\"delay\":0}", token_, timeout_);
      co_await c->request(http_verb::put, "/admin/configurations/failure", "{\"failure\":false}", token_, timeout_);
      co_await c->request(http_verb::put, "/admin/configurations/token", token_body, token_, timeout_);
    }
    token_ = opt_.initial_processor_token;  // what the processors accept from now on (drain)
  }

  // Polls the processors' all-time totals until they cover every accepted payment (or
  // drain_s passes): "lag" says what the score missed, this says what was never paid.
  asio::awaitable<void> drain() {
    HttpConnection d(io_.get_executor(), default_), f(io_.get_executor(), fallback_);
    const auto started = Clock::now();
    const auto limit = started + std::chrono::seconds(opt_.drain_s);
    asio::steady_timer pause(io_);
    DrainResult out;
    int polls = 0;
    for (;;) {
      const std::string q = all_time_query();
      ProcessorSummary pd = co_await processor_summary(d, q, false);
      ProcessorSummary pf = co_await processor_summary(f, q, false);
      out.stored = pd.counts.requests + pf.counts.requests;
      out.waited_s = std::chrono::duration<double>(Clock::now() - started).count();
      out.lost = res_.payments_ok - out.stored;
      if (out.lost <= 0 || Clock::now() >= limit) break;
      if (++polls % 20 == 0)
        std::fprintf(stderr, "rinha-load: drain %.0fs/%llds stored=%lld of %lld, waiting for %lld\n", out.waited_s,
                     static_cast<long long>(opt_.drain_s), static_cast<long long>(out.stored),
                     static_cast<long long>(res_.payments_ok), static_cast<long long>(out.lost));
      pause.expires_after(milliseconds(500));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    res_.drain = out;
  }

  asio::awaitable<void> main_flow() {
    t0_ = Clock::now();  // provisional, so setup latencies land in second 0
    if (!co_await setup()) {
      res_.aborted = true;
      co_return;
    }
    t0_ = Clock::now();
    res_.start_wall_ms = iso_now_ms();
    end_ = t0_ + std::chrono::seconds(sc_.duration_s);
    done_timer_.expires_at(Clock::time_point::max());

    asio::co_spawn(io_, monitor(), asio::detached);
    for (int64_t v = 1; v <= sc_.max_vus; ++v) {
      job_started();
      asio::co_spawn(io_, vu(v), asio::detached);
    }
    if (!opt_.floor)
      for (const Stage& st : sc_.stages) {
        job_started();
        asio::co_spawn(io_, stage(st), asio::detached);
      }
    job_started();
    asio::co_spawn(io_, consistency(), asio::detached);

    co_await done_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    res_.payment_phase_s = std::chrono::duration<double>(Clock::now() - t0_).count();
    co_await teardown();
    stop_monitor_ = true;
    if (!opt_.floor && opt_.restore_processors) co_await restore_processors();
    if (!opt_.floor && opt_.drain_s > 0) co_await drain();
  }

  const RunOptions& opt_;
  const Scenario& sc_;
  asio::io_context io_;
  Endpoint backend_, default_, fallback_;
  std::optional<Endpoint> metrics_;  // --metrics http://...
  std::string metrics_unix_;         // --metrics unix:PATH
  std::string token_;
  milliseconds timeout_{1500};
  Clock::time_point t0_, end_;
  asio::steady_timer done_timer_;
  int64_t pending_ = 0;
  bool stop_monitor_ = false;
  RunResult res_;
};

}  // namespace

RunResult runner_run(const RunOptions& options) {
  Run run(options);
  return run.run();
}

ToolUsage tool_usage(std::chrono::steady_clock::time_point started) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  ToolUsage u;
  u.cpu_user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
  u.cpu_sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  u.max_rss_kb = ru.ru_maxrss;
  u.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return u;
}

}  // namespace loadtool
