// A small hand JSON writer, so money prints as 1234.56 rather than a float's 1.23456E3.
#include "results_json.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace loadtool {

namespace {

class JsonWriter {
 public:
  void open(std::string_view key, char bracket) {
    prefix(key);
    out_ += bracket;
    ++depth_;
    first_ = true;
  }
  void close(char bracket) {
    --depth_;
    out_ += '\n';
    out_.append(static_cast<size_t>(2 * depth_), ' ');
    out_ += bracket;
    first_ = false;
  }
  void raw(std::string_view key, std::string_view value) { prefix(key); out_ += value; }
  void str(std::string_view key, std::string_view value) { raw(key, quote(value)); }
  void num(std::string_view key, int64_t v) { raw(key, std::to_string(v)); }
  void num(std::string_view key, double v, int decimals = 3) { raw(key, fmt::format("{:.{}f}", v, decimals)); }
  void money(std::string_view key, int64_t cents) { raw(key, money_text(cents)); }
  void boolean(std::string_view key, bool v) { raw(key, v ? "true" : "false"); }
  std::string take() { return std::move(out_) + "\n"; }

  static std::string money_text(int64_t cents) {
    const char* sign = cents < 0 ? "-" : "";
    const int64_t a = cents < 0 ? -cents : cents;
    return fmt::format("{}{}.{:02d}", sign, a / 100, a % 100);
  }
  static std::string quote(std::string_view s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') { q += '\\'; q += c; }
      else if (static_cast<unsigned char>(c) < 0x20) q += fmt::format("\\u{:04x}", static_cast<int>(c));
      else q += c;
    }
    return q + "\"";
  }

 private:
  void prefix(std::string_view key) {
    if (depth_ > 0) {
      if (!first_) out_ += ',';
      out_ += '\n';
      out_.append(static_cast<size_t>(2 * depth_), ' ');
    }
    first_ = false;
    if (!key.empty()) { out_ += quote(key); out_ += ": "; }
  }

  std::string out_;
  bool first_ = true;
  int depth_ = 0;
};

// Scoped helper keeps open and close paired.
struct Obj {
  Obj(JsonWriter& w, std::string_view key, char open = '{') : w_(w), close_(open == '{' ? '}' : ']') {
    w_.open(key, open);
  }
  ~Obj() { w_.close(close_); }
  JsonWriter& w_;
  char close_;
};

void latency_block(JsonWriter& w, std::string_view key, const LatencySummary& s) {
  Obj o(w, key);
  w.num("count", s.count);
  w.num("p50", s.p50_ms);
  w.num("p90", s.p90_ms);
  w.num("p99", s.p99_ms);
  w.num("p99_9", s.p999_ms);
  w.num("max", s.max_ms);
  w.num("mean", s.mean_ms);
}

}  // namespace

