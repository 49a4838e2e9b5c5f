#include "store/journey_records.h"

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

std::unique_ptr<Db> OpenDb(const TempDir& tmp) {
  auto db = Db::Open({tmp.path(), true});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::map<std::string, std::string> RawRecords(const Db& db) {
  std::map<std::string, std::string> raw;
  EXPECT_TRUE(db.Scan(Cf::kJourneys, "", "", [&](std::string_view k, std::string_view v) {
                  raw.emplace(k, v);
                  return true;
                }).ok());
  return raw;
}

struct Loaded {
  uint64_t cursor = 0, merges = 0;                            // partition 0's
  std::vector<std::pair<std::string, std::string>> statuses;  // partition 0's
  std::vector<std::pair<uint64_t, std::string>> states;
  uint32_t partitions = 0;
  std::map<uint32_t, uint64_t> cursors, merge_ordinals;                // by partition
  std::map<uint32_t, std::vector<std::string>> statuses_by_partition;  // "id=bytes"
};

Loaded Load(const JourneyRecords& records) {
  Loaded out;
  Status s = records.Load({
      .cursor =
          [&](uint32_t k, uint64_t seq) {
            out.cursors[k] = seq;
            if (k == 0) out.cursor = seq;
          },
      .journey_status =
          [&](uint32_t k, const JourneyId& id, std::string_view bytes) {
            out.statuses_by_partition[k].push_back(id.value() + "=" + std::string(bytes));
            if (k == 0) out.statuses.emplace_back(id.value(), bytes);
          },
      .merges =
          [&](uint32_t k, uint64_t ordinal) {
            out.merge_ordinals[k] = ordinal;
            if (k == 0) out.merges = ordinal;
          },
      .partitions = [&](uint32_t n) { out.partitions = n; },
      .profile_state = [&](ProfileId p,
                           std::string_view bytes) { out.states.emplace_back(p.value(), bytes); },
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// The keys and values are the on-disk format of folders written before this file existed: a
// change here makes existing data folders unreadable.
TEST(JourneyRecords, EncodingIsPinned) {
  TempDir tmp;
  auto db = OpenDb(tmp);
  ASSERT_TRUE(db);
  JourneyRecords records(db.get());
  Batch batch = db->NewBatch();
  records.PutProfileState(batch, ProfileId(0x0102), "state-a");
  records.PutProfileState(batch, ProfileId(0x0a0b0c0d0e0f1011), "state-b");
  records.PutProfileState(batch, ProfileId(3), "gone");
  records.DeleteProfileState(batch, ProfileId(3));
  records.PutJourneyStatus(batch, JourneyId("welcome"), "status-w");
  records.PutCursor(batch, 1234567);
  records.PutMerges(batch, 42);
  ASSERT_TRUE(db->Write(batch).ok());
  auto key = records.GetOrCreateSystemIdKey();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  ASSERT_EQ(key->size(), 32u);

  const std::map<std::string, std::string> expected = {
      {"cursor", "1234567"},
      {"jwelcome", "status-w"},
      {"merges", "42"},
      {std::string("p\0\0\0\0\0\0\x01\x02", 9), "state-a"},
      {"p\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11", "state-b"},
      {"system_id_key", *key},
  };
  EXPECT_EQ(RawRecords(*db), expected);
}

// Partitions 1.. of the journeys runtime: their own cursor, merges and counters under keys of their
// own; partition 0 keeps the single runtime's keys. Pinned like the rest.
TEST(JourneyRecords, PartitionKeysArePinned) {
  TempDir tmp;
  auto db = OpenDb(tmp);
  ASSERT_TRUE(db);
  JourneyRecords records(db.get());
  EXPECT_EQ(*records.Partitions(), 0u);  // never written
  Batch batch = db->NewBatch();
  records.PutJourneyStatus(batch, JourneyId("welcome"), "status-0", 0);
  records.PutJourneyStatus(batch, JourneyId("welcome"), "status-2", 2);
  records.PutJourneyStatus(batch, JourneyId("gone"), "x", 3);
  records.DeleteJourneyStatus(batch, JourneyId("gone"), 3);
  records.PutCursor(batch, 10, 0);
  records.PutCursor(batch, 12, 2);
  records.PutCursor(batch, 1, 3);
  records.DeleteCursor(batch, 3);
  records.PutMerges(batch, 4, 2);
  records.PutMerges(batch, 1, 3);
  records.DeleteMerges(batch, 3);
  records.PutPartitions(batch, 4);
  ASSERT_TRUE(db->Write(batch).ok());
  const std::map<std::string, std::string> expected = {
      {std::string("J\0\0\0\x02welcome", 12), "status-2"},
      {"cursor", "10"},
      {"cursor/2", "12"},
      {"jwelcome", "status-0"},
      {"merges/2", "4"},
      {"partitions", "4"},
  };
  EXPECT_EQ(RawRecords(*db), expected);
  EXPECT_EQ(*records.Partitions(), 4u);
  Loaded loaded = Load(records);
  EXPECT_EQ(loaded.partitions, 4u);
  EXPECT_EQ(loaded.cursors, (std::map<uint32_t, uint64_t>{{0, 10}, {2, 12}}));
  EXPECT_EQ(loaded.merge_ordinals, (std::map<uint32_t, uint64_t>{{2, 4}}));
  EXPECT_EQ(loaded.statuses_by_partition,
            (std::map<uint32_t, std::vector<std::string>>{{0, {"welcome=status-0"}},
                                                          {2, {"welcome=status-2"}}}));
  EXPECT_TRUE(loaded.states.empty());  // "partitions" is not a profile's record
}

// Records written raw, as the engine wrote them before, load through Load.
TEST(JourneyRecords, LoadReadsRecordsWrittenRaw) {
  TempDir tmp;
  auto db = OpenDb(tmp);
  ASSERT_TRUE(db);
  Batch batch = db->NewBatch();
  batch.Put(Cf::kJourneys, "cursor", "99");
  batch.Put(Cf::kJourneys, "merges", "5");
  batch.Put(Cf::kJourneys, "jb", "status-b");
  batch.Put(Cf::kJourneys, "ja", "status-a");
  batch.Put(Cf::kJourneys, std::string("p\0\0\0\0\0\0\0\x07", 9), "state-7");
  batch.Put(Cf::kJourneys, std::string("p\0\0\0\0\0\0\x01\0", 9), "state-256");
  batch.Put(Cf::kJourneys, "system_id_key", std::string(32, 'k'));
  ASSERT_TRUE(db->Write(batch).ok());

  JourneyRecords records(db.get());
  Loaded loaded = Load(records);
  EXPECT_EQ(loaded.cursor, 99u);
  EXPECT_EQ(loaded.merges, 5u);
  EXPECT_EQ(loaded.statuses, (std::vector<std::pair<std::string, std::string>>{{"a", "status-a"},
                                                                               {"b", "status-b"}}));
  EXPECT_EQ(loaded.states,
            (std::vector<std::pair<uint64_t, std::string>>{{7, "state-7"}, {256, "state-256"}}));
  auto key = records.GetOrCreateSystemIdKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, std::string(32, 'k'));  // an existing key is kept
}

TEST(JourneyRecords, SystemIdKeyIsMadeOnceAndSurvivesAReopen) {
  TempDir tmp;
  std::string first;
  {
    auto db = OpenDb(tmp);
    ASSERT_TRUE(db);
    JourneyRecords records(db.get());
    auto key = records.GetOrCreateSystemIdKey();
    ASSERT_TRUE(key.ok());
    first = *key;
    EXPECT_EQ(*records.GetOrCreateSystemIdKey(), first);
  }
  auto db = OpenDb(tmp);
  ASSERT_TRUE(db);
  EXPECT_EQ(*JourneyRecords(db.get()).GetOrCreateSystemIdKey(), first);
  // An empty folder has no cursor, merges, statuses or states (the key is not visited).
  Loaded loaded = Load(JourneyRecords(db.get()));
  EXPECT_EQ(loaded.cursor, 0u);
  EXPECT_TRUE(loaded.statuses.empty());
  EXPECT_TRUE(loaded.states.empty());
}

TEST(JourneyRecords, AnUnreadableRecordIsCorruption) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"cursor", "12x"}, {"merges", ""}, {"p\x01", "state"}}) {
    TempDir tmp;
    auto db = OpenDb(tmp);
    ASSERT_TRUE(db);
    Batch batch = db->NewBatch();
    batch.Put(Cf::kJourneys, key, value);
    ASSERT_TRUE(db->Write(batch).ok());
    EXPECT_EQ(JourneyRecords(db.get()).Load({}).code(), Code::kCorruption) << key;
  }
}

}  // namespace
}  // namespace signpost::store
