#include "store/outbox_records.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;

class OutboxRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open({tmp_.path(), true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  std::map<std::string, std::string> Raw() const {
    std::map<std::string, std::string> raw;
    EXPECT_TRUE(db_->Scan(Cf::kOutbox, "", "",
                          [&](std::string_view k, std::string_view v) {
                            raw.emplace(k, v);
                            return true;
                          })
                    .ok());
    return raw;
  }

  std::vector<std::pair<TimeMs, std::string>> Due(const OutboxRecords& records) const {
    std::vector<std::pair<TimeMs, std::string>> due;
    EXPECT_TRUE(records
                    .ScanDue([&](TimeMs t, std::string_view key) {
                      due.emplace_back(t, key);
                      return true;
                    })
                    .ok());
    return due;
  }

  TempDir tmp_;
  std::unique_ptr<Db> db_;
};

// The keys and values are the on-disk format of folders written before this file existed: a
// change here makes existing data folders unreadable.
TEST_F(OutboxRecordsTest, EncodingIsPinned) {
  OutboxRecords records(db_.get());
  Batch batch = db_->NewBatch();
  records.PutItem(batch, "j/1/7#a", R"({"state":"pending"})");
  records.PutDue(batch, 0x0102, "j/1/7#a");
  records.PutDue(batch, -1, "early");
  records.PutDue(batch, 5, "moved");
  records.DeleteDue(batch, 5, "moved");
  ASSERT_TRUE(db_->Write(batch).ok());
  auto secret = records.GetOrCreateTrackingSecret();
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  ASSERT_EQ(secret->size(), 32u);

  const std::map<std::string, std::string> expected = {
      {std::string("d/\x7f\xff\xff\xff\xff\xff\xff\xff", 10) + "early", ""},
      {std::string("d/\x80\0\0\0\0\0\x01\x02", 10) + "j/1/7#a", ""},
      {"m/j/1/7#a", R"({"state":"pending"})"},
      {"x/tracking-secret", *secret},
  };
  EXPECT_EQ(Raw(), expected);
}

// Records written raw, as the outbox wrote them before, read back through the new API.
TEST_F(OutboxRecordsTest, ReadsRecordsWrittenRaw) {
  Batch batch = db_->NewBatch();
  batch.Put(Cf::kOutbox, "m/b", "item-b");
  batch.Put(Cf::kOutbox, "m/a", "item-a");
  batch.Put(Cf::kOutbox, std::string("d/\x80\0\0\0\0\0\0\x09", 10) + "b", "");
  batch.Put(Cf::kOutbox, std::string("d/\x80\0\0\0\0\0\0\x03", 10) + "a", "");
  batch.Put(Cf::kOutbox, "d/short", "");  // too short to hold a time: skipped
  batch.Put(Cf::kOutbox, "x/tracking-secret", std::string(32, 's'));
  ASSERT_TRUE(db_->Write(batch).ok());

  OutboxRecords records(db_.get());
  auto a = records.GetItem("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, std::optional<std::string>("item-a"));
  EXPECT_EQ(*records.GetItem("c"), std::nullopt);
  std::vector<std::string> items;
  ASSERT_TRUE(records
                  .ScanItems([&](std::string_view bytes) {
                    items.emplace_back(bytes);
                    return true;
                  })
                  .ok());
  EXPECT_EQ(items, (std::vector<std::string>{"item-a", "item-b"}));
  EXPECT_EQ(Due(records), (std::vector<std::pair<TimeMs, std::string>>{{3, "a"}, {9, "b"}}));
  EXPECT_EQ(*records.GetOrCreateTrackingSecret(), std::string(32, 's'));  // kept
}

TEST_F(OutboxRecordsTest, DueScanIsInTimeOrderNegativesFirstAndStops) {
  OutboxRecords records(db_.get());
  Batch batch = db_->NewBatch();
  records.PutDue(batch, 100, "late");
  records.PutDue(batch, -5, "negative");
  records.PutDue(batch, 0, "zero");
  records.PutDue(batch, 100, "also-late");
  ASSERT_TRUE(db_->Write(batch).ok());
  EXPECT_EQ(Due(records), (std::vector<std::pair<TimeMs, std::string>>{
                              {-5, "negative"}, {0, "zero"}, {100, "also-late"}, {100, "late"}}));
  int seen = 0;
  ASSERT_TRUE(records.ScanDue([&](TimeMs, std::string_view) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
}

TEST_F(OutboxRecordsTest, TrackingSecretIsMadeOnceAndSurvivesAReopen) {
  std::string first;
  {
    OutboxRecords records(db_.get());
    auto secret = records.GetOrCreateTrackingSecret();
    ASSERT_TRUE(secret.ok());
    first = *secret;
    EXPECT_EQ(*records.GetOrCreateTrackingSecret(), first);
  }
  db_.reset();
  SetUp();
  EXPECT_EQ(*OutboxRecords(db_.get()).GetOrCreateTrackingSecret(), first);
}

}  // namespace
}  // namespace signpost::store
