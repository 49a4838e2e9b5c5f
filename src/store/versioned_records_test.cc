#include "store/versioned_records.h"

#include <gtest/gtest.h>

#include "store/static_segments.h"
#include "store/store.h"
#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;

TEST(VersionedRecords, VersionsCountUpAndHistoryIsKept) {
  TempDir tmp;
  {
    auto store = Store::Open({tmp.path(), true});
    ASSERT_TRUE(store.ok());
    VersionedRecords defs(&(*store)->db(), Cf::kDefinitions);
    EXPECT_EQ(*defs.Put("funnel", "checkout", R"({"steps":2})", "first", 100), 1u);
    EXPECT_EQ(*defs.Put("funnel", "checkout", R"({"steps":3})", "add payment step", 200), 2u);
    EXPECT_EQ(*defs.Put("funnel", "signup", R"({"steps":1})", "", 150), 1u);
    // Same id, other kind: separate numbering.
    EXPECT_EQ(*defs.Put("journey", "checkout", "{}", "", 300), 1u);
    EXPECT_EQ(defs.Put("", "x", "{}", "", 0).status().code(), Code::kInvalidArgument);
  }
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  VersionedRecords defs(&(*store)->db(), Cf::kDefinitions);
  auto latest = defs.Get("funnel", "checkout");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 2u);
  EXPECT_EQ(latest->body, R"({"steps":3})");
  EXPECT_EQ(latest->note, "add payment step");
  EXPECT_EQ(latest->at, 200);
  auto v1 = defs.Get("funnel", "checkout", 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->body, R"({"steps":2})");
  EXPECT_EQ(defs.Get("funnel", "checkout", 3).status().code(), Code::kNotFound);
  EXPECT_EQ(defs.Get("funnel", "nope").status().code(), Code::kNotFound);

  auto list = defs.List("funnel");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "checkout");
  EXPECT_EQ((*list)[0].version, 2u);
  EXPECT_EQ((*list)[1].id, "signup");
  auto history = defs.History("funnel", "checkout");
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].note, "first");
  EXPECT_EQ((*history)[1].version, 2u);
  EXPECT_EQ(*defs.Put("funnel", "checkout", "{}", "third", 400), 3u);  // continues after reopen
}

TEST(VersionedRecords, IdsThatArePrefixesOfOthersStaySeparate) {
  TempDir tmp;
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  VersionedRecords defs(&(*store)->db(), Cf::kDefinitions);
  ASSERT_TRUE(defs.Put("funnel", "a", "1", "", 0).ok());
  ASSERT_TRUE(defs.Put("funnel", "ab", "2", "", 0).ok());
  ASSERT_TRUE(defs.Put("funnelx", "a", "3", "", 0).ok());
  EXPECT_EQ(defs.History("funnel", "a")->size(), 1u);
  EXPECT_EQ(defs.Get("funnel", "a")->body, "1");
  EXPECT_EQ(defs.List("funnel")->size(), 2u);
}

// The typed definitions keep the bytes of the string-keyed records: a folder written before the
// kinds were an enum reads the same.
TEST(Definitions, KindsAreStoredUnderTheirNames) {
  TempDir tmp;
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  VersionedRecords raw(&(*store)->db(), Cf::kDefinitions);
  Definitions& defs = (*store)->definitions();
  for (const auto& [kind, kind_name] : kDefinitionKinds) {
    const std::string name(kind_name);
    ASSERT_TRUE(raw.Put(name, "old", "before", "", 1).ok());
    EXPECT_EQ(defs.Get(kind, "old")->body, "before") << name;
    EXPECT_EQ(*defs.Put(kind, "old", "after", "", 2), 2u) << name;
    EXPECT_EQ(raw.Get(name, "old")->body, "after") << name;
    EXPECT_EQ(defs.List(kind)->size(), 1u) << name;
    EXPECT_EQ(defs.History(kind, "old")->size(), 2u) << name;
  }
}

TEST(Definitions, EveryKindParsesFromItsNameAndNothingElseDoes) {
  for (const auto& [kind, name] : kDefinitionKinds) {
    EXPECT_EQ(*ParseDefinitionKind(name), kind);
    EXPECT_EQ(DefinitionKindName(kind), name);
  }
  EXPECT_EQ(DefinitionKindName(DefinitionKind::kFunnel), "funnel");
  EXPECT_EQ(DefinitionKindName(DefinitionKind::kSettings), "settings");
  for (std::string_view bad : {"", "Funnel", "static_segment", "funnels"}) {
    auto r = ParseDefinitionKind(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("use funnel, segment, journey"), std::string::npos);
  }
}

TEST(StaticSegments, PutGetListDelete) {
  TempDir tmp;
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  auto& segs = (*store)->segments();
  EXPECT_EQ(*segs.Put("stuck-at-2", {"user:u1", "anon:a1", "user:u1"}, "from funnel", 10), 1u);
  EXPECT_EQ(*segs.Put("stuck-at-2", {"user:u2"}, "refresh", 20), 2u);
  EXPECT_EQ(*segs.Put("vip", {}, "", 30), 1u);
  auto latest = segs.Get("stuck-at-2");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 2u);
  EXPECT_EQ(latest->identities, std::vector<std::string>{"user:u2"});
  auto v1 = segs.Get("stuck-at-2", 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->identities, (std::vector<std::string>{"user:u1", "anon:a1"}));  // deduplicated
  EXPECT_EQ(v1->note, "from funnel");
  auto list = segs.List();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "stuck-at-2");
  EXPECT_EQ((*list)[1].name, "vip");
  ASSERT_TRUE(segs.Delete("stuck-at-2").ok());
  EXPECT_EQ(segs.Get("stuck-at-2").status().code(), Code::kNotFound);
  EXPECT_EQ(segs.Delete("stuck-at-2").code(), Code::kNotFound);
  EXPECT_EQ(segs.List()->size(), 1u);
  // Definitions live apart from segments.
  EXPECT_EQ(VersionedRecords(&(*store)->db(), Cf::kDefinitions).List("static_segment")->size(), 0u);
}

}  // namespace
}  // namespace signpost::store
