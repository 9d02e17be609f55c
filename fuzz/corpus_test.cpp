// Regression test of the fuzz corpus under the normal (gcc) build: every file under
// fuzz/corpus/<entry>/ is fed to the same entry function the libFuzzer targets call, so a
// crash the fuzzer once found (its reproducer is committed to the corpus) stays fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_entry.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> files_of(const std::string& entry) {
  std::vector<std::string> out;
  const fs::path dir = fs::path(RINHA_FUZZ_CORPUS) / entry;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path().string());
  }
  return out;
}

class Corpus : public ::testing::TestWithParam<const char*> {};

TEST_P(Corpus, EveryFileKeepsTheInvariants) {
  const auto entry = rinha::fuzz::entry_by_name(GetParam());
  ASSERT_NE(entry, nullptr);
  const auto files = files_of(GetParam());
  ASSERT_FALSE(files.empty()) << "no seed files in " << RINHA_FUZZ_CORPUS << "/" << GetParam();
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(path);
    entry(reinterpret_cast<const uint8_t*>(data.data()), data.size());  // aborts on a broken invariant
  }
}

INSTANTIATE_TEST_SUITE_P(Fuzz, Corpus,
                         ::testing::Values("payment_request", "summary_query", "money", "timefmt", "decode_payment"));

}  // namespace
