#include "store/event_log.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

#include "store/coding.h"
#include "store/event_chunk.h"
#include "store/event_codec.h"

namespace signpost::store {
namespace {

// Hash log of one chunk (value in the message_ids family): varint event count, then per event
// with a message id: varint position in the chunk, 8-byte big-endian XXH3 of the message id.
struct HashLogEntry {
  uint64_t offset, hash;
};

bool DecodeHashLog(std::string_view in, uint64_t& count, std::vector<HashLogEntry>& entries) {
  entries.clear();
  if (!GetVarint64(in, count)) return false;
  while (!in.empty()) {
    HashLogEntry e{};
    if (!GetVarint64(in, e.offset) || !GetFixed64BE(in, e.hash) || e.offset >= count) return false;
    entries.push_back(e);
  }
  return true;
}

constexpr std::string_view kIndexedThroughKey = "events.indexed_through";

using IndexEntry = EventLog::IndexEntry;
using PendingEntry = EventLog::PendingEntry;

uint64_t IdentityHash(std::string_view identity) {
  return XXH3_64bits(identity.data(), identity.size());
}

// Adds the index entry of `e` (stored at `chunk`) to `entries` and `names`.
void AddPending(const Event& e, uint64_t chunk, std::vector<PendingEntry>& entries,
                std::string& names) {
  const std::string identity = e.PrimaryIdentity();
  entries.push_back(PendingEntry{IdentityHash(identity), names.size(), identity.size(),
                                 IndexEntry{e.timestamp, e.seq, chunk}});
  names.append(identity);
}

// Appends `from` (names in `from_names`) to `entries` and `names`.
void AppendPending(const std::vector<PendingEntry>& from, std::string_view from_names,
                   std::vector<PendingEntry>& entries, std::string& names) {
  const uint64_t base = names.size();
  names.append(from_names);
  for (PendingEntry p : from) {
    p.offset += base;
    entries.push_back(p);
  }
}

// Index record: key = length-prefixed identity + first seq of the record (u64 BE); value = per
// entry, in seq order: zig-zag varint timestamp, varint (seq - first seq), varint (seq - chunk).
void PutIndexEntry(std::string& value, uint64_t first, const IndexEntry& e) {
  PutSignedVarint64(value, e.timestamp);
  PutVarint64(value, e.seq - first);
  PutVarint64(value, e.seq - e.chunk);
}

// Decodes the entries of one index record (`first` from its key). False when malformed.
bool DecodeIndexRecord(uint64_t first, std::string_view value,
                       const std::function<void(const IndexEntry&)>& fn) {
  while (!value.empty()) {
    int64_t t = 0;
    uint64_t delta = 0, offset = 0;
    if (!GetSignedVarint64(value, t) || !GetVarint64(value, delta) || !GetVarint64(value, offset) ||
        offset > first + delta) {
      return false;
    }
    fn(IndexEntry{t, first + delta, first + delta - offset});
  }
  return true;
}

// Calls fn(key, first seq, value) for each index record of `identity`.
Status ScanIdentityRecords(
    const Db& db, const std::string& identity,
    const std::function<Status(std::string_view, uint64_t, std::string_view)>& fn) {
  const std::string prefix = IdentityIndexPrefix(identity);
  Status bad;
  SP_RETURN_IF_ERROR(db.Scan(Cf::kEventsByIdentity, prefix, prefix,
                             [&](std::string_view key, std::string_view value) {
                               if (key.size() != prefix.size() + 8) {
                                 bad = Status::Corruption("bad identity index key");
                                 return false;
                               }
                               bad = fn(key, DecodeFixed64BE(key.data() + prefix.size()), value);
                               return bad.ok();
                             }));
  return bad;
}

Status ScanIdentity(const Db& db, const std::string& identity,
                    const std::function<void(const IndexEntry&)>& fn) {
  return ScanIdentityRecords(db, identity,
                             [&](std::string_view, uint64_t first, std::string_view value) {
                               return DecodeIndexRecord(first, value, fn)
                                          ? Status::Ok()
                                          : Status::Corruption("bad identity index record");
                             });
}

// Number of erased events (holes) in all chunks (u64 BE), kept so that open can count the stored
// events from the hash logs alone.
constexpr std::string_view kErasedKey = "events.erased";

}  // namespace

std::string IdentityIndexPrefix(std::string_view identity) {
  std::string key;
  PutLengthPrefixed(key, identity);
  return key;
}

Result<std::unique_ptr<EventLog>> EventLog::Load(Db* db, size_t index_flush_events) {
  std::unique_ptr<EventLog> log(new EventLog(db, std::max<size_t>(index_flush_events, 1)));
  SP_RETURN_IF_ERROR(log->LoadState());
  return log;
}

Status EventLog::LoadState() {
  // Every chunk has a hash-log record (also when none of its events has a message id), so this one
  // scan rebuilds the dedup table, the chunk starts and both counters.
  uint64_t next_seq = 1, count = 0;
  std::vector<HashLogEntry> entries;
  Status bad;
  // Pre-size the dedup table from the last chunk: its last seq bounds the ids (one per event at
  // most), and its share of events with a message id estimates how many of them have one (a low
  // estimate costs growth on the way, a high one a shrink after the scan).
  SP_ASSIGN_OR_RETURN(auto last, db_->Last(Cf::kMessageIds, ""));
  if (last) {
    uint64_t n = 0;
    if (last->first.size() != 8 || !DecodeHashLog(last->second, n, entries) || n == 0) {
      return Status::Corruption("a message-id hash log record cannot be decoded");
    }
    const uint64_t end = DecodeFixed64BE(last->first.data()) + n - 1;
    const uint64_t share = std::min<uint64_t>(n, entries.size() + n / 8);
    if (end <= MessageIdIndex::kMaxSeq)
      ids_.Reserve(static_cast<size_t>((end + n - 1) / n * share), end);
  }
  SP_RETURN_IF_ERROR(db_->Scan(
      Cf::kMessageIds, "", "",
      [&](std::string_view key, std::string_view value) {
        uint64_t n = 0;
        if (key.size() != 8 || !DecodeHashLog(value, n, entries) || n == 0) {
          bad = Status::Corruption("a message-id hash log record cannot be decoded");
          return false;
        }
        const uint64_t start = DecodeFixed64BE(key.data());
        chunk_starts_.push_back(start);
        ids_.Reserve(entries.size());
        for (const auto& e : entries) ids_.Insert(e.hash, start + e.offset);
        next_seq = start + n;
        count += n;
        return true;
      },
      /*bulk=*/true));
  SP_RETURN_IF_ERROR(bad);
  ids_.ShrinkToFit();  // when many events have no message id, or were erased
  SP_ASSIGN_OR_RETURN(auto erased, db_->Get(Cf::kMeta, kErasedKey));
  if (erased) {
    if (erased->size() != 8 || DecodeFixed64BE(erased->data()) > count) {
      return Status::Corruption("bad erased-event count");
    }
    erased_ = DecodeFixed64BE(erased->data());
  }
  next_seq_ = next_seq;
  count_ = count - erased_;

  // Re-index the events written after the last index records.
  SP_ASSIGN_OR_RETURN(auto through, db_->Get(Cf::kMeta, kIndexedThroughKey));
  uint64_t indexed_through = 0;
  if (through) {
    if (through->size() != 8) return Status::Corruption("bad indexed-through seq");
    indexed_through = DecodeFixed64BE(through->data());
  }
  std::unique_lock lock(pending_mu_);
  return Scan(indexed_through, [&](const Event& e) {
    AddPending(e, ChunkOf(e.seq), pending_, pending_names_);
    return true;
  });
}

uint64_t EventLog::ChunkOf(uint64_t seq) const {
  auto it = std::upper_bound(chunk_starts_.begin(), chunk_starts_.end(), seq);
  return it == chunk_starts_.begin() ? 0 : *(it - 1);
}

Result<EventLog::Staged> EventLog::Stage(std::vector<Event>& events, Batch& batch) const {
  enum : uint8_t { kAccept, kDuplicate };
  std::vector<uint8_t> verdict(events.size(), kAccept);
  std::vector<uint64_t> hash(events.size(), 0);
  // Earlier events of this call, by message-id hash: open addressing over event index + 1 (0 =
  // empty), at most half full; equal hashes are confirmed by comparing the ids.
  size_t capacity = 16;
  while (capacity < events.size() * 2) capacity <<= 1;
  std::vector<size_t> in_call(capacity, 0);
  // (event index, stored seq with the same hash): confirmed by reading the stored event.
  std::vector<std::pair<size_t, uint64_t>> candidates;
  // Hashes first, each prefetching its slot in the dedup table, so the lookups below overlap
  // their cache misses.
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].message_id.empty()) continue;
    hash[i] = HashMessageId(events[i].message_id);
    ids_.Prefetch(hash[i]);
  }
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& id = events[i].message_id;
    if (id.empty()) continue;
    for (size_t j = hash[i] & (capacity - 1);; j = (j + 1) & (capacity - 1)) {
      if (in_call[j] == 0) {
        in_call[j] = i + 1;
        break;
      }
      const size_t k = in_call[j] - 1;
      if (hash[k] == hash[i] && events[k].message_id == id) {
        verdict[i] = kDuplicate;
        break;
      }
    }
    if (verdict[i] == kDuplicate) continue;
    ids_.ForEach(hash[i], [&](uint64_t seq) { candidates.emplace_back(i, seq); });
  }
  if (!candidates.empty()) {
    std::vector<std::string> chunk_keys;
    std::unordered_map<uint64_t, size_t> chunk_slot;  // chunk start -> index in chunk_keys
    for (const auto& [i, seq] : candidates) {
      const uint64_t chunk = ChunkOf(seq);
      if (chunk_slot.emplace(chunk, chunk_keys.size()).second) chunk_keys.push_back(U64Key(chunk));
    }
    SP_ASSIGN_OR_RETURN(auto chunks, db_->MultiGet(Cf::kEvents, chunk_keys));
    std::vector<std::vector<std::string_view>> records(chunks.size());
    for (size_t c = 0; c < chunks.size(); ++c) {
      if (!chunks[c] || !SplitChunk(*chunks[c], records[c])) {
        return Status::Corruption(
            fmt::format("event chunk {} cannot be read", DecodeFixed64BE(chunk_keys[c].data())));
      }
    }
    for (const auto& [i, seq] : candidates) {
      const uint64_t chunk = ChunkOf(seq);
      const auto& recs = records[chunk_slot[chunk]];
      std::string_view stored;
      if (seq - chunk < recs.size() && IsHole(recs[seq - chunk])) continue;  // erased: not a dup
      if (seq - chunk >= recs.size() || !DecodeMessageId(recs[seq - chunk], stored)) {
        return Status::Corruption(fmt::format("event {} cannot be read", seq));
      }
      if (stored == events[i].message_id) verdict[i] = kDuplicate;
    }
  }

  Staged staged;
  staged.next_seq = next_seq_.load(std::memory_order_relaxed);
  staged.index.reserve(events.size());
  ChunkWriter chunk;
  std::string hash_log;
  uint64_t chunk_start = staged.next_seq;
  auto finish_chunk = [&] {
    if (chunk.count() == 0) return;
    const std::string key = U64Key(chunk_start);
    batch.Put(Cf::kEvents, key, chunk.value());
    std::string log;
    PutVarint64(log, chunk.count());
    log.append(hash_log);
    batch.Put(Cf::kMessageIds, key, log);
    staged.chunk_starts.push_back(chunk_start);
    chunk.Clear();
    hash_log.clear();
    chunk_start = staged.next_seq;
  };
  for (size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    if (verdict[i] == kDuplicate) {
      e.seq = 0;
      ++staged.duplicates;
      continue;
    }
    if (chunk.count() == kChunkEvents) finish_chunk();
    e.seq = staged.next_seq++;
    ++staged.accepted;
    const uint64_t offset = e.seq - chunk_start;
    chunk.Add(e);
    if (!e.message_id.empty()) {
      staged.ids.emplace_back(hash[i], e.seq);
      PutVarint64(hash_log, offset);
      PutFixed64BE(hash_log, hash[i]);
    }
    AddPending(e, chunk_start, staged.index, staged.names);
  }
  finish_chunk();
  return staged;
}

