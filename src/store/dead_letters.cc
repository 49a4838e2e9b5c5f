#include "store/dead_letters.h"

#include <algorithm>

#include <fmt/format.h>

#include "store/coding.h"

namespace signpost::store {
namespace {

constexpr std::string_view kNextIdKey = "dead_letters.next_id";

std::string Encode(const DeadLetter& d) {
  std::string out;
  PutLengthPrefixed(out, d.source);
  PutSignedVarint64(out, d.at);
  PutLengthPrefixed(out, d.rejection.location);
  PutLengthPrefixed(out, d.rejection.field);
  PutLengthPrefixed(out, d.rejection.reason);
  PutLengthPrefixed(out, d.rejection.raw);
  return out;
}

bool Decode(std::string_view key, std::string_view in, DeadLetter& d) {
  std::string_view source, location, field, reason, raw;
  if (key.size() != 8) return false;
  d.id = DecodeFixed64BE(key.data());
  if (!GetLengthPrefixed(in, source) || !GetSignedVarint64(in, d.at) ||
      !GetLengthPrefixed(in, location) || !GetLengthPrefixed(in, field) ||
      !GetLengthPrefixed(in, reason) || !GetLengthPrefixed(in, raw) || !in.empty()) {
    return false;
  }
  d.source = source;
  d.rejection = Rejection{std::string(location), std::string(field), std::string(reason),
                          std::string(raw)};
  return true;
}

}  // namespace

Result<std::unique_ptr<DeadLetters>> DeadLetters::Load(Db* db) {
  std::unique_ptr<DeadLetters> d(new DeadLetters(db));
  SP_ASSIGN_OR_RETURN(auto next, db->Get(Cf::kMeta, kNextIdKey));
  if (next && next->size() == 8) d->next_id_ = DecodeFixed64BE(next->data());
  uint64_t count = 0;
  SP_RETURN_IF_ERROR(db->Scan(Cf::kDeadLetters, "", "", [&](std::string_view, std::string_view) {
    ++count;
    return true;
  }));
  d->count_ = count;
  return d;
}

Result<std::vector<uint64_t>> DeadLetters::Add(const std::vector<Rejection>& rejections,
                                               std::string_view source, TimeMs at) {
  std::vector<uint64_t> ids;
  if (rejections.empty()) return ids;
  std::lock_guard lock(write_mu_);
  Batch batch = db_->NewBatch();
  uint64_t next = next_id_;
  for (const auto& r : rejections) {
    DeadLetter d{next, std::string(source), at, r};
    batch.Put(Cf::kDeadLetters, U64Key(next), Encode(d));
    ids.push_back(next++);
  }
  batch.Put(Cf::kMeta, kNextIdKey, U64Key(next));
  SP_RETURN_IF_ERROR(db_->Write(batch));
  next_id_ = next;
  count_.fetch_add(ids.size(), std::memory_order_acq_rel);
  return ids;
}

Result<std::vector<DeadLetter>> DeadLetters::List(uint64_t after_id, size_t limit) const {
  std::vector<DeadLetter> out;
  if (limit == 0) return out;
  Status bad;
  SP_RETURN_IF_ERROR(db_->Scan(Cf::kDeadLetters, U64Key(after_id + 1), "",
                               [&](std::string_view key, std::string_view value) {
                                 DeadLetter d;
                                 if (!Decode(key, value, d)) {
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
  if (!Decode(key, *value, d)) return Status::Corruption(fmt::format("dead letter {} is unreadable", id));
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
  size_t deleted = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!found[i]) continue;
    batch.Delete(Cf::kDeadLetters, keys[i]);
    ++deleted;
  }
  if (deleted == 0) return deleted;
  SP_RETURN_IF_ERROR(db_->Write(batch));
  count_.fetch_sub(deleted, std::memory_order_acq_rel);
  return deleted;
}

}  // namespace signpost::store
