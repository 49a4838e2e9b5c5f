#include "store/event_chunk.h"

#include <cstdint>

#include "store/coding.h"
#include "store/event_codec.h"

namespace signpost::store {

void ChunkWriter::Add(const Event& event) {
  scratch_.clear();
  EncodeEvent(event, scratch_);
  PutLengthPrefixed(records_, scratch_);
  ++count_;
}

void ChunkWriter::AddRecord(std::string_view record) {
  PutLengthPrefixed(records_, record);
  ++count_;
}

bool SplitChunk(std::string_view value, std::vector<std::string_view>& records) {
  records.clear();
  if (value.empty()) return false;  // a chunk holds at least one event
  while (!value.empty()) {
    std::string_view record;
    if (!GetLengthPrefixed(value, record)) return false;
    records.push_back(record);
  }
  return true;
}

}  // namespace signpost::store
