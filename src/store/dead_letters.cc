#include "store/dead_letters.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>

#include "store/coding.h"

namespace signpost::store {
namespace {

constexpr std::string_view kNextIdKey = "dead_letters.next_id";

std::string EncodeLetter(const DeadLetter& d) {
  std::string out;
  PutLengthPrefixed(out, d.source);
  PutSignedVarint64(out, d.at);
  PutLengthPrefixed(out, d.rejection.location);
  PutLengthPrefixed(out, d.rejection.field);
  PutLengthPrefixed(out, d.rejection.reason);
  PutLengthPrefixed(out, d.rejection.raw);
  return out;
}

bool DecodeLetter(std::string_view key, std::string_view in, DeadLetter& d) {
  std::string_view source, location, field, reason, raw;
  if (key.size() != 8) return false;
  d.id = DecodeFixed64BE(key.data());
  if (!GetLengthPrefixed(in, source) || !GetSignedVarint64(in, d.at) ||
      !GetLengthPrefixed(in, location) || !GetLengthPrefixed(in, field) ||
      !GetLengthPrefixed(in, reason) || !GetLengthPrefixed(in, raw) || !in.empty()) {
    return false;
  }
  d.source = source;
  d.rejection =
      Rejection{std::string(location), std::string(field), std::string(reason), std::string(raw)};
  return true;
}

// The hash that finds identical items: XXH3 of the length-prefixed source, location and raw text.
uint64_t ContentHash(std::string_view source, const Rejection& r) {
  std::string buf;
  PutLengthPrefixed(buf, source);
  PutLengthPrefixed(buf, r.location);
  PutLengthPrefixed(buf, r.raw);
  return XXH3_64bits(buf.data(), buf.size());
}

bool SameContent(std::string_view source, const Rejection& r, std::string_view source2,
                 const Rejection& r2) {
  return source == source2 && r.location == r2.location && r.raw == r2.raw;
}

}  // namespace

Result<std::unique_ptr<DeadLetters>> DeadLetters::Load(Db* db) {
  std::unique_ptr<DeadLetters> d(new DeadLetters(db));
  SP_ASSIGN_OR_RETURN(auto next, db->Get(Cf::kMeta, kNextIdKey));
  if (next && next->size() == 8) d->next_id_ = DecodeFixed64BE(next->data());
  uint64_t count = 0;
  Status bad;
  SP_RETURN_IF_ERROR(
      db->Scan(Cf::kDeadLetters, "", "", [&](std::string_view key, std::string_view value) {
        DeadLetter letter;
        if (!DecodeLetter(key, value, letter)) {
          bad = Status::Corruption("a dead letter cannot be decoded");
          return false;
        }
        d->by_content_.emplace(ContentHash(letter.source, letter.rejection), letter.id);
        ++count;
        return true;
      }));
  SP_RETURN_IF_ERROR(bad);
  d->count_ = count;
  return d;
}

Result<uint64_t> DeadLetters::FindStored(uint64_t hash, std::string_view source,
                                         const Rejection& r) const {
  auto [begin, end] = by_content_.equal_range(hash);
  for (auto it = begin; it != end; ++it) {
    SP_ASSIGN_OR_RETURN(DeadLetter stored, Get(it->second));
    if (SameContent(source, r, stored.source, stored.rejection)) return stored.id;
  }
  return uint64_t{0};
}

Result<std::vector<uint64_t>> DeadLetters::Add(const std::vector<Rejection>& rejections,
                                               std::string_view source, TimeMs at) {
  std::vector<uint64_t> ids;
  if (rejections.empty()) return ids;
  std::lock_guard lock(write_mu_);
  Batch batch = db_->NewBatch();
  uint64_t next = next_id_;
  // Items stored by this call: (content hash, index in `rejections`).
  std::unordered_multimap<uint64_t, size_t> added;
  for (size_t i = 0; i < rejections.size(); ++i) {
    const Rejection& r = rejections[i];
    const uint64_t hash = ContentHash(source, r);
    uint64_t id = 0;
    auto [begin, end] = added.equal_range(hash);
    for (auto it = begin; it != end && id == 0; ++it) {
      if (SameContent(source, r, source, rejections[it->second])) id = ids[it->second];
    }
    if (id == 0) {
      SP_ASSIGN_OR_RETURN(id, FindStored(hash, source, r));
    }
    if (id != 0) {
      ids.push_back(id);
      continue;
    }
    DeadLetter d{next, std::string(source), at, r};
    batch.Put(Cf::kDeadLetters, U64Key(next), EncodeLetter(d));
    added.emplace(hash, i);
    ids.push_back(next++);
  }
  if (added.empty()) return ids;
  batch.Put(Cf::kMeta, kNextIdKey, U64Key(next));
  SP_RETURN_IF_ERROR(db_->Write(batch));
  next_id_ = next;
  for (const auto& [hash, i] : added) by_content_.emplace(hash, ids[i]);
  count_.fetch_add(added.size(), std::memory_order_acq_rel);
  return ids;
}

Result<std::vector<DeadLetter>> DeadLetters::List(uint64_t after_id, size_t limit) const {
  std::vector<DeadLetter> out;
  if (limit == 0) return out;
  Status bad;
  SP_RETURN_IF_ERROR(db_->Scan(Cf::kDeadLetters, U64Key(after_id + 1), "",
                               [&](std::string_view key, std::string_view value) {
                                 DeadLetter d;
                                 if (!DecodeLetter(key, value, d)) {
                                   bad = Status::Corruption("a dead letter cannot be decoded");
                                   return false;
                                 }
                                 out.push_back(std::move(d));
                                 return out.size() < limit;
                               }));
  SP_RETURN_IF_ERROR(bad);
  return out;
}

Result<DeadLetter> DeadLetters::Get(uint64_t id) const {
  const std::string key = U64Key(id);
  SP_ASSIGN_OR_RETURN(auto value, db_->Get(Cf::kDeadLetters, key));
  if (!value) return Status::NotFound(fmt::format("no dead letter with id {}", id));
  DeadLetter d;
  if (!DecodeLetter(key, *value, d))
    return Status::Corruption(fmt::format("dead letter {} is unreadable", id));
  return d;
}

Result<size_t> DeadLetters::Delete(const std::vector<uint64_t>& ids) {
  std::lock_guard lock(write_mu_);
  std::vector<uint64_t> unique(ids);
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::vector<std::string> keys;
  for (uint64_t id : unique) keys.push_back(U64Key(id));
  SP_ASSIGN_OR_RETURN(auto found, db_->MultiGet(Cf::kDeadLetters, keys));
  Batch batch = db_->NewBatch();
  std::vector<std::pair<uint64_t, uint64_t>> forget;  // (content hash, id) of deleted items
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!found[i]) continue;
    DeadLetter d;
    if (!DecodeLetter(keys[i], *found[i], d)) {
      return Status::Corruption(fmt::format("dead letter {} is unreadable", unique[i]));
    }
    batch.Delete(Cf::kDeadLetters, keys[i]);
    forget.emplace_back(ContentHash(d.source, d.rejection), d.id);
  }
  const size_t deleted = forget.size();
  if (deleted == 0) return deleted;
  SP_RETURN_IF_ERROR(db_->Write(batch));
  for (const auto& [hash, id] : forget) {
    auto [begin, end] = by_content_.equal_range(hash);
    for (auto it = begin; it != end; ++it) {
      if (it->second == id) {
        by_content_.erase(it);
        break;
      }
    }
  }
  count_.fetch_sub(deleted, std::memory_order_acq_rel);
  return deleted;
}

