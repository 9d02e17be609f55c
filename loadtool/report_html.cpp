// Charts share one x axis (seconds since the payment phase began). Latency uses a log y
// axis because p50 sits near 1 ms while max can reach the 1500 ms timeout.
#include "report_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace loadtool {

namespace {

constexpr double kW = 1300, kH = 260, kLeft = 70, kRight = 20, kTop = 34, kBottom = 34;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Series {
  std::string name;
  std::string color;
  std::vector<double> y;  // one value per second; NaN = no data
};

std::string html_escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else o += c;
  }
  return o;
}

std::string condition_color(const ProcessorCondition& c) {
  if (c.failure) return "#e74c3c";
  if (c.delay_ms > 500) return "#e67e22";
  if (c.delay_ms > 20) return "#f1c40f";
  return "#2ecc71";
}

std::string condition_text(const ProcessorCondition& c) {
  return fmt::format("{}ms{}", c.delay_ms, c.failure ? " FAIL" : "");
}

double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string chart(const std::string& title, const std::string& unit, const std::vector<Series>& series,
                  double x_max, bool log_y, const Scenario& sc, bool floor) {
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  double y_max = 0;
  for (auto& s : series)
    for (double v : s.y)
      if (!std::isnan(v)) y_max = std::max(y_max, v);
  double y_lo = 0, y_hi = nice_ceiling(y_max * 1.05);
  if (log_y) {
    y_lo = 0.1;
    y_hi = std::pow(10.0, std::ceil(std::log10(std::max(y_max, 1.0))));
  }
  auto X = [&](double x) { return kLeft + pw * x / x_max; };
  auto Y = [&](double y) {
    double f = log_y ? (std::log10(std::max(y, y_lo)) - std::log10(y_lo)) / (std::log10(y_hi) - std::log10(y_lo))
                     : (y - y_lo) / (y_hi - y_lo);
    return kTop + ph * (1 - std::clamp(f, 0.0, 1.0));
  };

  std::string o = fmt::format(
      "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' viewBox='0 0 {} {}' "
      "font-family='sans-serif' font-size='11'>\n<rect width='100%' height='100%' fill='white'/>\n"
      "<text x='{}' y='16' font-size='14' font-weight='bold'>{}</text>\n",
      kW, kH, kW, kH, kLeft, html_escape(title));

  // Stage bands: alternating shade per stage, and two thin strips (default, fallback).
  if (!floor) {
    for (size_t i = 0; i < sc.stages.size(); ++i) {
      const double a = static_cast<double>(sc.stages[i].at_s);
      const double b = i + 1 < sc.stages.size() ? static_cast<double>(sc.stages[i + 1].at_s) : x_max;
      if (a >= x_max) break;
      o += fmt::format("<rect x='{:.1f}' y='{}' width='{:.1f}' height='{}' fill='{}'/>\n", X(a), kTop,
                       X(std::min(b, x_max)) - X(a), ph, i % 2 ? "#f4f4f4" : "#fbfbfb");
      o += fmt::format("<rect x='{:.1f}' y='{}' width='{:.1f}' height='5' fill='{}' opacity='0.8'><title>default {}</title></rect>\n",
                       X(a), kTop - 12, X(std::min(b, x_max)) - X(a), condition_color(sc.stages[i].default_),
                       condition_text(sc.stages[i].default_));
      o += fmt::format("<rect x='{:.1f}' y='{}' width='{:.1f}' height='5' fill='{}' opacity='0.8'><title>fallback {}</title></rect>\n",
                       X(a), kTop - 6, X(std::min(b, x_max)) - X(a), condition_color(sc.stages[i].fallback_),
                       condition_text(sc.stages[i].fallback_));
      o += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='#bbb' stroke-dasharray='3,3'/>\n",
                       X(a), kTop, kTop + ph);
    }
  }

  // Axes and grid.
  o += fmt::format("<rect x='{}' y='{}' width='{}' height='{}' fill='none' stroke='#888'/>\n", kLeft, kTop, pw, ph);
  const double x_step = x_max > 150 ? 30 : (x_max > 40 ? 10 : 5);
  for (double x = 0; x <= x_max + 1e-9; x += x_step)
    o += fmt::format("<text x='{:.1f}' y='{}' text-anchor='middle'>{}s</text>\n", X(x), kTop + ph + 14, x);
  std::vector<double> ticks;
  if (log_y) for (double t = y_lo; t <= y_hi * 1.001; t *= 10) ticks.push_back(t);
  else for (int i = 0; i <= 5; ++i) ticks.push_back(y_lo + (y_hi - y_lo) * i / 5);
  for (double t : ticks) {
    o += fmt::format("<line x1='{}' x2='{}' y1='{:.1f}' y2='{:.1f}' stroke='#ddd'/>\n", kLeft, kLeft + pw, Y(t), Y(t));
    o += fmt::format("<text x='{}' y='{:.1f}' text-anchor='end'>{:g}{}</text>\n", kLeft - 4, Y(t) + 4, t, unit);
  }

  // Series as polylines (broken at missing points), legend at the bottom right.
  double legend_x = kLeft + pw;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    legend_x -= 14 + 7.0 * it->name.size() + 16;
    o += fmt::format("<rect x='{:.1f}' y='{}' width='12' height='4' fill='{}'/><text x='{:.1f}' y='{}'>{}</text>\n",
                     legend_x, kH - 9, it->color, legend_x + 15, kH - 4, html_escape(it->name));
  }
  for (auto& s : series) {
    std::string pts;
    auto flush = [&] {
      if (!pts.empty())
        o += fmt::format("<polyline fill='none' stroke='{}' stroke-width='1.5' points='{}'/>\n", s.color, pts);
      pts.clear();
    };
    for (size_t i = 0; i < s.y.size(); ++i) {
      if (std::isnan(s.y[i])) { flush(); continue; }
      pts += fmt::format("{:.1f},{:.1f} ", X(static_cast<double>(i) + 0.5), Y(s.y[i]));
    }
    flush();
  }
  o += "</svg>\n";
  return o;
}