Status EventLog::IngestIndexRecords(const std::vector<PendingEntry>& entries,
                                    std::string_view names) const {
  struct Ref {
    uint64_t hash;
    uint64_t seq;  // entry->seq, kept here: the sort compares it without reaching the entry
    std::string_view name;
    const IndexEntry* entry;
  };
  std::vector<Ref> refs;
  refs.reserve(entries.size());
  for (const auto& p : entries) {
    refs.push_back(Ref{p.hash, p.entry.seq, names.substr(p.offset, p.size), &p.entry});
  }
  // Group by identity (hash first: cheap; the name only decides between equal hashes), each
  // group in seq order.
  std::sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (a.name != b.name) return a.name < b.name;
    return a.seq < b.seq;
  });
  std::vector<std::pair<std::string, std::string>> records;
  records.reserve(refs.size() / 2);  // rough: an identity has a few entries per flush
  for (size_t i = 0; i < refs.size();) {
    size_t end = i + 1;
    while (end < refs.size() && refs[end].hash == refs[i].hash && refs[end].name == refs[i].name) {
      ++end;
    }
    const uint64_t first = refs[i].entry->seq;
    std::string key = IdentityIndexPrefix(refs[i].name);
    PutFixed64BE(key, first);
    std::string value;
    for (size_t k = i; k < end; ++k) PutIndexEntry(value, first, *refs[k].entry);
    records.emplace_back(std::move(key), std::move(value));
    i = end;
  }
  // The file wants key order. An index is sorted, not the records (no string moves).
  std::vector<uint32_t> order(records.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return records[a].first < records[b].first; });
  return db_->IngestSorted(Cf::kEventsByIdentity, order.size(), [&](size_t i) {
    const auto& [key, value] = records[order[i]];
    return std::pair<std::string_view, std::string_view>(key, value);
  });
}

