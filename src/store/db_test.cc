#include "store/db.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <vector>

#include "store/test_util.h"

namespace signpost::store {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

// Makes a RocksDB database in `dir` with the column families `names` (as the first open of a new
// folder does before it writes the signpost format marker) and puts `key` in the family `key_cf`
// when `key` is not empty.
void MakeRocksDb(const std::string& dir, const std::vector<std::string>& names,
                 const std::string& key_cf = "", const std::string& key = "") {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (size_t i = 0; i < names.size(); ++i) {
    if (!key.empty() && names[i] == key_cf) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[i], key, "v").ok());
    }
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(db->Close().ok());
}

std::vector<std::string> AllCfNames() { return {kCfNames.begin(), kCfNames.end()}; }

TEST(Db, CreatesFolderAndReopens) {
  TempDir tmp;
  const std::string dir = tmp.Sub("data/nested");
  {
    auto db = Db::Open({dir, true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Batch b = (*db)->NewBatch();
    b.Put(Cf::kDefinitions, "k", "v");
    ASSERT_TRUE((*db)->Write(b).ok());
  }
  auto db = Db::Open({dir, true});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto v = (*db)->Get(Cf::kDefinitions, "k");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value_or(""), "v");
  // Column families are separate key spaces.
  EXPECT_FALSE((*db)->Get(Cf::kKeys, "k")->has_value());
}

TEST(Db, ScanAndLastRespectPrefix) {
  TempDir tmp;
  auto db = Db::Open({tmp.path(), false});
  ASSERT_TRUE(db.ok());
  Batch b = (*db)->NewBatch();
  for (std::string k : {"a1", "a2", "a\xff", "b1", "b2"}) b.Put(Cf::kMeta, k, "x" + k);
  ASSERT_TRUE((*db)->Write(b).ok());
  std::vector<std::string> keys;
  ASSERT_TRUE((*db)
                  ->Scan(Cf::kMeta, "a2", "a",
                         [&](std::string_view k, std::string_view) {
                           keys.emplace_back(k);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"a2", "a\xff"}));
  auto last = (*db)->Last(Cf::kMeta, "b");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->first, "b2");
  EXPECT_FALSE((*db)->Last(Cf::kMeta, "c")->has_value());
  EXPECT_EQ((*(*db)->Last(Cf::kMeta, "a"))->first, "a\xff");
}

TEST(Db, FormatVersionMismatchNamesBothVersions) {
  TempDir tmp;
  {
    auto db = Db::Open({tmp.path(), true});
    ASSERT_TRUE(db.ok());
    Batch b = (*db)->NewBatch();
    b.Put(Cf::kMeta, "signpost.format_version", "99");
    ASSERT_TRUE((*db)->Write(b).ok());
  }
  auto db = Db::Open({tmp.path(), true});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr("format version 99"));
  EXPECT_THAT(db.status().message(),
              HasSubstr(fmt::format("reads format version {}", kFormatVersion)));
  EXPECT_THAT(db.status().message(), HasSubstr(tmp.path()));
  EXPECT_THAT(db.status().message(), HasSubstr("new folder"));
}

// A folder of format 1 (one key per event) is refused by this build with the clear message.
TEST(Db, RefusesAFormat1Folder) {
  TempDir tmp;
  {
    auto db = Db::Open({tmp.path(), true});
    ASSERT_TRUE(db.ok());
    Batch b = (*db)->NewBatch();
    b.Put(Cf::kMeta, "signpost.format_version", "1");
    ASSERT_TRUE((*db)->Write(b).ok());
  }
  auto db = Db::Open({tmp.path(), true});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(db.status().message(),
              HasSubstr("format version 1, but this build reads format version 2"));
}

TEST(Db, RefusesAFolderOfOtherFiles) {
  TempDir tmp;
  std::ofstream(tmp.Sub("notes.txt")) << "hello";
  auto db = Db::Open({tmp.path(), true});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr("not a signpost data folder"));
  std::ifstream still(tmp.Sub("notes.txt"));
  EXPECT_TRUE(still.good());
}

// A kill -9 during the first open of a new folder can leave the RocksDB database with some or all
// of the column families and no signpost format marker: such a folder, holding no key at all, is
// finished as a new one.
TEST(Db, OpensAFolderKilledDuringItsCreation) {
  const std::vector<std::vector<std::string>> cases = {
      AllCfNames(), {"default"}, {"default", "events", "message_ids"}};
  for (const auto& names : cases) {
    SCOPED_TRACE(fmt::format("{} families", names.size()));
    TempDir tmp;
    MakeRocksDb(tmp.path(), names);
    {
      auto db = Db::Open({tmp.path(), true});
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      Batch b = (*db)->NewBatch();
      b.Put(Cf::kOutbox, "k", "v");
      ASSERT_TRUE((*db)->Write(b).ok());
    }
    auto db = Db::Open({tmp.path(), true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->Get(Cf::kOutbox, "k")->value_or(""), "v");
    EXPECT_EQ((*db)->Get(Cf::kMeta, "signpost.format_version")->value_or(""),
              std::to_string(kFormatVersion));
  }
}

// A RocksDB database of another program is never adopted: with any key, or with a column family
// that is not one of ours, and no signpost format marker, it is refused and left as it was.
TEST(Db, RefusesAForeignRocksDbFolder) {
  struct Case {
    std::vector<std::string> names;
    std::string key_cf, key;
  };
  auto with_theirs = AllCfNames();
  with_theirs.push_back("theirs");
  const std::vector<Case> cases = {{{"default"}, "default", "k"},
                                   {AllCfNames(), "events", "k"},
                                   {{"default", "theirs"}, "theirs", "k"},
                                   {with_theirs, "", ""}};
  for (const auto& c : cases) {
    SCOPED_TRACE(fmt::format("{} families, key in '{}'", c.names.size(), c.key_cf));
    TempDir tmp;
    MakeRocksDb(tmp.path(), c.names, c.key_cf, c.key);
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto db = Db::Open({tmp.path(), true});
      ASSERT_FALSE(db.ok());
      EXPECT_EQ(db.status().code(), Code::kFailedPrecondition);
      EXPECT_THAT(db.status().message(),
                  HasSubstr("is a database but not a signpost data folder (no signpost format "
                            "marker)"));
    }
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), tmp.path(), &names).ok());
    std::sort(names.begin(), names.end());
    auto want = c.names;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(names, want);
  }
}

TEST(Db, RefusesAFile) {
  TempDir tmp;
  std::ofstream(tmp.Sub("file")) << "x";
  auto db = Db::Open({tmp.Sub("file"), true});
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.status().message(), HasSubstr("is a file"));
}

TEST(Db, RefusesAFolderLockedByThisProcess) {
  TempDir tmp;
  auto first = Db::Open({tmp.path(), true});
  ASSERT_TRUE(first.ok());
  auto second = Db::Open({tmp.path(), true});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("in use by another signpost process"));
}

TEST(Db, RefusesAFolderLockedByAnotherProcess) {
  TempDir tmp;
  ASSERT_TRUE(Db::Open({tmp.path(), true}).ok());  // create, then close
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = Db::Open({tmp.path(), true});
    char c = db.ok() ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    (void)!read(release[0], &c, 1);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto db = Db::Open({tmp.path(), true});
  (void)!write(release[1], &c, 1);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr("stop that process or pass a different --data"));
  // Once the other process is gone the folder opens.
  EXPECT_TRUE(Db::Open({tmp.path(), true}).ok());
}

}  // namespace
}  // namespace signpost::store
