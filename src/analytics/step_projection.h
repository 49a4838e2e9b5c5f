// StepProjection: a narrow copy of the sealed index for one set of step names, what the counts-only
// ordered funnel (BestLevel) reads instead of the 12-byte-per-event timestamp and name columns.
//
// For each sealed profile that has at least one event filling step 1, only the events whose names
// fill some step, from its first step-1 event on (earlier events can fill nothing: a chain starts
// at a step-1 event), each as a 32-bit time relative to the profile's first kept event and an 8-bit
// mask of the steps its name fills (and a flag on each profile's first kept event). 5 bytes per
// kept event and 10 per kept profile (a 64-bit base time and a 16-bit count; the slot ids, read
// only for a segment, apart), built in one pass over the name column (two threads) and cached in
// the index per step-name table until the sealed columns change (EventIndex::Seal, RemoveEvents). A
// profile whose kept events span more than 2^32 ms (49 days), or has more than 65535 of them, is
// listed in `wide` and run on the full columns instead.
//
// Thread-safety: immutable once built; shared between queries through shared_ptr.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "analytics/event_index.h"

namespace signpost::analytics {

class StepProjection {
 public:
  // Most steps a projection can carry: the mask is 8 bits, bit 7 marks the first kept event of
  // each profile (so the kernel can run over a chunk's events as one stream).
  static constexpr int kMaxSteps = 7;
  static constexpr uint8_t kFirst = 0x80;

  // Builds the projection of `index`'s sealed columns for `name_steps` (name id -> mask of the
  // steps it fills; bit 0 = step 1; no bit above kMaxSteps - 1) on `threads` threads.
  static std::shared_ptr<const StepProjection> Build(const EventIndex& index,
                                                     std::span<const uint64_t> name_steps,
                                                     int threads);

  // The table it was built for, and the index generation it reflects.
  const std::vector<uint64_t>& name_steps() const { return name_steps_; }
  uint64_t generation() const { return generation_; }

  // Times() and Masks() have one element past EventCount() (0), so a kernel may read one ahead.
  // Kept profiles 0..ProfileCount()-1, in slot order: slot, base time, number of kept events.
  // Profiles are in chunks of kChunk; chunk c's events start at ChunkOffsets()[c] and follow
  // profile by profile (ChunkOffsets() has one more entry, the total).
  static constexpr uint32_t kChunk = 1024;
  uint32_t ProfileCount() const { return static_cast<uint32_t>(slot_.size()); }
  uint32_t ChunkCount() const { return static_cast<uint32_t>(chunk_offset_.size() - 1); }
  const uint32_t* Slots() const { return slot_.data(); }
  const TimeMs* Bases() const { return base_.data(); }
  const uint16_t* Counts() const { return count_.data(); }
  const uint64_t* ChunkOffsets() const { return chunk_offset_.data(); }
  const uint32_t* Times() const { return dt_.data(); }
  const uint8_t* Masks() const { return mask_.data(); }
  // Sealed slots left out because their kept events span more than 2^32 ms.
  const std::vector<uint32_t>& wide() const { return wide_; }
  uint64_t EventCount() const { return dt_.empty() ? 0 : dt_.size() - 1; }
  size_t MemoryBytes() const;

 private:
  std::vector<uint64_t> name_steps_;
  uint64_t generation_ = 0;
  std::vector<uint32_t> slot_;
  std::vector<TimeMs> base_;
  std::vector<uint16_t> count_;
  std::vector<uint64_t> chunk_offset_{0};
  std::vector<uint32_t> dt_;
  std::vector<uint8_t> mask_;
  std::vector<uint32_t> wide_;
};

}  // namespace signpost::analytics
