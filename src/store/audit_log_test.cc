#include "store/audit_log.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;

AuditRecord Entry(TimeMs at, std::string action, std::string target) {
  AuditRecord r;
  r.at = at;
  r.actor = "cli:ops";
  r.action = std::move(action);
  r.target = std::move(target);
  r.outcome = "ok";
  return r;
}

TEST(AuditLog, NumbersEntriesInOrderAndKeepsThemAcrossReopen) {
  TempDir tmp;
  {
    auto store = Store::Open({tmp.path(), true});
    ASSERT_TRUE(store.ok());
    auto& log = (*store)->audit();
    EXPECT_EQ(*log.Append(Entry(10, "apply", "journey/welcome")), 1u);
    EXPECT_EQ(*log.Append(Entry(20, "keys.create", "admin ops")), 2u);
  }
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  auto& log = (*store)->audit();
  EXPECT_EQ(log.last_seq(), 2u);
  EXPECT_EQ(*log.Append(Entry(30, "apply", "funnel/onboarding")), 3u);
  auto all = log.List(0, 0, "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].seq, 1u);
  EXPECT_EQ((*all)[0].at, 10);
  EXPECT_EQ((*all)[0].actor, "cli:ops");
  EXPECT_EQ((*all)[0].target, "journey/welcome");
  EXPECT_EQ((*all)[2].target, "funnel/onboarding");
}

TEST(AuditLog, ListsTheLastEntriesPagesAfterASeqAndFiltersByAction) {
  TempDir tmp;
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  auto& log = (*store)->audit();
  for (int i = 1; i <= 10; ++i)
    ASSERT_TRUE(log.Append(Entry(i, i % 2 ? "apply" : "erase", std::to_string(i))).ok());
  auto last3 = log.List(0, 3, "");
  ASSERT_TRUE(last3.ok());
  ASSERT_EQ(last3->size(), 3u);
  EXPECT_EQ((*last3)[0].seq, 8u);
  EXPECT_EQ((*last3)[2].seq, 10u);
  auto page = log.List(4, 2, "");
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 5u);
  EXPECT_EQ((*page)[1].seq, 6u);
  auto erases = log.List(0, 2, "erase");
  ASSERT_EQ(erases->size(), 2u);
  EXPECT_EQ((*erases)[0].seq, 8u);
  EXPECT_EQ((*erases)[1].seq, 10u);
  auto applies_after = log.List(6, 0, "apply");
  ASSERT_EQ(applies_after->size(), 2u);
  EXPECT_EQ((*applies_after)[0].seq, 7u);
  EXPECT_EQ((*applies_after)[1].seq, 9u);
}

}  // namespace
}  // namespace signpost::store
