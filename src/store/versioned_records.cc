#include "store/versioned_records.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/coding.h"

namespace signpost::store {
namespace {

std::string KindPrefix(std::string_view kind) {
  std::string key;
  PutLengthPrefixed(key, kind);
  return key;
}

std::string IdPrefix(std::string_view kind, std::string_view id) {
  std::string key = KindPrefix(kind);
  PutLengthPrefixed(key, id);
  return key;
}

std::string EncodeValue(std::string_view body, std::string_view note, TimeMs at) {
  std::string out;
  PutLengthPrefixed(out, body);
  PutLengthPrefixed(out, note);
  PutSignedVarint64(out, at);
  return out;
}

bool Decode(std::string_view key, std::string_view value, VersionedRecord& r) {
  std::string_view kind, id, body, note;
  uint64_t version = 0;
  if (!GetLengthPrefixed(key, kind) || !GetLengthPrefixed(key, id) || !GetFixed64BE(key, version) ||
      !key.empty()) {
    return false;
  }
  if (!GetLengthPrefixed(value, body) || !GetLengthPrefixed(value, note) ||
      !GetSignedVarint64(value, r.at) || !value.empty()) {
    return false;
  }
  r.kind = kind;
  r.id = id;
  r.version = version;
  r.body = body;
  r.note = note;
  return true;
}

Status Unreadable(std::string_view kind, std::string_view id) {
  return Status::Corruption(fmt::format("stored {} '{}' cannot be decoded", kind, id));
}

}  // namespace

Result<uint64_t> VersionedRecords::Put(std::string_view kind, std::string_view id,
                                       std::string_view body, std::string_view note, TimeMs at) {
  if (kind.empty() || id.empty()) {
    return Status::InvalidArgument("a versioned record needs a non-empty kind and id");
  }
  std::lock_guard lock(write_mu_);
  const std::string prefix = IdPrefix(kind, id);
  SP_ASSIGN_OR_RETURN(auto last, db_->Last(cf_, prefix));
  uint64_t version = 1;
  if (last) {
    VersionedRecord r;
    if (!Decode(last->first, last->second, r)) return Unreadable(kind, id);
    version = r.version + 1;
  }
  std::string key = prefix;
  PutFixed64BE(key, version);
  Batch batch = db_->NewBatch();
  batch.Put(cf_, key, EncodeValue(body, note, at));
  SP_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/true));
  return version;
}

Result<VersionedRecord> VersionedRecords::Get(std::string_view kind, std::string_view id,
                                              uint64_t version) const {
  const std::string prefix = IdPrefix(kind, id);
  VersionedRecord r;
  if (version == 0) {
    SP_ASSIGN_OR_RETURN(auto last, db_->Last(cf_, prefix));
    if (!last) return Status::NotFound(fmt::format("no {} '{}'", kind, id));
    if (!Decode(last->first, last->second, r)) return Unreadable(kind, id);
    return r;
  }
  std::string key = prefix;
  PutFixed64BE(key, version);
  SP_ASSIGN_OR_RETURN(auto value, db_->Get(cf_, key));
  if (!value) return Status::NotFound(fmt::format("no version {} of {} '{}'", version, kind, id));
  if (!Decode(key, *value, r)) return Unreadable(kind, id);
  return r;
}

Result<std::vector<VersionedRecord>> VersionedRecords::List(std::string_view kind) const {
  std::vector<VersionedRecord> out;
  const std::string prefix = KindPrefix(kind);
  Status bad;
  SP_RETURN_IF_ERROR(db_->Scan(cf_, prefix, prefix, [&](std::string_view k, std::string_view v) {
    VersionedRecord r;
    if (!Decode(k, v, r)) {
      bad = Unreadable(kind, "?");
      return false;
    }
    // Versions of one id are adjacent and ascending: keep the last of each run.
    if (!out.empty() && out.back().id == r.id) {
      out.back() = std::move(r);
    } else {
      out.push_back(std::move(r));
    }
    return true;
  }));
  SP_RETURN_IF_ERROR(bad);
  // Keys order ids by length first (they are length-prefixed); callers want them by name.
  std::sort(out.begin(), out.end(),
            [](const VersionedRecord& a, const VersionedRecord& b) { return a.id < b.id; });
  return out;
}

Result<std::vector<VersionedRecord>> VersionedRecords::History(std::string_view kind,
                                                               std::string_view id) const {
  std::vector<VersionedRecord> out;
  const std::string prefix = IdPrefix(kind, id);
  Status bad;
  SP_RETURN_IF_ERROR(db_->Scan(cf_, prefix, prefix, [&](std::string_view k, std::string_view v) {
    VersionedRecord r;
    if (!Decode(k, v, r)) {
      bad = Unreadable(kind, id);
      return false;
    }
    out.push_back(std::move(r));
    return true;
  }));
  SP_RETURN_IF_ERROR(bad);
  return out;
}

Status VersionedRecords::ReplaceBody(std::string_view kind, std::string_view id, uint64_t version,
                                     std::string_view body) {
  std::lock_guard lock(write_mu_);
  std::string key = IdPrefix(kind, id);
  PutFixed64BE(key, version);
  SP_ASSIGN_OR_RETURN(auto value, db_->Get(cf_, key));
  if (!value) return Status::NotFound(fmt::format("no version {} of {} '{}'", version, kind, id));
  VersionedRecord r;
  if (!Decode(key, *value, r)) return Unreadable(kind, id);
  Batch batch = db_->NewBatch();
  batch.Put(cf_, key, EncodeValue(body, r.note, r.at));
  return db_->Write(batch, /*sync=*/true);
}

Status VersionedRecords::Delete(std::string_view kind, std::string_view id) {
  std::lock_guard lock(write_mu_);
  const std::string prefix = IdPrefix(kind, id);
  SP_ASSIGN_OR_RETURN(auto last, db_->Last(cf_, prefix));
  if (!last) return Status::NotFound(fmt::format("no {} '{}'", kind, id));
  std::string begin = prefix, end = prefix;
  PutFixed64BE(begin, 0);
  PutFixed64BE(end, ~uint64_t{0});
  Batch batch = db_->NewBatch();
  batch.DeleteRange(cf_, begin, end);
  batch.Delete(cf_, end);
  return db_->Write(batch, /*sync=*/true);
}

}  // namespace signpost::store
