// Configuration: parsed once from the environment into one struct, validated with messages
// that name the variable, logged at start. Nothing else in the program reads the environment.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rinha {

struct Endpoint {  // parsed http://host:port
  std::string url;
  std::string host;
  std::string port;
};

// Every field is set by load_config() from the table in config.cpp, the one place that
// holds the defaults; default_config() is the table's defaults alone (for tests and tools).
struct Config {
  int app_port{};
  std::string app_socket;          // unix socket path; when set, used instead of app_port
  int admin_port{};           // GET /metrics and /health: never on the API's listener
  std::string admin_socket;        // unix socket path; when set, used instead of admin_port
  int app_name{};                // unique per instance: its queue payments:queue:<n>
  std::string redis_host{};
  int redis_port{};
  std::string redis_socket;        // unix socket path; when set, used instead of host:port
  std::string redis_password;      // empty: no AUTH
  Endpoint processor_default;
  Endpoint processor_fallback;
  int64_t health_timeout_ms{};
  int64_t health_interval_ms{};
  int64_t latency_diff_ms{};
  int64_t default_outage_wait_ms{};
  int64_t workers{};
  int64_t max_send_rate{};       // ceiling of the adaptive take rate per instance (pacer.hpp); 0: none
  int64_t pacer_lag_limit_ms{};  // a timer this late is a held event loop: the drain halves (pacer.hpp)
  int64_t pacer_rtt_slack_ms{};  // a smoothed Redis round trip this far above its recent minimum (and 4x it) halves the drain
  int64_t batch_window_ms{};    // takes and records within this window go to Redis as one call
  bool handoff{};                // the intake may hand a payment straight to a free worker (handoff.hpp)
  int64_t processor_timeout_ms{};
  int64_t backoff_base_ms{};
  int64_t backoff_max_ms{};
  int64_t hold_retry_ms{};          // a payment refused with a 4XX waits this long (worker_pool.hpp)
  int64_t doubt_lookup_after_ms{};  // in doubt this long: settled by GET /payments/{id} (worker_pool.hpp)
  int64_t breaker_poll_ms{};    // how often the colour and failure signals are read from Redis
  int64_t redis_timeout_ms{};
  int64_t http_idle_timeout_ms{};
  int64_t ids_horizon_ms{};        // correlationIds remembered at least this long (0: for ever)
  int64_t ledger_horizon_ms{};     // per-payment ledger members kept this long (0: for ever)
  int64_t intake_memory_percent{}; // refuse new payments past this % of Redis maxmemory (0: never)
  int64_t intake_ack_budget_ms{};  // POST /payments answers 202 past this wait for Redis (api.hpp)
  int64_t intake_window_ms{};      // intakes of this window go as one call (only with a 0 ack budget)
  std::string purge_token;         // empty: POST /purge-payments is disabled
  std::string log_level{};
  // Every variable of the table as it took effect ({name, text}), in table order: the
  // start-up log shows them all (describe()).
  std::vector<std::pair<std::string, std::string>> effective;
};

using EnvLookup = std::function<const char*(const char*)>;

// Throws std::invalid_argument naming the variable on any bad value.
Config load_config(const EnvLookup& getenv_fn);
// The defaults of the table, with nothing from the environment.
Config default_config();
// The intake window in effect: INTAKE_WINDOW delays Redis's write of a payment, so it applies
// only where no 202 waits for that write (INTAKE_ACK_BUDGET 0); otherwise one call each.
inline int64_t effective_intake_window_ms(const Config& c) { return c.intake_ack_budget_ms == 0 ? c.intake_window_ms : 0; }

// The table rows, for the README and the start-up log: {variable, default, description}.
struct ConfigDoc {
  const char* variable;
  const char* default_text;
  const char* description;
};
const std::vector<ConfigDoc>& config_docs();

// One log line with every variable of the table and its effective value; secrets
// (variables named *_TOKEN or *_PASSWORD) show only whether they are set.
std::string describe(const Config& c);

}  // namespace rinha