// ---- privacy: minimisation

Result<size_t> DeadLetters::RemoveRawBodies(const std::vector<uint64_t>& ids) {
  std::lock_guard lock(write_mu_);
  std::vector<std::string> keys;
  for (uint64_t id : ids) keys.push_back(U64Key(id));
  SP_ASSIGN_OR_RETURN(auto found, db_->MultiGet(Cf::kDeadLetters, keys));
  Batch batch = db_->NewBatch();
  // (old content hash, emptied letter); an emptied letter is no longer what a new item matches.
  std::vector<std::pair<uint64_t, DeadLetter>> changed;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!found[i]) continue;
    DeadLetter d;
    if (!DecodeLetter(keys[i], *found[i], d)) {
      return Status::Corruption(fmt::format("dead letter {} is unreadable", ids[i]));
    }
    if (d.rejection.raw.empty()) continue;
    const uint64_t old_hash = ContentHash(d.source, d.rejection);
    d.rejection.raw.clear();
    batch.Put(Cf::kDeadLetters, keys[i], EncodeLetter(d));
    changed.emplace_back(old_hash, std::move(d));
  }
  if (changed.empty()) return size_t{0};
  SP_RETURN_IF_ERROR(db_->Write(batch));
  for (const auto& [old_hash, d] : changed) {
    auto [begin, end] = by_content_.equal_range(old_hash);
    for (auto it = begin; it != end; ++it) {
      if (it->second == d.id) {
        by_content_.erase(it);
        break;
      }
    }
  }
  return changed.size();
}

}  // namespace signpost::store
