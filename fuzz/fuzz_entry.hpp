// Fuzz entry points for everything that parses bytes from outside the process: the
// POST /payments body, the summary query string, amounts, timestamps and queue items.
// Each entry checks invariants (round trips, ranges, and a differential check of the body
// validator against Boost.JSON) and calls abort() when one breaks, so that libFuzzer and
// the gcc corpus regression test (fuzz/corpus_test.cpp) report the same failures.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rinha::fuzz {

void payment_request(const uint8_t* data, size_t size);  // validation.cpp
void summary_query(const uint8_t* data, size_t size);    // summary.cpp
void money(const uint8_t* data, size_t size);            // money.cpp
void timefmt(const uint8_t* data, size_t size);          // timefmt.cpp
void decode_payment(const uint8_t* data, size_t size);   // payment.cpp

// The entries by name (the corpus directory names under fuzz/corpus); nullptr if unknown.
using Entry = void (*)(const uint8_t*, size_t);
Entry entry_by_name(std::string_view name);

}  // namespace rinha::fuzz
