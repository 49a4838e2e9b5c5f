// Read-only access to the core fields of stored events (seq, timestamp, type, user id, anonymous
// id, event name) without decoding the rest: what the analytics index needs when it is rebuilt
// at open. Reads the event chunks of `event_chunk.h` / `event_codec.h` (their format is owned
// there; this file only reads it) over a seq range, so callers can scan ranges on several
// threads.
// Thread-safe: pure functions and scans over a thread-safe Store.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "signpost/event.h"
#include "signpost/status.h"

namespace signpost::store {

class Store;

// Views into the stored record: valid only during the scan callback.
struct EventCore {
  uint64_t seq = 0;
  TimeMs timestamp = 0;
  EventType type = EventType::kTrack;
  std::string_view user_id, anonymous_id, event;
};

// Decodes the core fields of one EncodeEvent record (seq is left unchanged). False when the
// record is malformed up to the event name.
bool DecodeEventCore(std::string_view record, EventCore& core);

// Calls fn(core) for every stored event with first <= seq <= last, in seq order, holes skipped,
// until fn returns false. kCorruption when a chunk or record cannot be decoded.
Status ScanEventCores(const Store& store, uint64_t first, uint64_t last,
                      const std::function<bool(const EventCore&)>& fn);

// The same a stored chunk at a time: fn(cores) with the decoded events of one chunk (at most
// kChunkEvents, in seq order, holes and seqs outside [first, last] left out; never empty), so a
// caller can work on a batch (prefetch its lookups) before handling each event. The views are
// valid only during that call.
Status ScanEventCoreChunks(const Store& store, uint64_t first, uint64_t last,
                           const std::function<bool(std::span<const EventCore>)>& fn);

}  // namespace signpost::store
