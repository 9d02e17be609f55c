// libFuzzer driver: one executable per entry, chosen at compile time by RINHA_FUZZ_ENTRY
// (see fuzz/CMakeLists.txt). The entry aborts on a broken invariant.
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rinha::fuzz::RINHA_FUZZ_ENTRY(data, size);
  return 0;
}
