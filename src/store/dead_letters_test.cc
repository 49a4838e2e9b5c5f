#include "store/dead_letters.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;

TEST(DeadLetters, RoundTripPageGetDeleteAndReopen) {
  TempDir tmp;
  const std::string raw_binary("{\"userId\":\"\xff\"\0}", 16);
  {
    auto store = Store::Open({tmp.path(), true});
    ASSERT_TRUE(store.ok());
    auto ids = (*store)->AddDeadLetters(
        {{"line 3", "userId", "userId must be a string", R"({"userId":5})"},
         {"line 9", "", "not JSON", "{oops"},
         {"batch[2]", "timestamp", "unreadable timestamp", raw_binary}},
        "import:events.ndjson", 1234);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, (std::vector<uint64_t>{1, 2, 3}));
    auto& dl = (*store)->dead_letters();
    EXPECT_EQ(dl.count(), 3u);

    auto page1 = dl.List(0, 2);
    ASSERT_TRUE(page1.ok());
    ASSERT_EQ(page1->size(), 2u);
    EXPECT_EQ((*page1)[0].rejection.location, "line 3");
    EXPECT_EQ((*page1)[0].rejection.field, "userId");
    EXPECT_EQ((*page1)[0].source, "import:events.ndjson");
    EXPECT_EQ((*page1)[0].at, 1234);
    auto page2 = dl.List(page1->back().id, 2);
    ASSERT_EQ(page2->size(), 1u);
    EXPECT_EQ((*page2)[0].rejection.raw, raw_binary);  // bytes kept verbatim

    auto one = dl.Get(2);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->rejection.reason, "not JSON");
    EXPECT_EQ(dl.Get(42).status().code(), Code::kNotFound);

    auto deleted = dl.Delete({2, 2, 77});
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(*deleted, 1u);
    EXPECT_EQ(dl.count(), 2u);
  }
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  auto& dl = (*store)->dead_letters();
  EXPECT_EQ(dl.count(), 2u);
  auto all = dl.List(0, 100);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, 1u);
  EXPECT_EQ((*all)[1].id, 3u);
  // Ids are never reused, also after deleting the last one.
  ASSERT_TRUE(dl.Delete({3}).ok());
  auto next = dl.Add({{"body", "", "empty", ""}}, "http", 5);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->at(0), 4u);
}

// Importing the same bad input twice stores it once (also across reopen); an item differing in
// source, location or raw text is stored, and a deleted item can be stored again.
TEST(DeadLetters, IdenticalItemsAreStoredOnce) {
  TempDir tmp;
  const std::vector<Rejection> bad = {
      {"line 3", "userId", "userId must be a string", "{\"userId\":5}"},
      {"line 9", "", "not JSON", "{oops"}};
  {
    auto store = Store::Open({tmp.path(), true});
    ASSERT_TRUE(store.ok());
    auto& dl = (*store)->dead_letters();
    auto first = dl.Add(bad, "import:a.ndjson", 10);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, (std::vector<uint64_t>{1, 2}));
    auto again = dl.Add(bad, "import:a.ndjson", 20);  // same input, later: nothing new
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, (std::vector<uint64_t>{1, 2}));
    EXPECT_EQ(dl.count(), 2u);
    // Within one call too; the reason does not matter, only source, location and raw.
    auto twice = dl.Add({{"line 1", "", "r1", "x"}, {"line 1", "f", "r2", "x"}}, "http", 30);
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(*twice, (std::vector<uint64_t>{3, 3}));
    EXPECT_EQ(dl.count(), 3u);
  }
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  auto& dl = (*store)->dead_letters();
  auto after_reopen = dl.Add(bad, "import:a.ndjson", 40);
  ASSERT_TRUE(after_reopen.ok());
  EXPECT_EQ(*after_reopen, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(dl.count(), 3u);
  // Any of source, location, raw differing makes a new item.
  auto other = dl.Add({{"line 3", "userId", "userId must be a string", "{\"userId\":5}"},
                       {"line 4", "", "not JSON", "{oops"},
                       {"line 9", "", "not JSON", "{oops!"}},
                      "import:b.ndjson", 50);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, (std::vector<uint64_t>{4, 5, 6}));
  auto other_location = dl.Add({{"line 4", "", "not JSON", "{oops"}}, "import:a.ndjson", 50);
  EXPECT_EQ(*other_location, std::vector<uint64_t>{7});
  EXPECT_EQ(dl.count(), 7u);
  // Once deleted, the same item is stored again under a new id.
  ASSERT_EQ(*dl.Delete({1}), 1u);
  auto readded = dl.Add({bad[0]}, "import:a.ndjson", 60);
  ASSERT_TRUE(readded.ok());
  EXPECT_EQ(*readded, std::vector<uint64_t>{8});
  EXPECT_EQ(dl.count(), 7u);
  EXPECT_EQ(dl.Get(8)->rejection.raw, bad[0].raw);
}

}  // namespace
}  // namespace signpost::store
