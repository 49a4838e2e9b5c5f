// Event chunks: the value of one key of the events column family. A chunk holds the encodings of
// consecutive events (seq = the key's first seq + position): per event a varint length and its
// EncodeEvent bytes, nothing else (the count is the number of records). Storing ~256 events under
// one key makes appends one put per chunk and scans read big values.
//
// Holes: an erased event (Store::EraseEvents) is rewritten as a zero-length record (a single 0
// byte), so the positions, and with them the seqs, of the chunk's other events do not move. No
// event encodes to zero bytes, so every reader tells a hole from an event by its length and skips
// it. A chunk whose events are all erased stays, as that many 0 bytes.
// Thread-safe: pure functions and a reader over caller-owned bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/event.h"

namespace signpost::store {

// Most events in one chunk. A chunk never spans two appends, so small appends make small chunks.
constexpr size_t kChunkEvents = 256;

// Builds one chunk value.
class ChunkWriter {
 public:
  void Add(const Event& event);
  // Adds an already encoded record (EncodeEvent bytes; empty for a hole).
  void AddRecord(std::string_view record);
  size_t count() const { return count_; }
  // The chunk value; valid until the next Add or Clear.
  std::string_view value() const { return records_; }
  // Empties the writer, keeping its memory.
  void Clear() {
    records_.clear();
    count_ = 0;
  }

 private:
  size_t count_ = 0;
  std::string records_, scratch_;
};

// True when `record` (one of SplitChunk's records) is an erased event.
inline bool IsHole(std::string_view record) { return record.empty(); }

// Splits a chunk value into its event records (holes included, as empty records). Returns false
// when `value` is malformed.
bool SplitChunk(std::string_view value, std::vector<std::string_view>& records);

}  // namespace signpost::store
