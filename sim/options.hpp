// Command line of payment-sim, parsed once into SimOptions. The defaults mirror the real
// processors (token 123, no delay, not failing, 800 active + 500 queued, health window
// 5 s with 2 queued); the extra knobs exist so tests can shrink the limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sim {

struct SimOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8080;               // 0 = pick a free port
  std::string name = "default";
  std::string fee_text = "0.05";      // as given, echoed in feePerTransaction
  int64_t fee_ppm = 50000;            // fee in parts per million, exact
  std::string token = "123";
  int64_t delay_ms = 0;
  bool failure = false;
  size_t max_active = 800;
  size_t max_waiting = 500;
  int64_t health_window_ms = 5000;
  int health_max_queued = 2;
  int64_t idle_timeout_ms = 120000;   // keep-alive: deadline to read a whole request
  int64_t write_timeout_ms = 10000;
  size_t header_limit_bytes = 8 * 1024;
  size_t body_limit_bytes = 16 * 1024;
  bool log_enabled = true;
};

struct OptionsResult {
  SimOptions options;
  std::string error;  // non-empty: print it with the usage and exit 2
  bool help = false;
};

OptionsResult options_parse(int argc, const char* const* argv);
const char* options_usage();

}  // namespace sim
