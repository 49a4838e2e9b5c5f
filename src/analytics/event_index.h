// EventIndex: the in-memory columnar index of events that funnels run on.
//
// Events are grouped by profile and ordered by (timestamp, seq) within a profile. Core columns
// (timestamp, seq, dictionary-encoded name, type) are always in memory: 21 bytes per event plus
// ~1.6 bytes per profile for offsets and ids. Property columns are loaded on demand through a
// PropertySource and cached.
//
// Writes (Add, MergeProfiles) go to a small per-profile delta; Seal() folds the delta into the
// sorted columns (it also happens by itself when the delta passes 1/8 of the index, at least 1M
// rows). Queries always see every added event: a profile with delta rows is merged on the fly.
//
// Thread-safety: const methods may run concurrently with each other; non-const methods need
// exclusive access (the engine holds a shared_mutex: writers exclusive, queries shared).
// Column() is const and safe to call concurrently (it locks an internal mutex while building).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analytics/property_column.h"
#include "signpost/event.h"
#include "signpost/ids.h"
#include "signpost/status.h"

namespace signpost::analytics {

class BulkRows;
class StepProjection;

// Implemented by the engine: gives the nested JSON objects of stored events.
// Thread-safety: Scan may be called from any query thread while the index is shared-locked.
class PropertySource {
 public:
  virtual ~PropertySource() = default;
  // Calls `visit(seq, json)` once for each stored event that is in the index, with the event's
  // `scope` object (properties, context or traits) as JSON text ("{}" when absent), in any order.
  // Returns the first storage error; `visit` results are not checked.
  virtual Status Scan(
      rules::PropertyScope scope,
      const std::function<void(uint64_t seq, std::string_view json)>& visit) const = 0;
};

// Kept per profile slot: the sorted events of one profile, zero-copy when the profile has no
// delta rows. `ref[i]` addresses the row in property columns (see PropertyColumn); when `ref` is
// null the refs are base_ref + i.
struct ProfileView {
  const TimeMs* ts = nullptr;
  const uint64_t* seq = nullptr;
  const uint32_t* name = nullptr;
  const uint8_t* type = nullptr;  // EventType
  const int64_t* ref = nullptr;
  int64_t base_ref = 0;
  size_t size = 0;
  int64_t RefAt(size_t i) const {
    return ref != nullptr ? ref[i] : base_ref + static_cast<int64_t>(i);
  }
};

// Buffers a ProfileView may point into; one per query thread.
struct ViewScratch {
  std::vector<TimeMs> ts;
  std::vector<uint64_t> seq;
  std::vector<uint32_t> name;
  std::vector<uint8_t> type;
  std::vector<int64_t> ref;
};

class EventIndex {
 public:
  static constexpr uint32_t kNoName = UINT32_MAX;

  EventIndex();
  ~EventIndex();
  EventIndex(const EventIndex&) = delete;
  EventIndex& operator=(const EventIndex&) = delete;

  // Adds one event of `profile` (any order; `event.seq` must be unique and is the tie-breaker).
  // Cached property columns are updated from the event's JSON. Never fails.
  void Add(ProfileId profile, const Event& event);
  // Same for the hot load path: a track event with only a name (no properties).
  void AddTrack(ProfileId profile, TimeMs timestamp, uint64_t seq, std::string_view name);
  // Moves every event of `from` to `into` (an identity merge). `from` then has no events.
  // Returns kNotFound when `from` has never been added; ok (no-op) when from == into.
  Status MergeProfiles(ProfileId from, ProfileId into);
  // Removes the events with these seqs (erased or expired in the store); unknown seqs are
  // skipped. Seals first, finds the rows (one pass over the seq column), then closes the gaps in
  // the sealed columns in place and rewrites the cached property columns without them. A profile
  // left without events has an empty view and no longer counts in ProfileCount. Returns how many
  // were removed.
  size_t RemoveEvents(std::span<const uint64_t> seqs);
  // The same when the seqs are (mostly) events of `profiles` (erasing people): the rows are looked
  // for in those profiles' events, and in every row only when some seq is not found there.
  size_t RemoveEvents(std::span<const uint64_t> seqs, std::span<const ProfileId> profiles);
  // Seqs of the events for which `match(timestamp, name id, type)` is true, in no particular
  // order; `match` is called once for every event.
  std::vector<uint64_t> SeqsWhere(
      const std::function<bool(TimeMs timestamp, uint32_t name, uint8_t type)>& match) const;
  // Reserves room for `events` more added events (a bulk load knows roughly how many) and holds
  // the automatic Seal() back until that many are in; call Seal() at the end of the load.
  void Reserve(size_t events);
  // Folds the delta into the sorted columns. Cheap when there is no delta.
  void Seal();
  // Loads every row of `parts` (bulk_load.h) straight into the sealed columns on `threads`
  // threads; the parts are emptied. Rows may come in any order; slots are given in order of first
  // appearance (parts in order), as Add would. kFailedPrecondition unless the index is empty (no
  // event, no profile, no cached column).
  Status BulkLoad(std::vector<BulkRows>& parts, int threads);