std::vector<double> to_series(const std::vector<int64_t>& v, size_t n) {
  std::vector<double> out(n, 0.0);
  for (size_t i = 0; i < std::min(n, v.size()); ++i) out[i] = static_cast<double>(v[i]);
  return out;
}

}  // namespace

std::string report_html(const ReportInput& in, const std::string& results_json) {
  const Scenario& sc = *in.scenario;
  const RunResult& run = *in.run;
  const ScoreResult& s = in.score;
  const bool floor = in.options->floor;
  const size_t n = static_cast<size_t>(std::ceil(std::max<double>(sc.duration_s, run.payment_phase_s)));
  const double x_max = static_cast<double>(n);

  // Latency per second.
  Series p50{"p50", "#3498db", {}}, p99{"p99", "#e67e22", {}}, mx{"max", "#c0392b", {}};
  const auto& per_s = run.official.per_second_us();
  for (size_t i = 0; i < n; ++i) {
    if (i >= per_s.size() || per_s[i].empty()) {
      p50.y.push_back(kNaN); p99.y.push_back(kNaN); mx.y.push_back(kNaN);
      continue;
    }
    LatencySummary ls = latency_summarize(per_s[i]);
    p50.y.push_back(ls.p50_ms); p99.y.push_back(ls.p99_ms); mx.y.push_back(ls.max_ms);
  }
  // Stored per processor per second, from the cumulative per-second polls.
  Series st_d{"default stored/s", "#27ae60", std::vector<double>(n, kNaN)};
  Series st_f{"fallback stored/s", "#8e44ad", std::vector<double>(n, kNaN)};
  Series backlog{"backlog (rinha_backlog_total)", "#34495e", std::vector<double>(n, kNaN)};
  for (size_t k = 1; k < run.monitor.size(); ++k) {
    const MonitorSample& a = run.monitor[k - 1];
    const MonitorSample& b = run.monitor[k];
    const size_t sec = static_cast<size_t>(std::max<int64_t>(0, a.at_ms / 1000));
    if (sec >= n) break;
    if (a.default_requests >= 0 && b.default_requests >= 0) st_d.y[sec] = double(b.default_requests - a.default_requests);
    if (a.fallback_requests >= 0 && b.fallback_requests >= 0) st_f.y[sec] = double(b.fallback_requests - a.fallback_requests);
  }
  for (const MonitorSample& m : run.monitor) {
    const size_t sec = static_cast<size_t>(std::max<int64_t>(0, m.at_ms / 1000));
    if (sec < n && m.backlog >= 0) backlog.y[sec] = m.backlog;
  }

  std::string h;
  h += "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>rinha-load: " + html_escape(sc.name) +
       "</title>\n<style>body{font-family:sans-serif;margin:20px;color:#222}table{border-collapse:collapse;margin:8px 0}"
       "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}"
       "td:first-child,th:first-child{text-align:left}.big{font-size:22px;font-weight:bold}"
       "pre{background:#f7f7f7;padding:8px;font-size:11px;max-height:400px;overflow:auto}"
       ".bad{color:#c0392b;font-weight:bold}</style></head><body>\n";
  h += fmt::format("<h1>{} &mdash; {}</h1>\n<p>{} &middot; backend {} &middot; {} VUs max over {} s &middot; teardown from {}</p>\n",
                   html_escape(sc.name), floor ? "FLOOR (trivial responder)" : "system under test",
                   html_escape(in.generated_at_iso), html_escape(in.options->backend_url), sc.max_vus, sc.duration_s,
                   sc.teardown_source == TeardownSource::Backend ? "backend summary" : "processors' summaries");
  if (run.aborted) h += "<p class='bad'>ABORTED: " + html_escape(run.abort_reason) + "</p>\n";
  h += fmt::format("<p class='big'>total_liquido {:.2f} &nbsp; p99 {:.2f} ms (bonus {:.2f}%) &nbsp; "
                   "inconsistencies {} &nbsp; lag {}{}</p>\n",
                   s.total_liquido_cents / 100.0, s.p99_ms, s.bonus_ppm / 1e4, in.score_input.inconsistencies, s.lag,
                   s.slush_fund ? " <span class='bad'>(negative: DISQUALIFIED)</span>" : "");
  if (in.floor_p99_ms)
    h += fmt::format("<p>Floor p99 (machine + tool, trivial responder): {:.2f} ms; this run minus floor: {:+.2f} ms.</p>\n",
                     *in.floor_p99_ms, in.official.p99_ms - *in.floor_p99_ms);

  h += "<table><tr><th>figure</th><th>value</th><th>figure</th><th>value</th></tr>\n";
  auto row = [&](const std::string& a, const std::string& av, const std::string& b, const std::string& bv) {
    h += "<tr><td>" + a + "</td><td>" + av + "</td><td>" + b + "</td><td>" + bv + "</td></tr>\n";
  };
  const double phase = run.payment_phase_s > 0 ? run.payment_phase_s : 1;
  row("total_bruto", fmt::format("{:.2f}", s.total_bruto_cents / 100.0), "POSTs 2XX / failed",
      fmt::format("{} / {} ({} timeouts)", in.score_input.payments_ok, in.score_input.payments_failed, run.payments_timeouts));
  row("total_taxas", fmt::format("{:.2f}", s.total_taxas_cents / 100.0), "requests / s (all, POST)",
      fmt::format("{:.1f}, {:.1f}", run.official_requests / phase,
                  (in.score_input.payments_ok + in.score_input.payments_failed) / phase));
  row("fine", fmt::format("{:.0f}% = {:.2f}", s.fine_ppm / 1e4, s.fine_cents / 100.0), "latency p50 / p90 ms",
      fmt::format("{:.2f} / {:.2f}", in.official.p50_ms, in.official.p90_ms));
  row("default: count, gross, fees",
      fmt::format("{}, {:.2f}, {:.2f}", in.score_input.default_.requests, in.score_input.default_.amount_cents / 100.0,
                  s.default_fee_cents / 100.0),
      "latency p99 / p99.9 / max ms", fmt::format("{:.2f} / {:.2f} / {:.2f}", in.official.p99_ms, in.official.p999_ms, in.official.max_ms));
  row("fallback: count, gross, fees",
      fmt::format("{}, {:.2f}, {:.2f}", in.score_input.fallback_.requests, in.score_input.fallback_.amount_cents / 100.0,
                  s.fallback_fee_cents / 100.0),
      "POST latency p50 / p99 ms", fmt::format("{:.2f} / {:.2f}", in.posts.p50_ms, in.posts.p99_ms));
  const double stored = static_cast<double>(s.stored_requests);
  row("share default / fallback",
      stored > 0 ? fmt::format("{:.1f}% / {:.1f}%", 100 * in.score_input.default_.requests / stored,
                               100 * in.score_input.fallback_.requests / stored) : "-",
      "tool CPU s (share of a core)",
      fmt::format("{:.2f} ({:.1f}%)", in.tool.cpu_user_s + in.tool.cpu_sys_s,
                  in.tool.wall_s > 0 ? 100 * (in.tool.cpu_user_s + in.tool.cpu_sys_s) / in.tool.wall_s : 0.0));
  h += "</table>\n";

  if (!floor && !sc.stages.empty()) {
    h += "<h3>Processor stages</h3><table><tr><th>from</th><th>default</th><th>fallback</th></tr>\n";
    for (const Stage& st : sc.stages)
      h += fmt::format("<tr><td>{} s</td><td style='background:{}'>{}</td><td style='background:{}'>{}</td></tr>\n", st.at_s,
                       condition_color(st.default_), condition_text(st.default_), condition_color(st.fallback_),
                       condition_text(st.fallback_));
    h += "</table><p>Strips above each chart: top = default, bottom = fallback (green &le;20 ms, yellow &le;500 ms, "
         "orange slower, red failing).</p>\n";
  }

  h += chart("Request latency per second (all requests of the test, 2XX/3XX)", "ms", {p50, p99, mx}, x_max, true, sc, floor);
  h += chart("POST /payments per second (by start second)", "",
             {{"sent", "#7f8c8d", to_series(run.posts_sent_per_s, n)},
              {"2XX", "#27ae60", to_series(run.posts_ok_per_s, n)},
              {"failed", "#c0392b", to_series(run.posts_failed_per_s, n)}},
             x_max, false, sc, floor);
  if (!floor) h += chart("Payments stored by each processor per second (polled admin summaries)", "", {st_d, st_f}, x_max, false, sc, floor);
  if (run.backlog_seen) h += chart("Backend queue depth (GET /metrics rinha_backlog_total)", "", {backlog}, x_max, false, sc, floor);
  else h += "<p>Queue depth: no <code>rinha_backlog_total</code> gauge was read (no <code>--metrics</code> given, or it did not answer).</p>\n";

  h += "<h3>Consistency checks</h3><table><tr><th>at</th><th>backend default</th><th>processor default</th>"
       "<th>backend fallback</th><th>processor fallback</th><th>inconsistencies</th></tr>\n";
  for (const ConsistencyCheck& c : run.checks)
    h += fmt::format("<tr><td>{:.1f} s</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td></tr>\n", c.at_ms / 1000.0,
                     c.backend.default_.requests, c.processor_default.requests, c.backend.fallback_.requests,
                     c.processor_fallback.requests, c.inconsistencies ? " class='bad'" : "", c.inconsistencies);
  h += "</table>\n";
  if (!run.warnings.empty()) {
    h += "<h3>Warnings</h3><ul>\n";
    for (auto& w : run.warnings) h += "<li>" + html_escape(w) + "</li>\n";
    h += "</ul>\n";
  }
  std::string embedded = results_json;
  for (size_t p = 0; (p = embedded.find("</", p)) != std::string::npos; p += 3) embedded.replace(p, 2, "<\\/");
  h += "<h3>results.json</h3><pre>" + html_escape(results_json) + "</pre>\n";
  h += "<script type='application/json' id='results'>" + embedded + "</script>\n</body></html>\n";
  return h;
}

}  // namespace loadtool
