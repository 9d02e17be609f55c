// The configuration table: one row per variable {name, default, min, max, field}, in the
// manner of Redis's settings table. Adding a knob is adding a row.
#include "config.hpp"

#include <charconv>
#include <fmt/format.h>
#include <stdexcept>
#include <string_view>

namespace rinha {
namespace {

enum class Kind { integer, duration_ms, text, url };

struct Row {
  const char* variable;
  const char* default_text;
  Kind kind;
  int64_t min;
  int64_t max;
  const char* description;
  void (*set_int)(Config&, int64_t);
  void (*set_text)(Config&, std::string);
};

// Durations accept "500ms", "5s", "1m" or a bare number of milliseconds.
int64_t parse_duration_ms(const char* var, std::string_view text) {
  int64_t value = 0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
  if (res.ec != std::errc{} || value < 0) throw std::invalid_argument(fmt::format("{}: '{}' is not a duration (e.g. 500ms, 5s)", var, text));
  const std::string_view unit(res.ptr, text.data() + text.size() - res.ptr);
  if (unit.empty() || unit == "ms") return value;
  if (unit == "s") return value * 1000;
  if (unit == "m") return value * 60000;
  throw std::invalid_argument(fmt::format("{}: unknown unit '{}' (use ms, s or m)", var, unit));
}

Endpoint parse_url(const char* var, const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) throw std::invalid_argument(fmt::format("{}: '{}' must start with http://", var, url));
  std::string rest = url.substr(scheme.size());
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  Endpoint e{url, rest, "80"};
  if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    e.host = rest.substr(0, colon);
    e.port = rest.substr(colon + 1);
  }
  if (e.host.empty() || e.port.empty()) throw std::invalid_argument(fmt::format("{}: '{}' has no host", var, url));
  while (e.url.size() > scheme.size() && e.url.back() == '/') e.url.pop_back();
  return e;
}

