// VersionedRecords: records named (kind, id) whose every change is a new numbered version with a
// change note, never an overwrite. Backs definitions (funnels, journeys, goals, segments) and the
// static segments. Versions are numbered 1, 2, 3... per (kind, id).
// Thread-safety: every method may be called from any thread; writes are serialized inside.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/status.h"
#include "store/db.h"

namespace signpost::store {

struct VersionedRecord {
  std::string kind;
  std::string id;
  uint64_t version = 0;
  std::string body;  // opaque to the store (definitions: JSON text)
  std::string note;  // the change note
  TimeMs at = 0;     // when this version was stored
};

class VersionedRecords {
 public:
  // Records in column family `cf` of `db` (not owned; must outlive this).
  VersionedRecords(Db* db, Cf cf) : db_(db), cf_(cf) {}

  // Durably stores a new version of (kind, id) and returns its number (1 for a new id).
  // kInvalidArgument when kind or id is empty.
  Result<uint64_t> Put(std::string_view kind, std::string_view id, std::string_view body,
                       std::string_view note, TimeMs at);
  // Version `version` of (kind, id), or the latest when version == 0. kNotFound names what is
  // missing.
  Result<VersionedRecord> Get(std::string_view kind, std::string_view id,
                              uint64_t version = 0) const;
  // The latest version of every id of `kind`, by id.
  Result<std::vector<VersionedRecord>> List(std::string_view kind) const;
  // Every version of (kind, id), oldest first (empty when unknown).
  Result<std::vector<VersionedRecord>> History(std::string_view kind, std::string_view id) const;
  // Overwrites the body of the stored version `version` of (kind, id), keeping its note and time:
  // only for a privacy erasure, which must take a person out of old versions too. Durable on
  // return. kNotFound when that version does not exist.
  Status ReplaceBody(std::string_view kind, std::string_view id, uint64_t version,
                     std::string_view body);
  // Removes every version of (kind, id). kNotFound when it has none.
  Status Delete(std::string_view kind, std::string_view id);

 private:
  Db* db_;
  Cf cf_;
  std::mutex write_mu_;
};

}  // namespace signpost::store
