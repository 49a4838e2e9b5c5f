// The identity module's records: merges (an old profile id folded into a new one) and refused
// merges (a link that would have put two different userIds in one profile).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/ids.h"

namespace signpost::identity {

// Profile `from` was merged into profile `to` (every identity of `from` now resolves to `to`).
// Ordinals are dense from 1 in the order merges happened, so a reader can follow them with
// ProfileStore::MergesAfter(last ordinal seen).
struct MergeRecord {
  uint64_t ordinal = 0;
  ProfileId from, to;
  uint64_t seq = 0;  // the event that caused it
  TimeMs at = 0;     // that event's timestamp
};

// A link refused because both sides already had (different) userIds. Identities, not profile ids,
// are recorded: the record then follows later merges of either side.
struct RefusedMerge {
  uint64_t ordinal = 0;          // dense from 1
  std::string identity, other;   // the two identities the event tried to link
  std::string user, other_user;  // the userId held by each side's profile
  std::string message_id;        // the event that asked for the link
  std::string event_type;        // "identify" or "alias"
  uint64_t seq = 0;
  TimeMs at = 0;  // the event's timestamp

  // One human-readable line, e.g. for logs and the ingest answer.
  std::string Describe() const;
};

// Binary encodings (values of the merges / refused_merges column families).
std::string EncodeMerge(const MergeRecord& m);
bool DecodeMerge(std::string_view key, std::string_view value, MergeRecord& m);
std::string EncodeRefused(const RefusedMerge& r);
bool DecodeRefused(std::string_view key, std::string_view value, RefusedMerge& r);

}  // namespace signpost::identity