const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      {"APP_PORT", "3000", Kind::integer, 0, 65535, "TCP port of the HTTP API (ignored when APP_SOCKET is set)",
       [](Config& c, int64_t v) { c.app_port = static_cast<int>(v); }, nullptr},
      {"APP_SOCKET", "", Kind::text, 0, 0, "unix socket path to serve the API on instead of APP_PORT", nullptr,
       [](Config& c, std::string v) { c.app_socket = std::move(v); }},
      {"ADMIN_PORT", "9100", Kind::integer, 0, 65535, "TCP port of GET /metrics and GET /health (ignored when ADMIN_SOCKET is set); the API's port answers them 404",
       [](Config& c, int64_t v) { c.admin_port = static_cast<int>(v); }, nullptr},
      {"ADMIN_SOCKET", "", Kind::text, 0, 0, "unix socket path (mode 0600) to serve /metrics and /health on instead of ADMIN_PORT", nullptr,
       [](Config& c, std::string v) { c.admin_socket = std::move(v); }},
      {"APP_NAME", "1", Kind::integer, 1, 1024, "instance number, unique per instance; selects the queue payments:queue:<n> (any instance may hold the health lease)",
       [](Config& c, int64_t v) { c.app_name = static_cast<int>(v); }, nullptr},
      {"REDIS_HOST", "127.0.0.1", Kind::text, 0, 0, "Redis host", nullptr,
       [](Config& c, std::string v) { c.redis_host = std::move(v); }},
      {"REDIS_PORT", "6379", Kind::integer, 1, 65535, "Redis port",
       [](Config& c, int64_t v) { c.redis_port = static_cast<int>(v); }, nullptr},
      {"REDIS_SOCKET", "", Kind::text, 0, 0, "Redis unix socket path; when set, used instead of host and port", nullptr,
       [](Config& c, std::string v) { c.redis_socket = std::move(v); }},
      {"REDIS_PASSWORD", "", Kind::text, 0, 0, "password sent with AUTH on every Redis connection; empty: none", nullptr,
       [](Config& c, std::string v) { c.redis_password = std::move(v); }},
      {"PROCESSOR_DEFAULT_URL", "http://payment-processor-default:8080", Kind::url, 0, 0, "default (cheap) processor", nullptr,
       [](Config& c, std::string v) { c.processor_default = parse_url("PROCESSOR_DEFAULT_URL", v); }},
      {"PROCESSOR_FALLBACK_URL", "http://payment-processor-fallback:8080", Kind::url, 0, 0, "fallback (dear) processor", nullptr,
       [](Config& c, std::string v) { c.processor_fallback = parse_url("PROCESSOR_FALLBACK_URL", v); }},
      {"HEALTH_TIMEOUT", "6s", Kind::duration_ms, 1, 60000, "deadline of one health-check call (a call the rate limiter queues is answered within one 5 s window)",
       [](Config& c, int64_t v) { c.health_timeout_ms = v; }, nullptr},
      {"HEALTH_INTERVAL", "5s", Kind::duration_ms, 5000, 600000, "period of health checks per processor (never under 5 s: the processors' rate limit)",
       [](Config& c, int64_t v) { c.health_interval_ms = v; }, nullptr},
      {"LATENCY_DIFF_TO_USE_FALLBACK", "1000ms", Kind::duration_ms, 0, 600000, "use fallback when default's minResponseTime exceeds fallback's by more than this (seed: 100ms; see README)",
       [](Config& c, int64_t v) { c.latency_diff_ms = v; }, nullptr},
      {"DEFAULT_OUTAGE_WAIT", "90s", Kind::duration_ms, 0, 600000, "while only the fallback is healthy, hold payments up to this long for the cheap default before paying the fallback (0: the seed's behaviour; see README)",
       [](Config& c, int64_t v) { c.default_outage_wait_ms = v; }, nullptr},
      {"WORKERS", "400", Kind::integer, 1, 4096, "payments in flight to processors per instance (two instances x 400 = the processors' 800 concurrent requests)",
       [](Config& c, int64_t v) { c.workers = v; }, nullptr},
      {"MAX_SEND_RATE", "0", Kind::integer, 0, 1000000, "ceiling of the payments taken per second per instance (0: none); below it the rate adapts to Redis's round-trip time and the processors' 429s (see README, \"Pacing\")",
       [](Config& c, int64_t v) { c.max_send_rate = v; }, nullptr},
      {"PACER_LAG_LIMIT", "3ms", Kind::duration_ms, 1, 1000, "a drain halves its take rate when one of this instance's timers fires this late (its event loop was held; see README, \"Pacing\")",
       [](Config& c, int64_t v) { c.pacer_lag_limit_ms = v; }, nullptr},
      {"PACER_RTT_SLACK", "5ms", Kind::duration_ms, 0, 1000, "a drain halves its take rate when the smoothed Redis round trip exceeds 4x its recent minimum and the minimum plus this (see README, \"Pacing\")",
       [](Config& c, int64_t v) { c.pacer_rtt_slack_ms = v; }, nullptr},
      {"BATCH_WINDOW", "100ms", Kind::duration_ms, 0, 1000, "payments taken and settled within this window go to Redis as one call each (0: one event-loop turn)",
       [](Config& c, int64_t v) { c.batch_window_ms = v; }, nullptr},
      {"HANDOFF", "1", Kind::integer, 0, 1, "1: while nothing is queued, the intake pins a payment straight into the processing list for a free worker (README, \"Straight to a worker\"); 0: every payment goes through the queue and a take",
       [](Config& c, int64_t v) { c.handoff = v != 0; }, nullptr},
      {"PROCESSOR_TIMEOUT", "3s", Kind::duration_ms, 1, 600000, "deadline of one payment call to a processor",
       [](Config& c, int64_t v) { c.processor_timeout_ms = v; }, nullptr},
      {"BACKOFF_BASE", "20ms", Kind::duration_ms, 1, 60000, "first retry delay; doubles per attempt",
       [](Config& c, int64_t v) { c.backoff_base_ms = v; }, nullptr},
      {"BACKOFF_MAX", "2s", Kind::duration_ms, 1, 600000, "largest retry delay",
       [](Config& c, int64_t v) { c.backoff_max_ms = v; }, nullptr},
      {"HOLD_RETRY", "30s", Kind::duration_ms, 100, 3600000, "a payment a processor refused with a 4XX other than 422/429 (a wrong URL, an auth proxy) is held this long, then tried again; never dropped",
       [](Config& c, int64_t v) { c.hold_retry_ms = v; }, nullptr},
      {"DOUBT_LOOKUP_AFTER", "30s", Kind::duration_ms, 2, 3600000, "a payment in doubt whose processor keeps failing this long is no longer sent; it is settled by GET /payments/{id} once no send is younger than this (must exceed PROCESSOR_TIMEOUT and any delay a processor holds a request)",
       [](Config& c, int64_t v) { c.doubt_lookup_after_ms = v; }, nullptr},
      {"BREAKER_POLL", "50ms", Kind::duration_ms, 5, 10000, "period of the breaker loop; the colour and failure signals are read from Redis at this period only while its listener (which waits in Redis for them) cannot help",
       [](Config& c, int64_t v) { c.breaker_poll_ms = v; }, nullptr},
      {"REDIS_TIMEOUT", "2s", Kind::duration_ms, 10, 60000, "deadline of one Redis command",
       [](Config& c, int64_t v) { c.redis_timeout_ms = v; }, nullptr},
      {"HTTP_IDLE_TIMEOUT", "60s", Kind::duration_ms, 100, 3600000, "keep-alive connections idle longer than this are closed",
       [](Config& c, int64_t v) { c.http_idle_timeout_ms = v; }, nullptr},
      {"IDS_HORIZON", "2m", Kind::duration_ms, 0, 86400000, "a correlationId is remembered (a replay answers 200 duplicate) for at least this long, at most twice; replayed later, it is accepted and paid again (0: for ever; see README \"Books\")",
       [](Config& c, int64_t v) { c.ids_horizon_ms = v; }, nullptr},
      {"LEDGER_HORIZON", "3m", Kind::duration_ms, 0, 86400000, "per-payment ledger members are kept this long: summaries are exact to the ms within it; an older window edge is rounded outward to its whole second (0: for ever; see README \"Books\")",
       [](Config& c, int64_t v) { c.ledger_horizon_ms = v; }, nullptr},
      {"INTAKE_ACK_BUDGET", "0", Kind::duration_ms, 0, 60000, "POST /payments waits at most this long for Redis's answer to its intake; past it (0: at once), 202 is answered and the intake goes on until Redis has the payment, a replay found then being dropped (at least REDIS_TIMEOUT: always wait, and answer a replay 200; see README \"Answering before Redis\")",
       [](Config& c, int64_t v) { c.intake_ack_budget_ms = v; }, nullptr},
      {"INTAKE_WINDOW", "20ms", Kind::duration_ms, 0, 1000, "with INTAKE_ACK_BUDGET 0, the intakes of this window go to Redis as one script call (their 202s do not wait for it; a handed-over payment's send does); 0, or a non-zero INTAKE_ACK_BUDGET: one call per payment, at once (see README \"Answering before Redis\")",
       [](Config& c, int64_t v) { c.intake_window_ms = v; }, nullptr},
      {"INTAKE_MEMORY_LIMIT", "90", Kind::integer, 0, 100, "percent of Redis's maxmemory past which POST /payments answers 503 (what is accepted still settles; 0: no limit)",
       [](Config& c, int64_t v) { c.intake_memory_percent = v; }, nullptr},
      {"PURGE_TOKEN", "", Kind::text, 0, 0, "token that POST /purge-payments must carry in X-Rinha-Token; empty disables purging", nullptr,
       [](Config& c, std::string v) { c.purge_token = std::move(v); }},
      {"LOG_LEVEL", "info", Kind::text, 0, 0, "debug, info, warn or error", nullptr,
       [](Config& c, std::string v) {
         if (v != "debug" && v != "info" && v != "warn" && v != "error") throw std::invalid_argument("LOG_LEVEL: use debug, info, warn or error");
         c.log_level = std::move(v);
       }},
  };
  return table;
}

}  // namespace

