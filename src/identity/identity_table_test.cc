// IdentityTable against std::unordered_map on random sets, finds, overwrites and erases (the
// erase's backward shift and the move of the last entry), through growth, and ForEach's parts.
#include "identity/identity_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <unordered_map>

namespace signpost::identity {
namespace {

void ExpectSame(const IdentityTable& table, const std::unordered_map<std::string, uint64_t>& want,
                size_t universe) {
  ASSERT_EQ(table.size(), want.size());
  for (size_t k = 0; k < universe; ++k) {
    const std::string id = "user:" + std::to_string(k);
    const uint64_t* got = table.Find(id);
    auto it = want.find(id);
    if (it == want.end()) {
      EXPECT_EQ(got, nullptr) << id;
    } else {
      ASSERT_NE(got, nullptr) << id;
      EXPECT_EQ(*got, it->second) << id;
    }
  }
}

TEST(IdentityTable, MatchesAMapThroughSetsOverwritesAndErases) {
  for (size_t universe : {size_t{5}, size_t{40}, size_t{3000}}) {
    SCOPED_TRACE(universe);
    std::mt19937_64 rng(universe);
    IdentityTable table;
    std::unordered_map<std::string, uint64_t> want;
    for (int step = 0; step < 20000; ++step) {
      const std::string id = "user:" + std::to_string(rng() % universe);
      const uint64_t profile = rng() % 1000 + 1;
      switch (rng() % 3) {
        case 0:
        case 1:
          table.Set(id, profile);
          want[id] = profile;
          break;
        default:
          EXPECT_EQ(table.Erase(id), want.erase(id) == 1) << id;
      }
      if (step % 997 == 0) ExpectSame(table, want, universe);
    }
    ExpectSame(table, want, universe);
    // Erasing everything leaves an empty table that still works.
    for (size_t k = 0; k < universe; ++k) table.Erase("user:" + std::to_string(k));
    want.clear();
    ExpectSame(table, want, universe);
    table.Set("anon:x", 7);
    EXPECT_EQ(*table.Find("anon:x"), 7u);
  }
}

TEST(IdentityTable, ForEachPartsVisitEveryIdentityOnce) {
  IdentityTable table;
  table.Reserve(100);
  for (int k = 0; k < 1000; ++k) table.Set("anon:" + std::to_string(k), k + 1);
  for (int k = 0; k < 1000; k += 3) table.Erase("anon:" + std::to_string(k));
  for (size_t parts : {size_t{1}, size_t{3}, size_t{7}}) {
    std::map<std::string, uint64_t> seen;
    for (size_t part = 0; part < parts; ++part) {
      table.ForEach(part, parts, [&](std::string_view id, uint64_t profile) {
        EXPECT_TRUE(seen.emplace(std::string(id), profile).second) << id;
      });
    }
    ASSERT_EQ(seen.size(), table.size());
    for (const auto& [id, profile] : seen) {
      EXPECT_EQ(id, "anon:" + std::to_string(profile - 1));
      EXPECT_NE((profile - 1) % 3, 0u);
    }
  }
  EXPECT_EQ(IdentityTable().Find("user:1"), nullptr);
  IdentityTable empty;
  EXPECT_FALSE(empty.Erase("user:1"));
}

}  // namespace
}  // namespace signpost::identity
