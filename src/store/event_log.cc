#include "store/event_log.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "store/coding.h"
#include "store/event_codec.h"

namespace signpost::store {
namespace {

constexpr std::string_view kEventCountKey = "events.count";

std::string MessageIdKey(uint64_t hash, std::string_view message_id) {
  std::string key;
  key.reserve(8 + message_id.size());
  PutFixed64BE(key, hash);
  key.append(message_id);
  return key;
}

// One entry of the per-identity index, decoded.
struct IndexEntry {
  TimeMs timestamp;
  uint64_t seq;
  bool operator<(const IndexEntry& o) const {
    return timestamp != o.timestamp ? timestamp < o.timestamp : seq < o.seq;
  }
};

Status ScanIdentity(const Db& db, const std::string& identity,
                    const std::function<void(const IndexEntry&)>& fn) {
  const std::string prefix = IdentityIndexPrefix(identity);
  Status bad;
  SP_RETURN_IF_ERROR(db.Scan(Cf::kEventsByIdentity, prefix, prefix,
                             [&](std::string_view key, std::string_view) {
                               if (key.size() != prefix.size() + 16) {
                                 bad = Status::Corruption("bad identity index key");
                                 return false;
                               }
                               const char* p = key.data() + prefix.size();
                               fn(IndexEntry{DecodeOrderedTime(p), DecodeFixed64BE(p + 8)});
                               return true;
                             }));
  return bad;
}

}  // namespace

std::string IdentityIndexPrefix(std::string_view identity) {
  std::string key;
  PutLengthPrefixed(key, identity);
  return key;
}

Result<std::unique_ptr<EventLog>> EventLog::Load(Db* db) {
  std::unique_ptr<EventLog> log(new EventLog(db));
  SP_RETURN_IF_ERROR(log->LoadState());
  return log;
}

Status EventLog::LoadState() {
  SP_ASSIGN_OR_RETURN(auto last, db_->Last(Cf::kEvents, ""));
  if (last) {
    if (last->first.size() != 8) return Status::Corruption("bad event key");
    next_seq_ = DecodeFixed64BE(last->first.data()) + 1;
  }
  SP_ASSIGN_OR_RETURN(auto count, db_->Get(Cf::kMeta, kEventCountKey));
  if (count) {
    if (count->size() != 8) return Status::Corruption("bad event count");
    count_ = DecodeFixed64BE(count->data());
  }
  hashes_.Reserve(count_.load());
  return db_->Scan(
      Cf::kMessageIds, "", "",
      [&](std::string_view key, std::string_view) {
        if (key.size() >= 8) hashes_.Insert(DecodeFixed64BE(key.data()));
        return true;
      },
      /*bulk=*/true);
}

Result<EventLog::Staged> EventLog::Stage(std::vector<Event>& events, Batch& batch) const {
  enum : uint8_t { kAccept, kDuplicate, kConfirm };
  std::vector<uint8_t> verdict(events.size(), kAccept);
  std::vector<uint64_t> hash(events.size(), 0);
  std::unordered_set<std::string_view> in_call;
  in_call.reserve(events.size() * 2);
  std::vector<size_t> to_confirm;
  std::vector<std::string> confirm_keys;
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& id = events[i].message_id;
    if (id.empty()) continue;
    if (!in_call.insert(id).second) {
      verdict[i] = kDuplicate;
      continue;
    }
    hash[i] = HashMessageId(id);
    if (hashes_.Contains(hash[i])) {
      verdict[i] = kConfirm;
      to_confirm.push_back(i);
      confirm_keys.push_back(MessageIdKey(hash[i], id));
    }
  }
  if (!confirm_keys.empty()) {
    SP_ASSIGN_OR_RETURN(auto found, db_->MultiGet(Cf::kMessageIds, confirm_keys));
    for (size_t j = 0; j < to_confirm.size(); ++j) {
      verdict[to_confirm[j]] = found[j] ? kDuplicate : kAccept;
    }
  }

