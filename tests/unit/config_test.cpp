#include "config.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace rinha {
namespace {

Config load(const std::map<std::string, std::string>& env) {
  return load_config([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(Config, DefaultsMatchTheSeed) {
  const Config c = load({});
  EXPECT_EQ(c.app_port, 3000);
  EXPECT_EQ(c.app_name, 1);
  EXPECT_EQ(c.health_timeout_ms, 6000);
  EXPECT_EQ(c.health_interval_ms, 5000);
  EXPECT_EQ(c.latency_diff_ms, 1000);  // the seed said 100 ms: see README, "What differs"
  EXPECT_EQ(c.default_outage_wait_ms, 90000);  // the seed had no wait: see README, "Routing policy"
  EXPECT_EQ(c.processor_timeout_ms, 3000);
  EXPECT_EQ(c.processor_default.host, "payment-processor-default");
  EXPECT_EQ(c.processor_default.port, "8080");
  EXPECT_TRUE(c.purge_token.empty());
}

TEST(Config, ParsesDurationsWithUnits) {
  const Config c = load({{"HEALTH_TIMEOUT", "750ms"}, {"HEALTH_INTERVAL", "6s"}, {"LATENCY_DIFF_TO_USE_FALLBACK", "250"}});
  EXPECT_EQ(c.health_timeout_ms, 750);
  EXPECT_EQ(c.health_interval_ms, 6000);
  EXPECT_EQ(c.latency_diff_ms, 250);
}

TEST(Config, BooksHorizonsAndTheIntakeMemoryLimit) {
  const Config d = load({});
  EXPECT_EQ(d.ids_horizon_ms, 120000);
  EXPECT_EQ(d.ledger_horizon_ms, 180000);
  EXPECT_EQ(d.intake_memory_percent, 90);
  const Config c = load({{"IDS_HORIZON", "0"}, {"LEDGER_HORIZON", "10m"}, {"INTAKE_MEMORY_LIMIT", "0"}});
  EXPECT_EQ(c.ids_horizon_ms, 0);  // for ever
  EXPECT_EQ(c.ledger_horizon_ms, 600000);
  EXPECT_EQ(c.intake_memory_percent, 0);
  EXPECT_THROW(load({{"INTAKE_MEMORY_LIMIT", "101"}}), std::invalid_argument);
  EXPECT_THROW(load({{"LEDGER_HORIZON", "2d"}}), std::invalid_argument);
}

TEST(Config, ParsesUrls) {
  const Config c = load({{"PROCESSOR_DEFAULT_URL", "http://127.0.0.1:8001/"}, {"PROCESSOR_FALLBACK_URL", "http://fb"}});
  EXPECT_EQ(c.processor_default.host, "127.0.0.1");
  EXPECT_EQ(c.processor_default.port, "8001");
  EXPECT_EQ(c.processor_default.url, "http://127.0.0.1:8001");
  EXPECT_EQ(c.processor_fallback.host, "fb");
  EXPECT_EQ(c.processor_fallback.port, "80");
}

TEST(Config, ErrorsNameTheVariable) {
  auto message = [](const std::map<std::string, std::string>& env) {
    try {
      load(env);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"APP_NAME", "3"}}).find("APP_NAME"), std::string::npos);
  EXPECT_NE(message({{"APP_PORT", "80x"}}).find("APP_PORT"), std::string::npos);
  EXPECT_NE(message({{"HEALTH_INTERVAL", "1s"}}).find("HEALTH_INTERVAL"), std::string::npos);  // under the rate limit
  EXPECT_NE(message({{"HEALTH_TIMEOUT", "5h"}}).find("HEALTH_TIMEOUT"), std::string::npos);
  EXPECT_NE(message({{"PROCESSOR_DEFAULT_URL", "ftp://x"}}).find("PROCESSOR_DEFAULT_URL"), std::string::npos);
  EXPECT_NE(message({{"LOG_LEVEL", "loud"}}).find("LOG_LEVEL"), std::string::npos);
}

TEST(Config, EveryRowIsDocumented) {
  for (const auto& doc : config_docs()) {
    EXPECT_STRNE(doc.description, "") << doc.variable;
  }
  EXPECT_GE(config_docs().size(), 9u);
}

}  // namespace
}  // namespace rinha
