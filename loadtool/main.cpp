// rinha-load: replays an official Rinha 2025 test schedule against a backend and two
// payment processors, writes results.json (official fields + local figures) and report.html.
#include "iso_time.hpp"
#include "latency.hpp"
#include "report_html.hpp"
#include "report_input.hpp"
#include "results_json.hpp"
#include "runner.hpp"
#include "scenario.hpp"
#include "score.hpp"


#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: rinha-load --scenario FILE --out DIR [--backend URL] [--default URL] [--fallback URL]\n"
    "                  [--floor] [--backend-token T] [--processor-token T] [--compare-floor RESULTS.json]\n"
    "                  [--expect-all-ok] [--no-restore] [--drain-s N] [--metrics URL|unix:PATH]\n"
    "  defaults: backend http://127.0.0.1:9999, default http://127.0.0.1:8001, fallback http://127.0.0.1:8002\n"
    "  --metrics        where the backend's GET /metrics is (an API's admin listener), polled each\n"
    "                   second for the report's queue-depth chart; unset: not polled\n"
    "  --floor          trivial responder mode: no processor calls (setup, stages, audits skip them)\n"
    "  --expect-all-ok  exit 3 unless every POST /payments was answered 2XX\n"
    "  --no-restore     leave processors' delay/failure/token as the test left them\n"
    "  --drain-s N      after the score (and the restore), wait up to N s for the processors to hold\n"
    "                   every accepted payment; prints lost= (never stored) and exits 4 if not 0\n";

struct Cli {
  loadtool::RunOptions run;
  std::string scenario_path, out_dir, compare_floor;
  bool expect_all_ok = false;
};

