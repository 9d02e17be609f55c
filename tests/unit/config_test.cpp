#include "config.hpp"

#include <gtest/gtest.h>

#include <algorithm>

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

// The intakes of INTAKE_WINDOW go to Redis as one call only while no 202 waits for Redis.
TEST(Config, TheIntakeWindowAppliesOnlyWhenNoAnswerWaitsForRedis) {
  EXPECT_EQ(effective_intake_window_ms(load({})), 20);
  EXPECT_EQ(effective_intake_window_ms(load({{"INTAKE_WINDOW", "5ms"}})), 5);
  EXPECT_EQ(effective_intake_window_ms(load({{"INTAKE_WINDOW", "0"}})), 0);
  EXPECT_EQ(effective_intake_window_ms(load({{"INTAKE_ACK_BUDGET", "1ms"}})), 0);
  EXPECT_EQ(effective_intake_window_ms(load({{"INTAKE_ACK_BUDGET", "60s"}, {"INTAKE_WINDOW", "50ms"}})), 0);
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
  EXPECT_NE(message({{"APP_NAME", "0"}}).find("APP_NAME"), std::string::npos);
  EXPECT_EQ(message({{"APP_NAME", "3"}}), "no error");  // any number of instances
  EXPECT_NE(message({{"APP_PORT", "80x"}}).find("APP_PORT"), std::string::npos);
  EXPECT_NE(message({{"HEALTH_INTERVAL", "1s"}}).find("HEALTH_INTERVAL"), std::string::npos);  // under the rate limit
  EXPECT_NE(message({{"HEALTH_TIMEOUT", "5h"}}).find("HEALTH_TIMEOUT"), std::string::npos);
  EXPECT_NE(message({{"PROCESSOR_DEFAULT_URL", "ftp://x"}}).find("PROCESSOR_DEFAULT_URL"), std::string::npos);
  EXPECT_NE(message({{"LOG_LEVEL", "loud"}}).find("LOG_LEVEL"), std::string::npos);
  // A not-found lookup may unpin a payment in doubt only after a quiet time longer than any send.
  EXPECT_NE(message({{"DOUBT_LOOKUP_AFTER", "3s"}}).find("DOUBT_LOOKUP_AFTER"), std::string::npos);
  EXPECT_EQ(message({{"DOUBT_LOOKUP_AFTER", "1s"}, {"PROCESSOR_TIMEOUT", "300ms"}}), "no error");
  // The once-a-second upkeep must see every id bucket to give it its expiry.
  EXPECT_NE(message({{"IDS_HORIZON", "1500ms"}}).find("IDS_HORIZON"), std::string::npos);
  EXPECT_EQ(message({{"IDS_HORIZON", "2s"}}), "no error");
  EXPECT_EQ(message({{"IDS_HORIZON", "0"}}), "no error");  // for ever
}

TEST(Config, AdminListenerAndRedisPassword) {
  const Config d = load({});
  EXPECT_EQ(d.admin_port, 9100);
  EXPECT_EQ(d.admin_socket, "");
  EXPECT_EQ(d.redis_password, "");
  EXPECT_NE(describe(d).find("REDIS_PASSWORD=unset"), std::string::npos);
  const Config c = load({{"ADMIN_SOCKET", "/run/a.sock"}, {"REDIS_PASSWORD", "hunter2-secret"}});
  EXPECT_EQ(c.admin_socket, "/run/a.sock");
  EXPECT_EQ(c.redis_password, "hunter2-secret");
  // The start-up log says a password is set, never what it is.
  EXPECT_EQ(describe(c).find("hunter2-secret"), std::string::npos);
  EXPECT_NE(describe(c).find("REDIS_PASSWORD=set"), std::string::npos);
  EXPECT_NE(describe(c).find("ADMIN_SOCKET=/run/a.sock"), std::string::npos);
}

TEST(Config, EveryRowIsDocumented) {
  for (const auto& doc : config_docs()) {
    EXPECT_STRNE(doc.description, "") << doc.variable;
  }
  EXPECT_GE(config_docs().size(), 9u);
}

}  // namespace
}  // namespace rinha

namespace rinha {
namespace {

TEST(Config, DescribeShowsEveryVariableOfTheTableAndMasksSecrets) {
  Config c = load_config([](const char* name) -> const char* {
    if (std::string_view(name) == "PURGE_TOKEN") return "s3cret";
    if (std::string_view(name) == "WORKERS") return "17";
    return nullptr;
  });
  const std::string line = describe(c);
  for (const auto& doc : config_docs()) {
    EXPECT_NE(line.find(std::string(doc.variable) + "="), std::string::npos) << doc.variable;
  }
  EXPECT_NE(line.find("WORKERS=17"), std::string::npos) << line;
  EXPECT_NE(line.find("PURGE_TOKEN=set"), std::string::npos) << line;
  EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
  EXPECT_NE(describe(default_config()).find("PURGE_TOKEN=unset"), std::string::npos);
}

TEST(Config, DefaultsComeFromTheTableOnly) {
  const Config d = default_config();
  for (const auto& doc : config_docs()) {
    const auto it = std::find_if(d.effective.begin(), d.effective.end(),
                                 [&](const auto& e) { return e.first == doc.variable; });
    ASSERT_NE(it, d.effective.end()) << doc.variable;
    EXPECT_EQ(it->second, doc.default_text) << doc.variable;
  }
  EXPECT_EQ(d.workers, 400);
  EXPECT_EQ(d.default_outage_wait_ms, 90000);
}

}  // namespace
}  // namespace rinha