  // Counts.
  uint64_t EventCount() const { return event_count_; }
  // Profiles that have at least one event.
  uint64_t ProfileCount() const;
  // Bytes held by the core columns, offsets, dictionaries and the delta (not property columns).
  size_t MemoryBytes() const;
  // Bytes held by cached property columns.
  size_t ColumnMemoryBytes() const;

  // The id of an event name, or kNoName when no event has it.
  uint32_t NameId(std::string_view name) const;
  // Number of distinct names (ids are 0..NameCount()-1).
  uint32_t NameCount() const { return static_cast<uint32_t>(names_.size()); }
  const std::string& Name(uint32_t id) const { return names_[id]; }

  // Profile slots: 0..SlotCount()-1; an empty slot (merged away) has a view of size 0.
  uint32_t SlotCount() const { return static_cast<uint32_t>(slot_profile_.size()); }
  ProfileId SlotProfile(uint32_t slot) const { return ProfileId(slot_profile_[slot]); }
  // The slot of `profile`, or -1 when unknown.
  int64_t SlotOf(ProfileId profile) const;
  // The events of `slot` ordered by (timestamp, seq). The view may point into `scratch` and
  // stays valid until the next non-const call or the next View() with the same scratch.
  ProfileView View(uint32_t slot, ViewScratch* scratch) const;

  // Raw sealed columns for hot loops over many profiles. Meaningful only when HasDelta() is
  // false: then slot s's events are [SealedOffsets()[s], SealedOffsets()[s + 1]) for
  // s < SealedSlots(), and later slots have none.
  bool HasDelta() const { return !delta_.empty(); }
  uint32_t SealedSlots() const { return static_cast<uint32_t>(offsets_.size() - 1); }
  const uint64_t* SealedOffsets() const { return offsets_.data(); }
  const TimeMs* SealedTimestamps() const { return ts_.data(); }
  const uint32_t* SealedNames() const { return name_.data(); }
  // Changes whenever the sealed columns do (Seal with a delta, RemoveEvents).
  uint64_t Generation() const { return generation_; }
  // The slots that have delta rows (after merges), in slot order. Builds the grouping when stale.
  const std::vector<uint32_t>& DeltaSlots() const;
  // True when the sealed rows of `slot` are not its whole story: it has delta rows, was merged
  // away, or is newer than the sealed part. Call DeltaSlots() first (it groups the delta).
  bool SlotTouched(uint32_t slot) const {
    return slot + 1 >= offsets_.size() || moved_[slot] != 0 ||
           (!delta_.empty() && group_start_[slot + 1] > group_start_[slot]);
  }

  // The step projection (step_projection.h) of the sealed columns for `name_steps`, built on
  // `threads` threads on first use and cached (a few per index, most recently used kept) until
  // the sealed columns change. Safe to call concurrently.
  std::shared_ptr<const StepProjection> StepProjectionFor(std::span<const uint64_t> name_steps,
                                                          int threads) const;
  // StepProjectionFor, but only for a step set asked for before since the sealed columns last
  // changed: the first ask is noted and answered nullptr (the caller counts on the full columns,
  // as fast as building the projection would be), so a one-off funnel never pays for a projection
  // and a repeated one (a dashboard, a report re-run) gets it from its second run on.
  std::shared_ptr<const StepProjection> StepProjectionIfRepeated(
      std::span<const uint64_t> name_steps, int threads) const;
  // Bytes held by cached step projections.
  size_t ProjectionMemoryBytes() const;