std::string results_json(const ReportInput& in) {
  const Scenario& sc = *in.scenario;
  const RunResult& run = *in.run;
  const ScoreResult& s = in.score;
  const ScoreInput& si = in.score_input;
  JsonWriter w;
  {
    Obj root(w, "");
    w.str("participante", "local");
    w.str("cenario", sc.name);
    w.str("modo", in.options->floor ? "floor" : "system");
    w.str("timestamp", in.generated_at_iso);
    w.money("total_liquido", s.total_liquido_cents);
    w.money("total_bruto", s.total_bruto_cents);
    w.money("total_taxas", s.total_taxas_cents);
    w.str("descricao", "total_liquido = (total_bruto - total_taxas) * (1 + p99.bonus - multa.porcentagem)");
    {
      Obj o(w, "p99");
      w.str("valor", fmt::format("{:.2f}ms", s.p99_ms));
      w.num("valor_ms", s.p99_ms, 3);
      w.num("bonus", static_cast<double>(s.bonus_ppm) / 1e6, 4);
      w.money("bonus_total", s.bonus_cents);
      w.num("max_requests", sc.max_vus);
      w.str("descricao", "bonus = max((11 - p99.valor) * 0.02, 0)");
    }
    {
      Obj o(w, "multa");
      w.num("porcentagem", static_cast<double>(s.fine_ppm) / 1e6, 2);
      w.money("total", s.fine_cents);
      Obj c(w, "composicao");
      w.num("num_inconsistencias", si.inconsistencies);
      w.money("total_bruto_esperado", s.expected_gross_cents);
      w.str("descricao", "35% fine when num_inconsistencias > 0");
    }
    {
      Obj o(w, "caixa_dois");
      w.boolean("detectado", s.slush_fund);
      w.str("descricao", "lag < 0: more payments recorded than requested -> disqualified");
    }
    {
      Obj o(w, "lag");
      w.num("num_pagamentos_total", s.stored_requests);
      w.num("num_pagamentos_solicitados", si.payments_ok);
      w.num("lag", s.lag);
    }
    {
      Obj o(w, "pagamentos_solicitados");
      w.num("qtd_sucesso", si.payments_ok);
      w.num("qtd_falha", si.payments_failed);
    }
    {
      Obj o(w, "pagamentos_realizados_default");
      w.money("total_bruto", si.default_.amount_cents);
      w.num("num_pagamentos", si.default_.requests);
      w.money("total_taxas", s.default_fee_cents);
    }
    {
      Obj o(w, "pagamentos_realizados_fallback");
      w.money("total_bruto", si.fallback_.amount_cents);
      w.num("num_pagamentos", si.fallback_.requests);
      w.money("total_taxas", s.fallback_fee_cents);
    }
    {
      Obj local(w, "local");
      w.str("teardown_source", sc.teardown_source == TeardownSource::Backend ? "backend" : "processors");
      w.str("teardown_from", run.teardown_from_iso);
      w.str("teardown_to", run.teardown_to_iso);
      w.num("duration_s", sc.duration_s);
      w.num("payment_phase_s", run.payment_phase_s, 3);
      w.num("net_vs_default_ppm", s.net_vs_default_ppm);
      if (run.drain) {
        Obj o(w, "drain");
        w.num("stored", run.drain->stored);
        w.num("lost", run.drain->lost);
        w.num("waited_s", run.drain->waited_s, 1);
      }
      latency_block(w, "latency_ms", in.official);
      latency_block(w, "post_latency_ms", in.posts);
      w.num("requests_total", run.official_requests);
      w.num("requests_unexpected", run.official_unexpected);
      const double phase = run.payment_phase_s > 0 ? run.payment_phase_s : 1;
      w.num("requests_per_s", static_cast<double>(run.official_requests) / phase, 1);
      w.num("posts_per_s", static_cast<double>(si.payments_ok + si.payments_failed) / phase, 1);
      w.num("post_timeouts", run.payments_timeouts);
      {
        Obj o(w, "post_status_counts");
        for (auto& [status, n] : run.post_status_counts) w.num(status == 0 ? "no_response" : std::to_string(status), n);
      }
      {
        Obj o(w, "share");
        const double total = static_cast<double>(s.stored_requests);
        w.num("default", total > 0 ? si.default_.requests / total : 0.0, 4);
        w.num("fallback", total > 0 ? si.fallback_.requests / total : 0.0, 4);
      }
      {
        Obj o(w, "fee_per_transaction");
        w.num("default", si.default_.fee_ppm / 1e6, 4);
        w.num("fallback", si.fallback_.fee_ppm / 1e6, 4);
        w.str("source", in.fees_from_processors ? "processors" : "scenario");
      }
      w.num("inconsistencies", run.inconsistencies);
      {
        Obj arr(w, "consistency_checks", '[');
        for (const ConsistencyCheck& c : run.checks) {
          Obj o(w, "");
          w.num("at_s", c.at_ms / 1000.0, 1);
          w.num("backend_default", c.backend.default_.requests);
          w.num("processor_default", c.processor_default.requests);
          w.num("backend_fallback", c.backend.fallback_.requests);
          w.num("processor_fallback", c.processor_fallback.requests);
          w.num("inconsistencies", c.inconsistencies);
        }
      }
      {
        Obj o(w, "tool");
        w.num("cpu_s", in.tool.cpu_user_s + in.tool.cpu_sys_s, 3);
        w.num("cpu_user_s", in.tool.cpu_user_s, 3);
        w.num("cpu_sys_s", in.tool.cpu_sys_s, 3);
        w.num("wall_s", in.tool.wall_s, 3);
        w.num("cpu_share_of_one_core", in.tool.wall_s > 0 ? (in.tool.cpu_user_s + in.tool.cpu_sys_s) / in.tool.wall_s : 0.0, 4);
        w.num("max_rss_kb", static_cast<int64_t>(in.tool.max_rss_kb));
      }
      if (in.floor_p99_ms) {
        w.num("floor_p99_ms", *in.floor_p99_ms, 3);
        w.num("p99_over_floor_ms", in.official.p99_ms - *in.floor_p99_ms, 3);
      }
      w.boolean("backlog_seen", run.backlog_seen);
      w.boolean("aborted", run.aborted);
      w.str("abort_reason", run.abort_reason);
      {
        Obj arr(w, "warnings", '[');
        for (const std::string& m : run.warnings) w.str("", m);
      }
    }
  }
  return w.take();
}

std::optional<double> results_read_p99(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  boost::json::error_code ec;
  auto v = boost::json::parse(ss.str(), ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* p = v.as_object().if_contains("p99");
  if (!p || !p->is_object()) return std::nullopt;
  auto* ms = p->as_object().if_contains("valor_ms");
  if (!ms) return std::nullopt;
  if (ms->is_double()) return ms->as_double();
  if (ms->is_int64()) return static_cast<double>(ms->as_int64());
  return std::nullopt;
}

}  // namespace loadtool