Cli parse_cli(int argc, char** argv) {
  Cli c;
  c.run.backend_url = "http://127.0.0.1:9999";
  c.run.default_url = "http://127.0.0.1:8001";
  c.run.fallback_url = "http://127.0.0.1:8002";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + a);
      return argv[++i];
    };
    if (a == "--scenario") c.scenario_path = value();
    else if (a == "--out") c.out_dir = value();
    else if (a == "--backend") c.run.backend_url = value();
    else if (a == "--metrics") c.run.metrics_url = value();
    else if (a == "--default") c.run.default_url = value();
    else if (a == "--fallback") c.run.fallback_url = value();
    else if (a == "--floor") c.run.floor = true;
    else if (a == "--backend-token") c.run.backend_token = value();
    else if (a == "--processor-token") c.run.initial_processor_token = value();
    else if (a == "--compare-floor") c.compare_floor = value();
    else if (a == "--expect-all-ok") c.expect_all_ok = true;
    else if (a == "--no-restore") c.run.restore_processors = false;
    else if (a == "--drain-s") c.run.drain_s = std::stoll(value());
    else if (a == "-h" || a == "--help") { std::fputs(kUsage, stdout); std::exit(0); }
    else throw std::runtime_error("unknown argument " + a);
  }
  if (c.scenario_path.empty() || c.out_dir.empty()) throw std::runtime_error("--scenario and --out are required");
  return c;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loadtool;
  const auto started = std::chrono::steady_clock::now();
  Cli cli;
  try {
    cli = parse_cli(argc, argv);
    cli.run.scenario = scenario_load(cli.scenario_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rinha-load: %s\n%s", e.what(), kUsage);
    return 2;
  }
  const Scenario& sc = cli.run.scenario;
  std::fprintf(stderr, "rinha-load: scenario %s (%llds, %lld VUs) against %s%s\n", sc.name.c_str(),
               static_cast<long long>(sc.duration_s), static_cast<long long>(sc.max_vus), cli.run.backend_url.c_str(),
               cli.run.floor ? " [floor]" : "");

  RunResult run;
  try {
    run = runner_run(cli.run);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rinha-load: %s\n", e.what());
    return 2;
  }

  ReportInput in;
  in.scenario = &sc;
  in.options = &cli.run;
  in.run = &run;
  in.generated_at_iso = iso_format_ms(iso_now_ms());
  in.official = latency_summarize(run.official.all_us());
  in.posts = latency_summarize(run.posts.all_us());

  ScoreInput& si = in.score_input;
  si.payments_ok = run.payments_ok;
  si.payments_failed = run.payments_failed;
  si.amount_cents = sc.amount_cents;
  si.p99_ms = in.official.p99_ms;
  si.inconsistencies = run.inconsistencies;
  si.round_like_final = sc.round_like_final;
  const int64_t proc_fee_d = run.teardown_default ? run.teardown_default->fee_ppm : 0;
  const int64_t proc_fee_f = run.teardown_fallback ? run.teardown_fallback->fee_ppm : 0;
  in.fees_from_processors = proc_fee_d > 0 && proc_fee_f > 0;
  si.default_.fee_ppm = proc_fee_d > 0 ? proc_fee_d : sc.default_fee_ppm;
  si.fallback_.fee_ppm = proc_fee_f > 0 ? proc_fee_f : sc.fallback_fee_ppm;
  if (sc.teardown_source == TeardownSource::Backend || cli.run.floor) {
    BackendSummary b = run.teardown_backend.value_or(BackendSummary{});
    si.default_.requests = b.default_.requests;
    si.default_.amount_cents = b.default_.amount_cents;
    si.fallback_.requests = b.fallback_.requests;
    si.fallback_.amount_cents = b.fallback_.amount_cents;
  } else {
    if (run.teardown_default) {
      si.default_.requests = run.teardown_default->counts.requests;
      si.default_.amount_cents = run.teardown_default->counts.amount_cents;
    }
    if (run.teardown_fallback) {
      si.fallback_.requests = run.teardown_fallback->counts.requests;
      si.fallback_.amount_cents = run.teardown_fallback->counts.amount_cents;
    }
  }
  in.score = score_compute(si);
  if (!cli.compare_floor.empty()) in.floor_p99_ms = results_read_p99(cli.compare_floor);
  in.tool = loadtool::tool_usage(started);

  try {
    std::filesystem::create_directories(cli.out_dir);
    const std::string json = results_json(in);
    write_file(std::filesystem::path(cli.out_dir) / "results.json", json);
    write_file(std::filesystem::path(cli.out_dir) / "report.html", report_html(in, json));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rinha-load: %s\n", e.what());
    return 2;
  }

  const ScoreResult& s = in.score;
  std::string drain_text;
  if (run.drain) {
    drain_text = " lost=" + std::to_string(run.drain->lost) + " drain_s=" + std::to_string(std::lround(run.drain->waited_s));
  }
  std::printf("%s%s: total_liquido=%.2f total_bruto=%.2f total_taxas=%.2f p99=%.2fms bonus=%.2f%% "
              "inconsistencies=%lld lag=%lld net_vs_default=%.2f%%%s ok=%lld failed=%lld p50=%.2fms max=%.1fms "
              "tool_cpu=%.2fs report=%s/report.html\n",
              sc.name.c_str(), cli.run.floor ? " [floor]" : "", s.total_liquido_cents / 100.0, s.total_bruto_cents / 100.0,
              s.total_taxas_cents / 100.0, s.p99_ms, s.bonus_ppm / 1e4, static_cast<long long>(si.inconsistencies),
              static_cast<long long>(s.lag), s.net_vs_default_ppm / 1e4, drain_text.c_str(),
              static_cast<long long>(si.payments_ok),
              static_cast<long long>(si.payments_failed), in.official.p50_ms, in.official.max_ms,
              in.tool.cpu_user_s + in.tool.cpu_sys_s, cli.out_dir.c_str());
  for (const std::string& w : run.warnings) std::fprintf(stderr, "rinha-load: warning: %s\n", w.c_str());
  if (run.aborted) {
    std::fprintf(stderr, "rinha-load: aborted: %s\n", run.abort_reason.c_str());
    return 1;
  }
  if (run.drain && run.drain->lost != 0) {
    std::fprintf(stderr, "rinha-load: %lld accepted payments not stored once after %.0f s of drain\n",
                 static_cast<long long>(run.drain->lost), run.drain->waited_s);
    return 4;
  }
  if (cli.expect_all_ok && (si.payments_failed > 0 || si.payments_ok == 0)) {
    std::fprintf(stderr, "rinha-load: %lld POSTs were not answered 2XX\n", static_cast<long long>(si.payments_failed));
    return 3;
  }
  return 0;
}
