// rinha-api: one instance of the payment router. All configuration comes from the
// environment (see README "Configuration"); a bad value stops start-up with its name.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "app.hpp"
#include "config.hpp"
#include "log.hpp"

int main() {
  rinha::Config cfg;
  try {
    cfg = rinha::load_config([](const char* name) { return std::getenv(name); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rinha-api: configuration error: %s\n", e.what());
    return 2;
  }
  rinha::LogLevel level;
  rinha::log_parse_level(cfg.log_level, level);
  rinha::log_set_level(level);
  LOG_INFO("config", "{}", rinha::describe(cfg));
  return rinha::run_app(cfg);
}