Config load_config(const EnvLookup& getenv_fn) {
  Config c;
  for (const Row& row : rows()) {
    const char* raw = getenv_fn(row.variable);
    const std::string text = (raw && *raw) ? raw : row.default_text;
    c.effective.emplace_back(row.variable, text);
    if (row.kind == Kind::text || row.kind == Kind::url) {
      row.set_text(c, text);
      continue;
    }
    int64_t value = 0;
    if (row.kind == Kind::duration_ms) {
      value = parse_duration_ms(row.variable, text);
    } else {
      const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
      if (res.ec != std::errc{} || res.ptr != text.data() + text.size()) {
        throw std::invalid_argument(fmt::format("{}: '{}' is not an integer", row.variable, text));
      }
    }
    if (value < row.min || value > row.max) {
      throw std::invalid_argument(fmt::format("{}: {} is outside [{}, {}]", row.variable, text, row.min, row.max));
    }
    row.set_int(c, value);
  }
  // A not-found lookup may unpin a payment only when no send of it can still land: the
  // quiet time must outlast every send's deadline (worker_pool.cpp, settle_by_lookup).
  if (c.doubt_lookup_after_ms <= c.processor_timeout_ms) {
    throw std::invalid_argument(fmt::format("DOUBT_LOOKUP_AFTER: {} ms must exceed PROCESSOR_TIMEOUT ({} ms)",
                                            c.doubt_lookup_after_ms, c.processor_timeout_ms));
  }
  // The upkeep (app.cpp, once a second) gives each id bucket its expiry while the bucket is
  // the current or the previous one, 2 horizons: a shorter horizon could skip a bucket,
  // which would then never expire.
  if (c.ids_horizon_ms != 0 && c.ids_horizon_ms < 2000) {
    throw std::invalid_argument(fmt::format("IDS_HORIZON: {} ms must be 0 (for ever) or at least 2s", c.ids_horizon_ms));
  }
  return c;
}

const std::vector<ConfigDoc>& config_docs() {
  static const std::vector<ConfigDoc> docs = [] {
    std::vector<ConfigDoc> out;
    for (const Row& r : rows()) out.push_back({r.variable, r.default_text, r.description});
    return out;
  }();
  return docs;
}

Config default_config() {
  return load_config([](const char*) -> const char* { return nullptr; });
}

std::string describe(const Config& c) {
  std::string out;
  for (const auto& [name, text] : c.effective) {
    const std::string_view n = name;
    const bool secret = n.ends_with("_TOKEN") || n.ends_with("_PASSWORD");
    if (!out.empty()) out += ' ';
    out += name;
    out += '=';
    if (secret) out += text.empty() ? "unset" : "set";
    else out += text.empty() ? "-" : text;
  }
  return out;
}

}  // namespace rinha