void EventLog::Commit(Staged& staged) {
  {
    std::unique_lock lock(pending_mu_);
    // Room for a whole flush's entries at once: no regrowth moving them (the flush's swap hands the
    // capacity back and forth).
    const size_t need = pending_.size() + staged.index.size();
    if (pending_.capacity() < need) {
      const size_t room = std::max(need, index_flush_events_ + staged.index.size());
      pending_.reserve(room);
      pending_names_.reserve(staged.names.size() / std::max<size_t>(staged.index.size(), 1) * room);
    }
    AppendPending(staged.index, staged.names, pending_, pending_names_);
  }
  // One rebuild for the whole group, sized for its entries and its largest seq (growth by the
  // seq alone would otherwise rebuild the table again inside the inserts below).
  if (!staged.ids.empty()) ids_.Reserve(staged.ids.size(), staged.ids.back().second);
  for (const auto& [hash, seq] : staged.ids) ids_.Prefetch(hash);
  for (const auto& [hash, seq] : staged.ids) ids_.Insert(hash, seq);
  chunk_starts_.insert(chunk_starts_.end(), staged.chunk_starts.begin(), staged.chunk_starts.end());
  count_.fetch_add(staged.accepted, std::memory_order_acq_rel);
  next_seq_.store(staged.next_seq, std::memory_order_release);
}