  // Keys of the message-id and identity-index families are random; putting them in key order lets
  // the memtable insert each next to the previous one instead of searching from the top.
  Staged staged;
  staged.next_seq = next_seq_.load(std::memory_order_relaxed);
  std::vector<std::pair<std::string, uint64_t>> id_keys, index_keys;
  id_keys.reserve(events.size());
  index_keys.reserve(events.size());
  std::string key, value;
  for (size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    if (verdict[i] == kDuplicate) {
      e.seq = 0;
      ++staged.duplicates;
      continue;
    }
    e.seq = staged.next_seq++;
    ++staged.accepted;
    key.clear();
    PutFixed64BE(key, e.seq);
    value.clear();
    EncodeEvent(e, value);
    batch.Put(Cf::kEvents, key, value);
    if (!e.message_id.empty()) {
      staged.hashes.push_back(hash[i]);
      id_keys.emplace_back(MessageIdKey(hash[i], e.message_id), e.seq);
    }
    std::string index_key = IdentityIndexPrefix(e.PrimaryIdentity());
    PutOrderedTime(index_key, e.timestamp);
    PutFixed64BE(index_key, e.seq);
    index_keys.emplace_back(std::move(index_key), e.seq);
  }
  std::sort(id_keys.begin(), id_keys.end());
  for (const auto& [k, seq] : id_keys) batch.Put(Cf::kMessageIds, k, U64Key(seq));
  std::sort(index_keys.begin(), index_keys.end());
  for (const auto& [k, seq] : index_keys) batch.Put(Cf::kEventsByIdentity, k, "");
  if (staged.accepted > 0) {
    batch.Put(Cf::kMeta, kEventCountKey, U64Key(count_.load() + staged.accepted));
  }
  return staged;
}

void EventLog::Commit(const Staged& staged) {
  for (uint64_t h : staged.hashes) hashes_.Insert(h);
  count_.fetch_add(staged.accepted, std::memory_order_acq_rel);
  next_seq_.store(staged.next_seq, std::memory_order_release);
}

Status EventLog::Scan(uint64_t after_seq, const std::function<bool(const Event&)>& fn) const {
  Event event;
  Status bad;
  SP_RETURN_IF_ERROR(db_->Scan(
      Cf::kEvents, U64Key(after_seq + 1), "",
      [&](std::string_view key, std::string_view value) {
        if (key.size() != 8 || !DecodeEvent(value, event)) {
          bad = Status::Corruption(fmt::format("event record {} cannot be decoded",
                                               key.size() == 8 ? DecodeFixed64BE(key.data()) : 0));
          return false;
        }
        event.seq = DecodeFixed64BE(key.data());
        return fn(event);
      },
      /*bulk=*/true));
  return bad;
}

Result<std::vector<Event>> EventLog::EventsOf(const std::vector<std::string>& identities,
                                              size_t limit) const {
  std::vector<IndexEntry> entries;
  for (const auto& identity : identities) {
    SP_RETURN_IF_ERROR(
        ScanIdentity(*db_, identity, [&](const IndexEntry& e) { entries.push_back(e); }));
  }
  std::sort(entries.begin(), entries.end());
  if (limit > 0 && entries.size() > limit) {
    entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(limit));
  }
  std::vector<std::string> keys;
  keys.reserve(entries.size());
  for (const auto& e : entries) keys.push_back(U64Key(e.seq));
  SP_ASSIGN_OR_RETURN(auto values, db_->MultiGet(Cf::kEvents, keys));
  std::vector<Event> events(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!values[i] || !DecodeEvent(*values[i], events[i])) {
      return Status::Corruption(fmt::format("event {} is indexed but cannot be read", entries[i].seq));
    }
    events[i].seq = entries[i].seq;
  }
  return events;
}

Result<EventLog::Summary> EventLog::SummaryOf(const std::vector<std::string>& identities) const {
  Summary summary;
  for (const auto& identity : identities) {
    SP_RETURN_IF_ERROR(ScanIdentity(*db_, identity, [&](const IndexEntry& e) {
      if (summary.count == 0 || e.timestamp < summary.first_seen) summary.first_seen = e.timestamp;
      if (summary.count == 0 || e.timestamp > summary.last_seen) summary.last_seen = e.timestamp;
      ++summary.count;
    }));
  }
  return summary;
}

}  // namespace signpost::store
