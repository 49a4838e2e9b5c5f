// The column families of a signpost data folder: one per kind of record, so each gets options that
// fit its access pattern. The names are part of the on-disk format.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace signpost::store {

enum class Cf : uint8_t {
  kMeta = 0,          // format version and counters ("default" column family)
  kEvents,            // first seq of a chunk (u64 BE) -> event chunk (event_chunk.h)
  kMessageIds,        // first seq of a chunk (u64 BE) -> its message-id hash log (event_log.cc)
  kEventsByIdentity,  // identity (length-prefixed) + chunk first seq -> (timestamp, offset) list
  kIdentities,        // identity -> profile id (u64 BE)
  kMerges,            // merge ordinal (u64 BE) -> encoded merge record
  kRefusedMerges,     // ordinal (u64 BE) -> JSON record of a refused userId merge
  kTraits,            // identity (length-prefixed) + timestamp + seq -> flattened traits JSON
  kDeadLetters,       // id (u64 BE) -> JSON record
  kKeys,              // token -> JSON record
  kDefinitions,       // kind + id (length-prefixed) + version (u64 BE) -> JSON record
  kSegments,          // name (length-prefixed) + version (u64 BE) -> JSON record
  kJourneys,          // journey runtime state, timers and cursor (src/journeys/README.md)
  kOutbox,            // delivery outbox (src/delivery/README.md)
  kAudit,             // audit entry seq (u64 BE) -> JSON record of one admin action (audit_log.h)
  kPrivacy,  // regulations: keyed-hash tombstones and suppressions, jobs (engine/regulations.h)
};

constexpr size_t kCfCount = 16;

// The on-disk name of each column family, indexed by Cf.
constexpr std::array<std::string_view, kCfCount> kCfNames = {
    "default",      "events", "message_ids",    "events_by_identity",
    "identities",   "merges", "refused_merges", "traits",
    "dead_letters", "keys",   "definitions",    "segments",
    "journeys",     "outbox", "audit",          "privacy"};

constexpr size_t CfIndex(Cf cf) { return static_cast<size_t>(cf); }

}  // namespace signpost::store
