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

std::string ChunkWriter::Finish() const {
  std::string out;
  out.reserve(records_.size() + 3);
  PutVarint64(out, count_);
  out.append(records_);
  return out;
}

bool SplitChunk(std::string_view value, std::vector<std::string_view>& records) {
  records.clear();
  uint64_t n = 0;
  if (!GetVarint64(value, n) || n > value.size()) return false;
  records.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view record;
    if (!GetLengthPrefixed(value, record)) return false;
    records.push_back(record);
  }
  return value.empty();
}

}  // namespace signpost::store
