// Summary bodies -> counts and cents; Prometheus gauge scan; payment body formatting.
#include "summaries.hpp"

#include "prometheus.hpp"
#include "runner.hpp"

#include <gtest/gtest.h>

using namespace loadtool;

TEST(Summaries, Backend) {
  auto s = summary_parse_backend(
      R"({"default":{"totalRequests":43236,"totalAmount":415542345.98},"fallback":{"totalRequests":4,"totalAmount":79.6}})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->default_.requests, 43236);
  EXPECT_EQ(s->default_.amount_cents, 41554234598);
  EXPECT_EQ(s->fallback_.amount_cents, 7960);
  EXPECT_FALSE(summary_parse_backend("{}"));
  EXPECT_FALSE(summary_parse_backend("not json"));
}

TEST(Summaries, Processor) {
  auto s = summary_parse_processor(
      R"({"totalRequests":3,"totalAmount":60.15,"totalFee":4.2105,"feePerTransaction":0.07})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->counts.requests, 3);
  EXPECT_EQ(s->counts.amount_cents, 6015);
  EXPECT_EQ(s->fee_ppm, 70000);
  EXPECT_EQ(s->total_fee_cents, 421);
}

TEST(Prometheus, SumsSeriesOfTheExactName) {
  const char* text =
      "# HELP rinha_backlog_total payments waiting\n"
      "# TYPE rinha_backlog_total gauge\n"
      "rinha_backlog_total{queue=\"a\"} 3\n"
      "rinha_backlog_total{queue=\"b\"} 4.5 1700000000\n"
      "rinha_backlog_total_other 100\n";
  auto v = prometheus_gauge(text, "rinha_backlog_total");
  ASSERT_TRUE(v);
  EXPECT_DOUBLE_EQ(*v, 7.5);
  EXPECT_DOUBLE_EQ(*prometheus_gauge("rinha_backlog_total 12\n", "rinha_backlog_total"), 12);
  EXPECT_FALSE(prometheus_gauge("other 1\n", "rinha_backlog_total"));
}

TEST(Runner, PaymentBodyWritesAmountLikeJavaScript) {
  EXPECT_EQ(runner_payment_body("id", 1990), R"({"correlationId":"id","amount":19.9})");
  EXPECT_EQ(runner_payment_body("id", 2005), R"({"correlationId":"id","amount":20.05})");
  EXPECT_EQ(runner_payment_body("id", 2000), R"({"correlationId":"id","amount":20})");
}
