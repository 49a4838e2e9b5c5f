#include "analytics/event_index.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "analytics/step_projection.h"

namespace signpost::analytics {

namespace {

// Dense profile ids (the store assigns them from 1) index a vector; ids far beyond the number of
// profiles go to a hash map so one odd id cannot blow the vector up.
constexpr uint64_t kDenseSlack = 1 << 20;

// The delta is folded in by itself when it outgrows the sealed part (and is at least this big).
constexpr size_t kMinAutoSeal = 1 << 20;

struct SortRow {
  TimeMs ts;
  uint64_t seq;
  int64_t ref;
  uint32_t name;
  uint8_t type;
  bool operator<(const SortRow& o) const { return ts != o.ts ? ts < o.ts : seq < o.seq; }
};

// Removes the rows at positions `at` (ascending, unique, in range) from `column`, keeping the
// order of the others: one move per run of kept rows.
template <typename T>
void EraseRowsAt(std::vector<T>& column, const std::vector<uint64_t>& at) {
  size_t out = at.front();
  for (size_t k = 0; k < at.size(); ++k) {
    const size_t from = at[k] + 1;
    const size_t to = k + 1 < at.size() ? at[k + 1] : column.size();
    std::move(column.begin() + from, column.begin() + to, column.begin() + out);
    out += to - from;
  }
  column.resize(out);
}

}  // namespace

EventIndex::EventIndex() = default;
EventIndex::~EventIndex() = default;

uint32_t EventIndex::InternName(std::string_view name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  name_ids_.emplace(names_.back(), id);
  return id;
}

uint32_t EventIndex::NameId(std::string_view name) const {
  auto it = name_ids_.find(name);
  return it == name_ids_.end() ? kNoName : it->second;
}

int64_t EventIndex::SlotLookup(uint64_t profile) const {
  if (profile < dense_slot_.size()) {
    uint32_t s = dense_slot_[profile];
    if (s != 0) return s - 1;
  }
  auto it = sparse_slot_.find(profile);
  return it == sparse_slot_.end() ? -1 : static_cast<int64_t>(it->second);
}

int64_t EventIndex::SlotOf(ProfileId profile) const { return SlotLookup(profile.value()); }

uint32_t EventIndex::SlotFor(ProfileId profile) {
  uint64_t p = profile.value();
  int64_t found = SlotLookup(p);
  if (found >= 0) return static_cast<uint32_t>(found);
  uint32_t slot = static_cast<uint32_t>(slot_profile_.size());
  slot_profile_.push_back(p);
  if (!redirect_.empty()) redirect_.push_back(kNoRow);
  if (p < 2 * slot_profile_.size() + kDenseSlack) {
    if (p >= dense_slot_.size())
      dense_slot_.resize(std::max<size_t>(p + 1, dense_slot_.size() * 3 / 2), 0);
    dense_slot_[p] = slot + 1;
  } else {
    sparse_slot_.emplace(p, slot);
  }
  return slot;
}

void EventIndex::PushDelta(uint32_t slot, TimeMs ts, uint64_t seq, int64_t ref, uint32_t name,
                           uint8_t type) {
  assert(delta_.size() < kNoRow);
  delta_.push_back(DeltaRow{ts, seq, ref, name, slot, type});
  grouped_.store(false, std::memory_order_relaxed);
}

uint32_t EventIndex::Resolve(uint32_t slot) const {
  if (redirect_.empty()) return slot;
  while (redirect_[slot] != kNoRow) slot = redirect_[slot];
  return slot;
}

void EventIndex::EnsureGrouped() const {
  if (grouped_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(group_mu_);
  if (grouped_.load(std::memory_order_relaxed)) return;
  const size_t slots = slot_profile_.size();
  group_start_.assign(slots + 1, 0);
  std::vector<uint32_t> resolved(delta_.size());
  for (size_t i = 0; i < delta_.size(); ++i) {
    resolved[i] = Resolve(delta_[i].slot);
    ++group_start_[resolved[i] + 1];
  }
  for (size_t s = 0; s < slots; ++s) group_start_[s + 1] += group_start_[s];
  group_rows_.resize(delta_.size());
  std::vector<uint64_t> fill(group_start_.begin(), group_start_.end() - 1);
  for (size_t i = 0; i < delta_.size(); ++i)
    group_rows_[fill[resolved[i]]++] = static_cast<uint32_t>(i);
  delta_slots_.clear();
  for (size_t s = 0; s < slots; ++s) {
    if (group_start_[s + 1] > group_start_[s]) delta_slots_.push_back(static_cast<uint32_t>(s));
  }
  grouped_.store(true, std::memory_order_release);
}

const char* EventIndex::ScopeObject(const Event& e, rules::PropertyScope scope) {
  switch (scope) {
    case rules::PropertyScope::kProperties:
      return e.properties.c_str();
    case rules::PropertyScope::kContext:
      return e.context.c_str();
    case rules::PropertyScope::kTraits:
      return e.traits.c_str();
  }
  return "{}";
}

void EventIndex::Add(ProfileId profile, const Event& event) {
  uint32_t slot = SlotFor(profile);
  int64_t ref = ~new_events_++;
  PushDelta(slot, event.timestamp, event.seq, ref, InternName(event.event),
            static_cast<uint8_t>(event.type));
  ++event_count_;
  // Writers have exclusive access (see the header), so no query is building a column now.
  if (!columns_.empty()) {
    std::lock_guard<std::mutex> lock(columns_mu_);
    for (auto& [text, column] : columns_) {
      column->SetFromJson(ref, ScopeObject(event, column->path().scope));
    }
  }
  MaybeSeal();
}

void EventIndex::AddTrack(ProfileId profile, TimeMs timestamp, uint64_t seq,
                          std::string_view name) {
  uint32_t slot = SlotFor(profile);
  int64_t ref = ~new_events_++;
  PushDelta(slot, timestamp, seq, ref, InternName(name), static_cast<uint8_t>(EventType::kTrack));
  ++event_count_;
  if (!columns_.empty()) {
    std::lock_guard<std::mutex> lock(columns_mu_);
    for (auto& [text, column] : columns_) column->SetFromJson(ref, "{}");
  }
  MaybeSeal();
}

void EventIndex::MaybeSeal() {
  size_t limit = auto_seal_rows_ != 0 ? auto_seal_rows_ : std::max(kMinAutoSeal, ts_.size());
  if (delta_.size() >= limit) Seal();
}

void EventIndex::Reserve(size_t events) {
  delta_.reserve(delta_.size() + events);
  auto_seal_rows_ = std::max(std::max(kMinAutoSeal, ts_.size()), delta_.size() + events);
}

Status EventIndex::MergeProfiles(ProfileId from, ProfileId into) {
  int64_t from_slot = SlotOf(from);
  if (from_slot < 0) {
    return Status::NotFound("profile " + std::to_string(from.value()) + " has no events to merge");
  }
  if (from == into) return Status::Ok();
  uint32_t to = SlotFor(into);
  uint32_t fs = static_cast<uint32_t>(from_slot);
  if (fs + 1 < offsets_.size() && !moved_[fs]) {
    for (uint64_t pos = offsets_[fs]; pos < offsets_[fs + 1]; ++pos) {
      PushDelta(to, ts_[pos], seq_[pos], static_cast<int64_t>(pos), name_[pos], type_[pos]);
    }
    moved_[fs] = 1;
  }
  if (redirect_.empty()) redirect_.assign(slot_profile_.size(), kNoRow);
  redirect_[fs] = to;
  grouped_.store(false, std::memory_order_relaxed);
  // `from` no longer names a profile here; its slot stays, empty.
  uint64_t p = from.value();
  if (p < dense_slot_.size() && dense_slot_[p] != 0) {
    dense_slot_[p] = 0;
  } else {
    sparse_slot_.erase(p);
  }
  slot_profile_[fs] = into.value();
  MaybeSeal();
  return Status::Ok();
}

const std::vector<uint32_t>& EventIndex::DeltaSlots() const {
  if (delta_.empty()) {
    static const std::vector<uint32_t> none;
    return none;
  }
  EnsureGrouped();
  return delta_slots_;
}

ProfileView EventIndex::View(uint32_t slot, ViewScratch* scratch) const {
  ProfileView v;
  bool sealed = slot + 1 < offsets_.size() && !moved_[slot];
  bool has_delta = false;
  if (!delta_.empty()) {
    EnsureGrouped();
    has_delta = group_start_[slot + 1] > group_start_[slot];
  }
  if (!has_delta) {
    if (!sealed) return v;
    uint64_t b = offsets_[slot], e = offsets_[slot + 1];
    v.ts = ts_.data() + b;
    v.seq = seq_.data() + b;
    v.name = name_.data() + b;
    v.type = type_.data() + b;
    v.base_ref = static_cast<int64_t>(b);
    v.size = e - b;
    return v;
  }
  std::vector<SortRow> rows;
  if (sealed) {
    for (uint64_t pos = offsets_[slot]; pos < offsets_[slot + 1]; ++pos) {
      rows.push_back(
          SortRow{ts_[pos], seq_[pos], static_cast<int64_t>(pos), name_[pos], type_[pos]});
    }
  }
  for (uint64_t k = group_start_[slot]; k < group_start_[slot + 1]; ++k) {
    const DeltaRow& d = delta_[group_rows_[k]];
    rows.push_back(SortRow{d.ts, d.seq, d.ref, d.name, d.type});
  }
  std::sort(rows.begin(), rows.end());
  scratch->ts.resize(rows.size());
  scratch->seq.resize(rows.size());
  scratch->name.resize(rows.size());
  scratch->type.resize(rows.size());
  scratch->ref.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    scratch->ts[i] = rows[i].ts;
    scratch->seq[i] = rows[i].seq;
    scratch->name[i] = rows[i].name;
    scratch->type[i] = rows[i].type;
    scratch->ref[i] = rows[i].ref;
  }
  v.ts = scratch->ts.data();
  v.seq = scratch->seq.data();
  v.name = scratch->name.data();
  v.type = scratch->type.data();
  v.ref = scratch->ref.data();
  v.size = rows.size();
  return v;
}

void EventIndex::Seal() {
  if (delta_.empty()) {
    std::vector<uint32_t>().swap(redirect_);
    if (offsets_.size() < slot_profile_.size() + 1) {
      offsets_.resize(slot_profile_.size() + 1, offsets_.back());
      moved_.resize(slot_profile_.size(), 0);
    }
    return;
  }
  const size_t slots = slot_profile_.size();
  const size_t sealed_slots = offsets_.size() - 1;
  std::vector<uint64_t> counts(slots, 0);
  for (size_t s = 0; s < sealed_slots; ++s) {
    if (!moved_[s]) counts[s] = offsets_[s + 1] - offsets_[s];
  }
  for (const DeltaRow& d : delta_) ++counts[Resolve(d.slot)];
  std::vector<uint64_t> offsets(slots + 1, 0);
  for (size_t s = 0; s < slots; ++s) offsets[s + 1] = offsets[s] + counts[s];
  const size_t n = offsets[slots];

  bool gather;
  {
    std::lock_guard<std::mutex> lock(columns_mu_);
    gather = !columns_.empty();
  }
  // Filled in output order with appends, so the new columns are never zeroed first.
  std::vector<TimeMs> ts;
  std::vector<uint64_t> seq;
  std::vector<uint32_t> name;
  std::vector<uint8_t> type;
  std::vector<int64_t> refs;
  ts.reserve(n);
  seq.reserve(n);
  name.reserve(n);
  type.reserve(n);
  if (gather) refs.reserve(n);
  EnsureGrouped();
  const std::vector<uint64_t>& delta_start = group_start_;
  const std::vector<uint32_t>& by_slot = group_rows_;
  std::vector<SortRow> rows;
  for (size_t s = 0; s < slots; ++s) {
    assert(ts.size() == offsets[s]);
    bool sealed = s < sealed_slots && !moved_[s];
    if (delta_start[s] == delta_start[s + 1]) {
      if (!sealed) continue;
      uint64_t b = offsets_[s], e = offsets_[s + 1];
      ts.insert(ts.end(), ts_.begin() + b, ts_.begin() + e);
      seq.insert(seq.end(), seq_.begin() + b, seq_.begin() + e);
      name.insert(name.end(), name_.begin() + b, name_.begin() + e);
      type.insert(type.end(), type_.begin() + b, type_.begin() + e);
      if (gather) {
        for (uint64_t i = b; i < e; ++i) refs.push_back(static_cast<int64_t>(i));
      }
      continue;
    }
    rows.clear();
    if (sealed) {
      for (uint64_t pos = offsets_[s]; pos < offsets_[s + 1]; ++pos) {
        rows.push_back(
            SortRow{ts_[pos], seq_[pos], static_cast<int64_t>(pos), name_[pos], type_[pos]});
      }
    }
    for (uint64_t k = delta_start[s]; k < delta_start[s + 1]; ++k) {
      const DeltaRow& d = delta_[by_slot[k]];
      rows.push_back(SortRow{d.ts, d.seq, d.ref, d.name, d.type});
    }
    if (!std::is_sorted(rows.begin(), rows.end())) std::sort(rows.begin(), rows.end());
    for (const SortRow& r : rows) {
      ts.push_back(r.ts);
      seq.push_back(r.seq);
      name.push_back(r.name);
      type.push_back(r.type);
      if (gather) refs.push_back(r.ref);
    }
  }
  ts_ = std::move(ts);
  seq_ = std::move(seq);
  name_ = std::move(name);
  type_ = std::move(type);
  offsets_ = std::move(offsets);
  moved_.assign(slots, 0);
  if (gather) {
    std::lock_guard<std::mutex> lock(columns_mu_);
    for (auto& [text, column] : columns_) column->Gather(refs);
  }
  std::vector<DeltaRow>().swap(delta_);
  std::vector<uint32_t>().swap(redirect_);
  std::vector<uint64_t>().swap(group_start_);
  std::vector<uint32_t>().swap(group_rows_);
  std::vector<uint32_t>().swap(delta_slots_);
  grouped_.store(true, std::memory_order_relaxed);
  DropProjections();
  new_events_ = 0;
  auto_seal_rows_ = 0;
}

size_t EventIndex::RemoveEvents(std::span<const uint64_t> seqs) { return RemoveEvents(seqs, {}); }

size_t EventIndex::RemoveEvents(std::span<const uint64_t> seqs,
                                std::span<const ProfileId> profiles) {
  if (seqs.empty() || event_count_ == 0) return 0;
  std::vector<uint64_t> gone(seqs.begin(), seqs.end());
  std::sort(gone.begin(), gone.end());
  gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
  auto removed = [&](uint64_t seq) {
    return seq >= gone.front() && seq <= gone.back() &&
           std::binary_search(gone.begin(), gone.end(), seq);
  };
  Seal();
  // The positions of the removed rows, ascending: looked for in the profiles' slots first, in
  // every row when some seq is not there.
  std::vector<uint64_t> at;
  const size_t slots = offsets_.size() - 1;
  for (ProfileId profile : profiles) {
    const int64_t slot = SlotOf(profile);
    if (slot < 0 || static_cast<size_t>(slot) >= slots) continue;
    for (uint64_t pos = offsets_[slot]; pos < offsets_[slot + 1]; ++pos) {
      if (removed(seq_[pos])) at.push_back(pos);
    }
  }
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  if (at.size() < gone.size()) {
    at.clear();
    for (uint64_t pos = 0; pos < seq_.size(); ++pos) {
      if (removed(seq_[pos])) at.push_back(pos);
    }
  }
  if (at.empty()) return 0;

  // The property columns take new position -> old position; the core columns close the gaps in
  // place.
  std::vector<int64_t> refs;
  {
    std::lock_guard<std::mutex> lock(columns_mu_);
    if (!columns_.empty()) {
      refs.reserve(seq_.size() - at.size());
      size_t k = 0;
      for (uint64_t pos = 0; pos < seq_.size(); ++pos) {
        if (k < at.size() && at[k] == pos) {
          ++k;
        } else {
          refs.push_back(static_cast<int64_t>(pos));
        }
      }
    }
  }
  EraseRowsAt(ts_, at);
  EraseRowsAt(seq_, at);
  EraseRowsAt(name_, at);
  EraseRowsAt(type_, at);
  size_t k = 0;
  for (size_t s = 1; s <= slots; ++s) {
    while (k < at.size() && at[k] < offsets_[s]) ++k;
    offsets_[s] -= k;
  }
  {
    std::lock_guard<std::mutex> lock(columns_mu_);
    for (auto& [text, column] : columns_) column->Gather(refs);
  }
  DropProjections();
  event_count_ -= at.size();
  return at.size();
}

std::vector<uint64_t> EventIndex::SeqsWhere(
    const std::function<bool(TimeMs, uint32_t, uint8_t)>& match) const {
  std::vector<uint64_t> out;
  // Sealed rows of slots not merged away, then every delta row (a merge copies the moved
  // sealed rows into the delta, so each event is visited once).
  for (size_t s = 0; s + 1 < offsets_.size(); ++s) {
    if (moved_[s]) continue;
    for (uint64_t pos = offsets_[s]; pos < offsets_[s + 1]; ++pos) {
      if (match(ts_[pos], name_[pos], type_[pos])) out.push_back(seq_[pos]);
    }
  }
  for (const DeltaRow& d : delta_) {
    if (match(d.ts, d.name, d.type)) out.push_back(d.seq);
  }
  return out;
}

uint64_t EventIndex::ProfileCount() const {
  if (!delta_.empty()) EnsureGrouped();
  uint64_t n = 0;
  for (uint32_t s = 0; s < SlotCount(); ++s) {
    bool sealed = s + 1 < offsets_.size() && !moved_[s] && offsets_[s + 1] > offsets_[s];
    bool delta = !delta_.empty() && group_start_[s + 1] > group_start_[s];
    n += (sealed || delta) ? 1 : 0;
  }
  return n;
}

size_t EventIndex::MemoryBytes() const {
  size_t bytes =
      offsets_.capacity() * sizeof(uint64_t) + ts_.capacity() * sizeof(TimeMs) +
      seq_.capacity() * sizeof(uint64_t) + name_.capacity() * sizeof(uint32_t) + type_.capacity() +
      moved_.capacity() + slot_profile_.capacity() * sizeof(uint64_t) +
      dense_slot_.capacity() * sizeof(uint32_t) + sparse_slot_.size() * 32 +
      delta_.capacity() * sizeof(DeltaRow) + redirect_.capacity() * sizeof(uint32_t) +
      group_start_.capacity() * sizeof(uint64_t) + group_rows_.capacity() * sizeof(uint32_t);
  for (const auto& n : names_) bytes += 2 * (n.capacity() + sizeof(std::string)) + 16;
  return bytes;
}

size_t EventIndex::ColumnMemoryBytes() const {
  std::lock_guard<std::mutex> lock(columns_mu_);
  size_t bytes = 0;
  for (const auto& [text, column] : columns_) bytes += column->MemoryBytes();
  return bytes;
}

Result<const PropertyColumn*> EventIndex::Column(const rules::PropertyPath& path,
                                                 const PropertySource* source) const {
  std::lock_guard<std::mutex> lock(columns_mu_);
  auto it = columns_.find(path.text);
  if (it != columns_.end()) return static_cast<const PropertyColumn*>(it->second.get());
  if (source == nullptr) {
    return Status::FailedPrecondition("column '" + path.text +
                                      "' is not loaded and no property source was given");
  }
  // seq -> row ref, for sealed rows (by binary search over positions sorted by seq) and for the
  // rows added since the last Seal (a hash map).
  std::vector<uint64_t> by_seq(ts_.size());
  for (size_t i = 0; i < by_seq.size(); ++i) by_seq[i] = i;
  std::sort(by_seq.begin(), by_seq.end(),
            [this](uint64_t a, uint64_t b) { return seq_[a] < seq_[b]; });
  std::unordered_map<uint64_t, int64_t> new_refs;
  for (const DeltaRow& d : delta_) {
    if (d.ref < 0) new_refs.emplace(d.seq, d.ref);
  }
  auto column = std::make_unique<PropertyColumn>(path);
  column->ResetSealed(ts_.size());
  Status st = source->Scan(path.scope, [&](uint64_t seq, std::string_view json) {
    auto pos = std::lower_bound(by_seq.begin(), by_seq.end(), seq,
                                [this](uint64_t p, uint64_t s) { return seq_[p] < s; });
    if (pos != by_seq.end() && seq_[*pos] == seq) {
      column->SetFromJson(static_cast<int64_t>(*pos), json);
      return;
    }
    auto n = new_refs.find(seq);
    if (n != new_refs.end()) column->SetFromJson(n->second, json);
  });
  if (!st.ok()) return st;
  const PropertyColumn* result = column.get();
  columns_.emplace(path.text, std::move(column));
  return result;
}

}  // namespace signpost::analytics
