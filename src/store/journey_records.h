// JourneyRecords: the durable records of the journey runtime, in column family Cf::kJourneys.
// Values are bytes to this file (the engine writes journeys::ToJson documents); it owns the keys:
//   "p" + profile id (u64 BE)  -> the journey state of one profile (whichever partition owns it)
//   "j" + journey id           -> the status and step counters of one journey in partition 0
//   "J" + partition (u32 BE) + journey id -> the same in partition k >= 1 (its counters; the
//                                 lifecycle is the same in every partition)
//   "cursor", "cursor/<k>"     -> the last committed seq partition 0 / k has seen (decimal text)
//   "merges", "merges/<k>"     -> the ordinal of the last identity merge partition 0 / k applied
//   "partitions"               -> the number of partitions the records were written by (absent: 1)
//   "system_id_key"            -> the per-folder secret keying system events' message ids
// (Partition 0's keys are the keys of the single runtime before partitions, so older folders read
// as one partition.)
// The Put/Delete methods add to a caller's batch, so the runtime writes its states, counters,
// outbox items and cursor in one atomic write.
// Thread-safety: every method may be called from any thread (the batch is the caller's).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "signpost/ids.h"
#include "signpost/status.h"
#include "store/db.h"

namespace signpost::store {

class JourneyRecords {
 public:
  // Records in `db` (not owned; must outlive this).
  explicit JourneyRecords(Db* db) : db_(db) {}

  void PutProfileState(Batch& batch, ProfileId profile, std::string_view bytes) const;
  void DeleteProfileState(Batch& batch, ProfileId profile) const;
  void PutJourneyStatus(Batch& batch, const JourneyId& journey, std::string_view bytes,
                        uint32_t partition = 0) const;
  void DeleteJourneyStatus(Batch& batch, const JourneyId& journey, uint32_t partition) const;
  void PutCursor(Batch& batch, uint64_t seq, uint32_t partition = 0) const;
  void DeleteCursor(Batch& batch, uint32_t partition) const;
  void PutMerges(Batch& batch, uint64_t ordinal, uint32_t partition = 0) const;
  void DeleteMerges(Batch& batch, uint32_t partition) const;
  void PutPartitions(Batch& batch, uint32_t partitions) const;

  // What Load finds, each called once per record, in key order: partitions >= 1's statuses, the
  // cursors, partition 0's statuses, the merges ordinals, the partition count, then the profiles'
  // states by profile id. A callback may be
  // empty (its records are skipped); an exception it throws passes through Load.
  struct Visitor {
    std::function<void(uint32_t partition, uint64_t seq)> cursor;
    std::function<void(uint32_t partition, const JourneyId& journey, std::string_view bytes)>
        journey_status;
    std::function<void(uint32_t partition, uint64_t ordinal)> merges;
    std::function<void(uint32_t partitions)> partitions;
    std::function<void(ProfileId profile, std::string_view bytes)> profile_state;
  };
  // Reads every record (the system id key excepted) into `visitor`. kCorruption when the cursor
  // or the merges ordinal is not a decimal number or a profile key is not 8 bytes of id; read
  // errors as the Db reports them.
  Status Load(const Visitor& visitor) const;

  // The number of partitions the records were written by; 0 when never written (the single
  // runtime's records: partition 0's keys).
  Result<uint32_t> Partitions() const;

  // The system id key of this folder (32 bytes), made and written durably on the first call.
  // kIoError when there is no randomness or the write fails. Call it once, at open.
  Result<std::string> GetOrCreateSystemIdKey();

 private:
  Db* db_;
};

}  // namespace signpost::store
