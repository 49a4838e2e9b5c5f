// KeepFreedPages against the real jemalloc (base_test links the programs' allocator when there is
// one): pages freed inside a scope stay with the process, and leave it when the scope ends.
#include "base/allocator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace signpost {
namespace {

size_t ResidentMb() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096 / (size_t{1} << 20);
}

// Allocates, touches and frees `mb` blocks of 1 MiB.
void Churn(size_t mb) {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (size_t i = 0; i < mb; ++i) {
    blocks.emplace_back(new char[size_t{1} << 20]);
    std::memset(blocks.back().get(), 1, size_t{1} << 20);
  }
}

TEST(KeepFreedPages, KeepsFreedPagesInsideAndReturnsThemAfter) {
  if (!JemallocLinked()) GTEST_SKIP() << "not linked with jemalloc (sanitizer or fuzz build)";
  const size_t before = ResidentMb();
  {
    const KeepFreedPages keep;
    {
      const KeepFreedPages nested;  // ending the inner scope changes nothing yet
    }
    Churn(128);
    EXPECT_GE(ResidentMb(), before + 100) << "the freed pages were handed back inside the scope";
  }
  EXPECT_LE(ResidentMb(), before + 32) << "the freed pages were kept after the scope";
}

}  // namespace
}  // namespace signpost
