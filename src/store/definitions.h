// Definitions: the versioned definitions of one data folder, by kind and id; every apply is a new
// numbered version with a change note (VersionedRecords in Cf::kDefinitions, keyed by the kind's
// name, so the stored bytes are those of every earlier build).
//
// Thread-safety: every method may be called from any thread; writes are serialized inside.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/status.h"
#include "store/db.h"
#include "store/definition_kind.h"
#include "store/versioned_records.h"

namespace signpost::store {

class Definitions {
 public:
  // Definitions in `db` (not owned; must outlive this).
  explicit Definitions(Db* db) : records_(db, Cf::kDefinitions) {}

  // Durably stores a new version of (kind, id) and returns its number (1 for a new id).
  // kInvalidArgument when id is empty.
  Result<uint64_t> Put(DefinitionKind kind, std::string_view id, std::string_view body,
                       std::string_view note, TimeMs at) {
    return records_.Put(DefinitionKindName(kind), id, body, note, at);
  }
  // Version `version` of (kind, id), or the latest when version == 0. kNotFound names what is
  // missing.
  Result<VersionedRecord> Get(DefinitionKind kind, std::string_view id,
                              uint64_t version = 0) const {
    return records_.Get(DefinitionKindName(kind), id, version);
  }
  // The latest version of every id of `kind`, by id.
  Result<std::vector<VersionedRecord>> List(DefinitionKind kind) const {
    return records_.List(DefinitionKindName(kind));
  }
  // Every version of (kind, id), oldest first (empty when unknown).
  Result<std::vector<VersionedRecord>> History(DefinitionKind kind, std::string_view id) const {
    return records_.History(DefinitionKindName(kind), id);
  }
  // Removes every version of (kind, id). kNotFound when it has none.
  Status Delete(DefinitionKind kind, std::string_view id) {
    return records_.Delete(DefinitionKindName(kind), id);
  }

 private:
  VersionedRecords records_;
};

}  // namespace signpost::store
