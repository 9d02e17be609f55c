#include "validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rinha {
namespace {

int status_of(std::string_view body) {
  auto r = parse_payment_request(body);
  if (auto* e = std::get_if<ValidationError>(&r)) return e->status;
  return 0;
}

TEST(Validation, AcceptsTheOfficialBody) {
  auto r = parse_payment_request(R"({"correlationId": "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3", "amount": 19.90})");
  ASSERT_TRUE(std::holds_alternative<PaymentRequest>(r));
  const auto& p = std::get<PaymentRequest>(r);
  EXPECT_EQ(id_view(p.id), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3");
  EXPECT_EQ(p.amount_cents, 1990);
}

TEST(Validation, IgnoresUnknownFieldsAndOrder) {
  auto r = parse_payment_request(R"({"amount":20.05,"extra":{"a":[1,2]},"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3"})");
  ASSERT_TRUE(std::holds_alternative<PaymentRequest>(r));
  EXPECT_EQ(std::get<PaymentRequest>(r).amount_cents, 2005);
}

TEST(Validation, RejectsBadInputWithA4xx) {
  const char* id = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";
  const std::string cases[] = {
      "",
      "{",
      "[]",
      "null",
      "{}",
      std::string(R"({"correlationId":")") + id + R"("})",
      R"({"amount":19.90})",
      std::string(R"({"correlationId":")") + id + R"(","amount":"19.90"})",
      std::string(R"({"correlationId":")") + id + R"(","amount":0})",
      std::string(R"({"correlationId":")") + id + R"(","amount":-1})",
      std::string(R"({"correlationId":")") + id + R"(","amount":19.999})",
      std::string(R"({"correlationId":")") + id + R"(","amount":1e300})",
      std::string(R"({"correlationId":")") + id + R"(","amount":NaN})",
      std::string(R"({"correlationId":")") + id + R"(","amount":null})",
      std::string(R"({"correlationId":")") + id + R"(","amount":19.90} trailing)",
      std::string(R"({"correlationId":")") + id + R"(","amount":19.90,"amount":1})",
      R"({"correlationId":"not-a-uuid","amount":19.90})",
      R"({"correlationId":123,"amount":19.90})",
      R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b","amount":19.90})",
      std::string(R"({"correlationId":")") + id + R"(","amount":19.90)",
  };
  for (const auto& body : cases) {
    const int status = status_of(body);
    EXPECT_GE(status, 400) << body;
    EXPECT_LT(status, 500) << body;
  }
}

TEST(Validation, OversizedBodyIs413) {
  std::string body = R"({"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":19.90,"pad":")";
  body.append(kMaxPaymentBodyBytes, 'x');
  body += "\"}";
  EXPECT_EQ(status_of(body), 413);
}

}  // namespace
}  // namespace rinha