  // The column for `path`, built through `source` on first use and cached. Returns
  // kFailedPrecondition when it is not cached and `source` is null, or the source's error.
  // The pointer stays valid until the next non-const call.
  Result<const PropertyColumn*> Column(const rules::PropertyPath& path,
                                       const PropertySource* source) const;

 private:
  static constexpr uint32_t kNoRow = UINT32_MAX;
  struct DeltaRow {
    TimeMs ts;
    uint64_t seq;
    int64_t ref;  // >= 0: a sealed position (moved by a merge); < 0: ~n, the n-th new event
    uint32_t name;
    uint32_t slot;  // as added; follow redirect_ for merged slots
    uint8_t type;
  };

  uint32_t InternName(std::string_view name);
  uint32_t SlotFor(ProfileId profile);
  int64_t SlotLookup(uint64_t profile) const;
  // The slot a delta row of `slot` belongs to now (after merges).
  uint32_t Resolve(uint32_t slot) const;
  // Builds the per-slot grouping of delta rows when it is stale. Const: runs under group_mu_.
  void EnsureGrouped() const;
  void PushDelta(uint32_t slot, TimeMs ts, uint64_t seq, int64_t ref, uint32_t name, uint8_t type);
  void MaybeSeal();
  // StepProjectionFor (only_if_repeated false) and StepProjectionIfRepeated (true): one look in
  // the cache, under projections_mu_.
  std::shared_ptr<const StepProjection> CachedProjection(std::span<const uint64_t> name_steps,
                                                         int threads, bool only_if_repeated) const;
  // The sealed columns changed: a new generation, cached projections dropped.
  void DropProjections();
  static const char* ScopeObject(const Event& e, rules::PropertyScope scope);

  // Sealed columns: slot s owns positions [offsets_[s], offsets_[s+1]) for s < sealed_slots.
  std::vector<uint64_t> offsets_{0};
  std::vector<TimeMs> ts_;
  std::vector<uint64_t> seq_;
  std::vector<uint32_t> name_;
  std::vector<uint8_t> type_;
  std::vector<uint8_t> moved_;  // per sealed slot: 1 when its sealed rows were merged away

  std::vector<uint64_t> slot_profile_;
  std::vector<uint32_t> dense_slot_;  // profile id -> slot + 1 (0 = none), for small ids
  std::unordered_map<uint64_t, uint32_t> sparse_slot_;

  std::vector<std::string> names_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> name_ids_;

  std::vector<DeltaRow> delta_;
  std::vector<uint32_t> redirect_;  // per slot: the slot it was merged into, kNoRow when none
  // Delta rows grouped by (resolved) slot, built lazily by the first query after a write.
  mutable std::mutex group_mu_;
  mutable std::atomic<bool> grouped_{true};
  mutable std::vector<uint64_t> group_start_;  // per slot + 1 (empty when there is no delta)
  mutable std::vector<uint32_t> group_rows_;
  mutable std::vector<uint32_t> delta_slots_;  // slots with delta rows, in slot order
  size_t auto_seal_rows_ = 0;  // 0: the default rule; else the delta size that triggers a Seal
  int64_t new_events_ = 0;     // events added since the last Seal
  uint64_t event_count_ = 0;

  uint64_t generation_ = 0;
  mutable std::mutex projections_mu_;
  // Step sets asked for once (StepProjectionIfRepeated) since the sealed columns last changed.
  mutable std::vector<std::vector<uint64_t>> asked_once_;
  mutable std::vector<std::shared_ptr<const StepProjection>> projections_;

  mutable std::mutex columns_mu_;
  mutable std::map<std::string, std::unique_ptr<PropertyColumn>> columns_;
};

}  // namespace signpost::analytics
