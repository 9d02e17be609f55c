// The HTTP API as functions: routing, validation, admin token checks, the order
// "failure, then duplicate, then store", and the JSON bodies.
#include "handlers.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

constexpr std::string_view kId = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";
constexpr std::string_view kBody =
    R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":19.90,)"
    R"("requestedAt":"2025-07-15T12:34:56.000Z"})";

SimReply reply_of(const SimAction& action) {
  const auto* reply = std::get_if<SimReply>(&action);
  EXPECT_NE(reply, nullptr);
  return reply ? *reply : SimReply{0, {}};
}

SimReply call(SimState& state, HttpMethod method, std::string_view target,
              std::string_view body = {}, std::string_view token = {}) {
  return reply_of(sim_handle(SimRequest{method, target, token, body}, state));
}

TEST(SimHandlers, PostPaymentBecomesAJobWithExactCents) {
  SimState state;
  const SimAction action = sim_handle({HttpMethod::post, "/payments", {}, kBody}, state);
  const auto* job = std::get_if<PaymentJob>(&action);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->record.correlation_id, kId);
  EXPECT_EQ(job->record.amount_cents, 1990);
  EXPECT_EQ(job->record.requested_at_ms, 1752582896000);
  EXPECT_EQ(state.store.store_size(), 0u);  // nothing stored before the delay
}

TEST(SimHandlers, InvalidPaymentsAre400) {
  SimState state;
  for (const char* body : {
           "", "not json", "[]",
           R"({"amount":19.90,"requestedAt":"2025-07-15T12:34:56.000Z"})",
           R"({"correlationId":"nope","amount":19.90,"requestedAt":"2025-07-15T12:34:56.000Z"})",
           R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":"19.90","requestedAt":"2025-07-15T12:34:56.000Z"})",
           R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":-1,"requestedAt":"2025-07-15T12:34:56.000Z"})",
           R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":19.90})",
           R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":19.90,"requestedAt":"yesterday"})",
       }) {
    EXPECT_EQ(call(state, HttpMethod::post, "/payments", body).status, 400u) << body;
  }
}

TEST(SimHandlers, UuidIsCanonicalisedToLowerCase) {
  EXPECT_EQ(sim_canonical_uuid("4A7901B8-7D26-4D9D-AA19-4DC1C7CF60B3"), std::string(kId));
  EXPECT_FALSE(sim_canonical_uuid("4a7901b87d264d9daa194dc1c7cf60b3").has_value());
  EXPECT_FALSE(sim_canonical_uuid("4a7901b8-7d26-4d9d-aa19-4dc1c7cf60bz").has_value());
}

TEST(SimHandlers, CompletionFailsFirstThenRejectsDuplicates) {
  SimState state;
  const PaymentRecord record = *sim_parse_payment(kBody);
  state.settings.failure = true;
  EXPECT_EQ(sim_complete_payment(record, state).status, 500u);
  EXPECT_EQ(state.store.store_size(), 0u);  // a failure stores nothing
  state.settings.failure = false;
  const SimReply ok = sim_complete_payment(record, state);
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.body, R"({"message":"payment processed successfully"})");
  EXPECT_EQ(sim_complete_payment(record, state).status, 422u);
  state.settings.failure = true;  // failing wins over "already stored"
  EXPECT_EQ(sim_complete_payment(record, state).status, 500u);
}

TEST(SimHandlers, GetPaymentById) {
  SimState state;
  sim_complete_payment(*sim_parse_payment(kBody), state);
  const SimReply found = call(state, HttpMethod::get, "/payments/4A7901B8-7D26-4D9D-AA19-4DC1C7CF60B3");
  EXPECT_EQ(found.status, 200u);
  EXPECT_EQ(found.body, R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3",)"
                        R"("amount":19.90,"requestedAt":"2025-07-15T12:34:56.000Z"})");
  EXPECT_EQ(call(state, HttpMethod::get, "/payments/11111111-2222-3333-4444-555555555555").status,
            404u);
  EXPECT_EQ(call(state, HttpMethod::get, "/payments/whatever").status, 404u);
}

TEST(SimHandlers, HealthIsAJobAndReportsSettings) {
  SimState state;
  const SimAction action =
      sim_handle({HttpMethod::get, "/payments/service-health", {}, {}}, state);
  EXPECT_TRUE(std::holds_alternative<HealthJob>(action));
  state.settings.failure = true;
  state.settings.delay_ms = 250;
  EXPECT_EQ(sim_health_reply(state.settings).body, R"({"failing":true,"minResponseTime":250})");
}