void EventLog::ReserveIds(size_t n) {
  const uint64_t max_seq = next_seq_.load(std::memory_order_relaxed) + n;
  if (n > 0 && max_seq <= MessageIdIndex::kMaxSeq) ids_.Reserve(n, max_seq);
}

Result<EventLog::StagedErase> EventLog::StageErase(std::span<const uint64_t> seqs,
                                                   Batch& batch) const {
  StagedErase staged;
  const uint64_t last = next_seq_.load(std::memory_order_relaxed) - 1;
  std::vector<uint64_t> wanted;
  for (uint64_t seq : seqs) {
    if (seq != 0 && seq <= last) wanted.push_back(seq);
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  if (wanted.empty()) return staged;

  std::vector<std::string> keys;
  for (uint64_t seq : wanted) {
    const std::string key = U64Key(ChunkOf(seq));
    if (keys.empty() || keys.back() != key) keys.push_back(key);
  }
  SP_ASSIGN_OR_RETURN(auto chunks, db_->MultiGet(Cf::kEvents, keys));
  SP_ASSIGN_OR_RETURN(auto logs, db_->MultiGet(Cf::kMessageIds, keys));
  std::map<std::string, std::vector<uint64_t>> by_identity;  // identity -> its erased seqs
  std::vector<std::string_view> records;
  std::vector<HashLogEntry> entries;
  std::vector<uint8_t> erase;
  ChunkWriter writer;
  size_t w = 0;
  for (size_t c = 0; c < keys.size(); ++c) {
    const uint64_t start = DecodeFixed64BE(keys[c].data());
    uint64_t n = 0;
    if (!chunks[c] || !SplitChunk(*chunks[c], records) || !logs[c] ||
        !DecodeHashLog(*logs[c], n, entries) || n != records.size()) {
      return Status::Corruption(fmt::format("event chunk {} cannot be read", start));
    }
    erase.assign(records.size(), 0);
    bool changed = false;
    for (; w < wanted.size() && wanted[w] < start + records.size(); ++w) {
      const uint64_t pos = wanted[w] - start;
      if (IsHole(records[pos])) continue;  // erased before
      Event& e = staged.erased.emplace_back();
      if (!DecodeEvent(records[pos], e)) {
        return Status::Corruption(fmt::format("event record {} cannot be decoded", wanted[w]));
      }
      e.seq = wanted[w];
      by_identity[e.PrimaryIdentity()].push_back(e.seq);
      staged.seqs.push_back(e.seq);
      erase[pos] = 1;
      changed = true;
    }
    if (!changed) continue;
    writer.Clear();
    for (size_t i = 0; i < records.size(); ++i) writer.AddRecord(erase[i] ? "" : records[i]);
    batch.Put(Cf::kEvents, keys[c], writer.value());
    std::string log;
    PutVarint64(log, n);
    for (const HashLogEntry& e : entries) {
      if (erase[e.offset]) {
        staged.ids.emplace_back(e.hash, start + e.offset);
        continue;
      }
      PutVarint64(log, e.offset);
      PutFixed64BE(log, e.hash);
    }
    batch.Put(Cf::kMessageIds, keys[c], log);
  }
  if (staged.erased.empty()) return staged;

  // The stored index records that list an erased event: rewritten without it (same key: the
  // deltas stay relative to its first seq), deleted when nothing is left. Entries still in memory
  // are dropped by CommitErase.
  for (const auto& [identity, gone] : by_identity) {
    SP_RETURN_IF_ERROR(ScanIdentityRecords(
        *db_, identity, [&](std::string_view key, uint64_t first, std::string_view value) {
          std::string kept;
          bool dropped = false;
          if (!DecodeIndexRecord(first, value, [&](const IndexEntry& e) {
                if (std::binary_search(gone.begin(), gone.end(), e.seq)) {
                  dropped = true;
                } else {
                  PutIndexEntry(kept, first, e);
                }
              })) {
            return Status::Corruption("bad identity index record");
          }
          if (!dropped) return Status::Ok();
          if (kept.empty()) {
            batch.Delete(Cf::kEventsByIdentity, key);
          } else {
            batch.Put(Cf::kEventsByIdentity, key, kept);
          }
          return Status::Ok();
        }));
  }
  batch.Put(Cf::kMeta, kErasedKey, U64Key(erased_ + staged.erased.size()));
  return staged;
}

void EventLog::CommitErase(const StagedErase& staged) {
  if (staged.erased.empty()) return;
  for (const auto& [hash, seq] : staged.ids) ids_.Remove(hash, seq);
  {
    std::unique_lock lock(pending_mu_);
    std::erase_if(pending_, [&](const PendingEntry& p) {
      return std::binary_search(staged.seqs.begin(), staged.seqs.end(), p.entry.seq);
    });
  }
  erased_ += staged.erased.size();
  count_.fetch_sub(staged.erased.size(), std::memory_order_acq_rel);
}

Status EventLog::WriteIndex() {
  SP_RETURN_IF_ERROR(FinishIndexFlush());
  if (pending_.empty()) return Status::Ok();
  SP_RETURN_IF_ERROR(WriteIndexRecords(pending_, pending_names_, last_seq()));
  std::unique_lock lock(pending_mu_);
  pending_.clear();
  pending_names_.clear();
  return Status::Ok();
}

Status EventLog::WriteIndexRecords(const std::vector<PendingEntry>& entries, std::string_view names,
                                   uint64_t through) const {
  // The records first, then the "indexed through" seq that lets the next open skip their events.
  // A crash between the two re-indexes those events at open: readers list an entry found both in
  // memory and in a record once, and the next write of the same entries goes under the same keys
  // (identity + first seq), replacing these records.
  SP_RETURN_IF_ERROR(IngestIndexRecords(entries, names));
  Batch batch = db_->NewBatch();
  batch.Put(Cf::kMeta, kIndexedThroughKey, U64Key(through));
  return db_->Write(batch);
}

Status EventLog::StartIndexFlush() {
  SP_RETURN_IF_ERROR(FinishIndexFlush());
  {
    std::unique_lock lock(pending_mu_);
    flushing_.swap(pending_);
    flushing_names_.swap(pending_names_);
  }
  // Only this task changes flushing_ until FinishIndexFlush has its result; readers share it.
  flush_ = std::async(std::launch::async, [this, through = last_seq()] {
    Status s = WriteIndexRecords(flushing_, flushing_names_, through);
    if (s.ok()) {
      std::unique_lock lock(pending_mu_);
      flushing_.clear();
      flushing_names_.clear();
    }
    return s;
  });
  return Status::Ok();
}

Status EventLog::FinishIndexFlush() {
  if (!flush_.valid()) return Status::Ok();
  Status s = flush_.get();
  if (s.ok()) return s;
  // Not written: the entries go back in front of the newer ones, to be written by the next flush
  // (or re-indexed at the next open).
  std::unique_lock lock(pending_mu_);
  AppendPending(pending_, pending_names_, flushing_, flushing_names_);
  pending_.swap(flushing_);
  pending_names_.swap(flushing_names_);
  flushing_.clear();
  flushing_names_.clear();
  return s;
}

Status EventLog::Scan(uint64_t after_seq, const std::function<bool(const Event&)>& fn) const {
  Event event;
  Status bad;
  std::vector<std::string_view> records;
  SP_RETURN_IF_ERROR(db_->ScanFromFloor(
      Cf::kEvents, U64Key(after_seq + 1),
      [&](std::string_view key, std::string_view value) {
        if (key.size() != 8 || !SplitChunk(value, records)) {
          bad = Status::Corruption(fmt::format("event chunk {} cannot be decoded",
                                               key.size() == 8 ? DecodeFixed64BE(key.data()) : 0));
          return false;
        }
        const uint64_t start = DecodeFixed64BE(key.data());
        for (size_t i = 0; i < records.size(); ++i) {
          if (start + i <= after_seq || IsHole(records[i])) continue;
          if (!DecodeEvent(records[i], event)) {
            bad = Status::Corruption(fmt::format("event record {} cannot be decoded", start + i));
            return false;
          }
          event.seq = start + i;
          if (!fn(event)) return false;
        }
        return true;
      },
      /*bulk=*/true));
  return bad;
}

Status EventLog::EntriesOf(const std::vector<std::string>& identities,
                           std::vector<IndexEntry>& entries) const {
  // In memory first: an entry that leaves pending_ (or flushing_) was written before it left, so
  // the stored scan that follows finds it.
  {
    std::vector<uint64_t> hashes;
    for (const auto& identity : identities) hashes.push_back(IdentityHash(identity));
    std::shared_lock lock(pending_mu_);
    auto find = [&](const std::vector<PendingEntry>& list, std::string_view names) {
      for (const auto& p : list) {
        for (size_t k = 0; k < hashes.size(); ++k) {
          if (p.hash == hashes[k] && names.substr(p.offset, p.size) == identities[k]) {
            entries.push_back(p.entry);
            break;
          }
        }
      }
    };
    find(flushing_, flushing_names_);
    find(pending_, pending_names_);
  }
  for (const auto& identity : identities) {
    SP_RETURN_IF_ERROR(
        ScanIdentity(*db_, identity, [&](const IndexEntry& e) { entries.push_back(e); }));
  }
  std::sort(entries.begin(), entries.end());
  entries.erase(
      std::unique(entries.begin(), entries.end(),
                  [](const IndexEntry& a, const IndexEntry& b) { return a.seq == b.seq; }),
      entries.end());
  return Status::Ok();
}

Result<std::vector<Event>> EventLog::EventsOf(const std::vector<std::string>& identities,
                                              size_t limit) const {
  std::vector<IndexEntry> entries;
  SP_RETURN_IF_ERROR(EntriesOf(identities, entries));
  if (limit > 0 && entries.size() > limit) {
    entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(limit));
  }
  std::vector<std::string> keys;
  std::unordered_map<uint64_t, size_t> chunk_slot;
  for (const auto& e : entries) {
    if (chunk_slot.emplace(e.chunk, keys.size()).second) keys.push_back(U64Key(e.chunk));
  }
  SP_ASSIGN_OR_RETURN(auto values, db_->MultiGet(Cf::kEvents, keys));
  std::vector<std::vector<std::string_view>> records(values.size());
  for (size_t c = 0; c < values.size(); ++c) {
    if (!values[c] || !SplitChunk(*values[c], records[c])) {
      return Status::Corruption(fmt::format("event chunk {} is indexed but cannot be read",
                                            DecodeFixed64BE(keys[c].data())));
    }
  }
  std::vector<Event> events;
  events.reserve(entries.size());
  for (const IndexEntry& entry : entries) {
    const auto& recs = records[chunk_slot[entry.chunk]];
    const uint64_t offset = entry.seq - entry.chunk;
    // A hole: erased after the index entries were read (the erase removes them too).
    if (offset < recs.size() && IsHole(recs[offset])) continue;
    Event& e = events.emplace_back();
    if (offset >= recs.size() || !DecodeEvent(recs[offset], e)) {
      return Status::Corruption(fmt::format("event {} is indexed but cannot be read", entry.seq));
    }
    e.seq = entry.seq;
  }
  return events;
}

Result<EventLog::Summary> EventLog::SummaryOf(const std::vector<std::string>& identities) const {
  Summary summary;
  std::vector<IndexEntry> entries;
  SP_RETURN_IF_ERROR(EntriesOf(identities, entries));
  summary.count = entries.size();
  if (!entries.empty()) {
    summary.first_seen = entries.front().timestamp;
    summary.last_seen = entries.back().timestamp;
  }
  return summary;
}

}  // namespace signpost::store
