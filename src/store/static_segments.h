// StaticSegments: named, versioned lists of profile identities ("user:..", "anon:.."), e.g. the
// people of a funnel step saved in one call, or an imported list. Stored as identities, not profile
// ids, so membership follows identity merges.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/status.h"
#include "store/versioned_records.h"

namespace signpost::store {

struct StaticSegment {
  std::string name;
  uint64_t version = 0;
  std::vector<std::string> identities;  // in the order given, duplicates removed
  std::string note;
  TimeMs at = 0;
};

class StaticSegments {
 public:
  // Segments in `db` (not owned; must outlive this).
  explicit StaticSegments(Db* db) : records_(db, Cf::kSegments) {}

  // Stores a new version of segment `name` with these identities; returns the version (1, 2, ...).
  // kInvalidArgument when name is empty.
  Result<uint64_t> Put(std::string_view name, const std::vector<std::string>& identities,
                       std::string_view note, TimeMs at);
  // Version `version` of `name` (latest when 0); kNotFound when missing.
  Result<StaticSegment> Get(std::string_view name, uint64_t version = 0) const;
  // The latest version of every segment, by name.
  Result<std::vector<StaticSegment>> List() const;
  // Deletes every version of `name`; kNotFound when it does not exist.
  Status Delete(std::string_view name);

  // Every version of every list that holds one of `identities`, oldest first per list (a
  // person's export). One pass over the lists' histories.
  Result<std::vector<StaticSegment>> Holding(const std::vector<std::string>& identities) const;
  // Rewrites each version that holds one of `identities` without them, keeping its number, note
  // and time (a privacy erasure: old versions too). Returns the versions rewritten.
  Result<std::vector<StaticSegment>> Forget(const std::vector<std::string>& identities);

 private:
  VersionedRecords records_;
};

}  // namespace signpost::store