TEST(SimHandlers, UnknownRoute404WrongMethod405) {
  SimState state;
  EXPECT_EQ(call(state, HttpMethod::get, "/nope").status, 404u);
  EXPECT_EQ(call(state, HttpMethod::get, "/payments").status, 405u);
  EXPECT_EQ(call(state, HttpMethod::post, "/payments/service-health").status, 405u);
  EXPECT_EQ(call(state, HttpMethod::put, "/payments/" + std::string(kId)).status, 405u);
  EXPECT_EQ(call(state, HttpMethod::post, "/admin/payments-summary", {}, "123").status, 405u);
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/purge-payments", {}, "123").status, 405u);
}

TEST(SimHandlers, AdminNeedsTheCurrentToken) {
  SimState state;
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary").status, 401u);
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary", {}, "wrong").status, 401u);
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary", {}, "123").status, 200u);
  EXPECT_EQ(call(state, HttpMethod::put, "/admin/configurations/delay", R"({"delay":5})", "x")
                .status,
            401u);
  EXPECT_EQ(state.settings.delay_ms, 0);
  EXPECT_EQ(call(state, HttpMethod::post, "/admin/purge-payments").status, 401u);

  EXPECT_EQ(call(state, HttpMethod::put, "/admin/configurations/token", R"({"token":"s3cr3t"})",
                 "123")
                .status,
            204u);
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary", {}, "123").status, 401u);
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary", {}, "s3cr3t").status, 200u);
}

TEST(SimHandlers, AdminConfigurationChangesSettings) {
  SimState state;
  EXPECT_EQ(
      call(state, HttpMethod::put, "/admin/configurations/delay", R"({"delay":1500})", "123").status,
      204u);
  EXPECT_EQ(state.settings.delay_ms, 1500);
  EXPECT_EQ(call(state, HttpMethod::put, "/admin/configurations/failure", R"({"failure":true})",
                 "123")
                .status,
            204u);
  EXPECT_TRUE(state.settings.failure);
  EXPECT_EQ(
      call(state, HttpMethod::put, "/admin/configurations/delay", R"({"delay":-1})", "123").status,
      400u);
  EXPECT_EQ(call(state, HttpMethod::put, "/admin/configurations/failure", R"({"failure":"yes"})",
                 "123")
                .status,
            400u);
  EXPECT_EQ(call(state, HttpMethod::put, "/admin/configurations/token", R"({})", "123").status,
            400u);
  EXPECT_EQ(state.settings.delay_ms, 1500);
}

TEST(SimHandlers, SummaryTotalsFeeAndRange) {
  SimState state;
  state.settings.fee_ppm = 50000;
  state.settings.fee_text = "0.05";
  for (const char* body :
       {R"({"correlationId":"00000000-0000-0000-0000-000000000001","amount":19.90,"requestedAt":"2025-07-15T12:00:00.000Z"})",
        R"({"correlationId":"00000000-0000-0000-0000-000000000002","amount":19.90,"requestedAt":"2025-07-15T12:00:01.000Z"})",
        R"({"correlationId":"00000000-0000-0000-0000-000000000003","amount":20.05,"requestedAt":"2025-07-15T12:00:02.500Z"})"}) {
    sim_complete_payment(*sim_parse_payment(body), state);
  }
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary", {}, "123").body,
            R"({"totalRequests":3,"totalAmount":59.85,"totalFee":2.99,"feePerTransaction":0.05})");
  // Inclusive bounds, with and without milliseconds, URL-encoded colons.
  EXPECT_EQ(call(state, HttpMethod::get,
                 "/admin/payments-summary?from=2025-07-15T12:00:01Z&to=2025-07-15T12%3A00%3A02.500Z",
                 {}, "123")
                .body,
            R"({"totalRequests":2,"totalAmount":39.95,"totalFee":2.00,"feePerTransaction":0.05})");
  EXPECT_EQ(call(state, HttpMethod::get,
                 "/admin/payments-summary?to=2025-07-15T12:00:02.499Z", {}, "123")
                .body,
            R"({"totalRequests":2,"totalAmount":39.80,"totalFee":1.99,"feePerTransaction":0.05})");
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary?from=bad", {}, "123").status,
            400u);

  EXPECT_EQ(call(state, HttpMethod::post, "/admin/purge-payments", {}, "123").status, 200u);
  EXPECT_EQ(call(state, HttpMethod::get, "/admin/payments-summary", {}, "123").body,
            R"({"totalRequests":0,"totalAmount":0.00,"totalFee":0.00,"feePerTransaction":0.05})");
}

}  // namespace
}  // namespace sim
