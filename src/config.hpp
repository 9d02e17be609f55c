// Configuration: parsed once from the environment into one struct, validated with messages
// that name the variable, logged at start. Nothing else in the program reads the environment.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rinha {

struct Endpoint {  // parsed http://host:port
  std::string url;
  std::string host;
  std::string port;
};

struct Config {
  int app_port = 3000;
  std::string app_socket;          // unix socket path; when set, used instead of app_port
  int app_name = 1;                // 1 or 2; instance 1 owns the health checks
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  std::string redis_socket;        // unix socket path; when set, used instead of host:port
  Endpoint processor_default;
  Endpoint processor_fallback;
  int64_t health_timeout_ms = 6000;
  int64_t health_interval_ms = 5000;
  int64_t latency_diff_ms = 1000;
  int64_t default_outage_wait_ms = 90000;
  int64_t workers = 400;
  int64_t max_send_rate = 0;       // ceiling of the adaptive take rate per instance (pacer.hpp); 0: none
  int64_t batch_window_ms = 20;    // takes and records within this window go to Redis as one call
  int64_t processor_timeout_ms = 3000;
  int64_t backoff_base_ms = 20;
  int64_t backoff_max_ms = 2000;
  int64_t breaker_poll_ms = 50;    // how often the colour and failure signals are read from Redis
  int64_t redis_timeout_ms = 2000;
  int64_t http_idle_timeout_ms = 60000;
  int64_t ids_horizon_ms = 120000;     // correlationIds remembered at least this long (0: for ever)
  int64_t ledger_horizon_ms = 180000;  // per-payment ledger members kept this long (0: for ever)
  int64_t intake_memory_percent = 90;  // refuse new payments past this % of Redis maxmemory (0: never)
  std::string purge_token;         // empty: POST /purge-payments is disabled
  std::string log_level = "info";
};

using EnvLookup = std::function<const char*(const char*)>;

// Throws std::invalid_argument naming the variable on any bad value.
Config load_config(const EnvLookup& getenv_fn);

// The table rows, for the README and the start-up log: {variable, default, description}.
struct ConfigDoc {
  const char* variable;
  const char* default_text;
  const char* description;
};
const std::vector<ConfigDoc>& config_docs();

// One log line with every effective value (the purge token is masked).
std::string describe(const Config& c);

}  // namespace rinha
