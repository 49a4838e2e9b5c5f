#include "store/api_keys.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/coding.h"
#include "store/folder_secret.h"

namespace signpost::store {
namespace {

constexpr size_t kMinPrefix = 8;

std::string EncodeKey(const ApiKey& k) {
  std::string out;
  PutLengthPrefixed(out, k.kind);
  PutLengthPrefixed(out, k.name);
  PutSignedVarint64(out, k.created_at);
  PutVarint64(out, k.revoked ? 1 : 0);
  PutSignedVarint64(out, k.revoked_at);
  return out;
}

bool DecodeKey(std::string_view token, std::string_view in, ApiKey& k) {
  std::string_view kind, name;
  uint64_t revoked = 0;
  if (!GetLengthPrefixed(in, kind) || !GetLengthPrefixed(in, name) ||
      !GetSignedVarint64(in, k.created_at) || !GetVarint64(in, revoked) ||
      !GetSignedVarint64(in, k.revoked_at) || !in.empty()) {
    return false;
  }
  k.token = token;
  k.kind = kind;
  k.name = name;
  k.revoked = revoked != 0;
  return true;
}

// 16 bytes from the kernel's entropy source, as 32 lowercase hex digits.
Result<std::string> RandomHex() {
  SP_ASSIGN_OR_RETURN(std::string bytes, RandomBytes(16));
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

}  // namespace

Result<std::unique_ptr<ApiKeys>> ApiKeys::Load(Db* db) {
  std::unique_ptr<ApiKeys> keys(new ApiKeys(db));
  Status bad;
  SP_RETURN_IF_ERROR(db->Scan(Cf::kKeys, "", "", [&](std::string_view token, std::string_view v) {
    ApiKey k;
    if (!DecodeKey(token, v, k)) {
      bad = Status::Corruption("an API key record cannot be decoded");
      return false;
    }
    keys->keys_.emplace(k.token, k);
    return true;
  }));
  SP_RETURN_IF_ERROR(bad);
  return keys;
}

Status ApiKeys::Store(const ApiKey& key) {
  Batch batch = db_->NewBatch();
  batch.Put(Cf::kKeys, key.token, EncodeKey(key));
  return db_->Write(batch, /*sync=*/true);
}

Result<ApiKey> ApiKeys::Create(std::string_view kind, std::string_view name, TimeMs at) {
  if (kind != "write" && kind != "admin") {
    return Status::InvalidArgument(
        fmt::format("unknown key kind '{}': use \"write\" (ingest) or \"admin\"", kind));
  }
  SP_ASSIGN_OR_RETURN(std::string hex, RandomHex());
  ApiKey key;
  key.token = (kind == "write" ? "spw_" : "spa_") + hex;
  key.kind = kind;
  key.name = name;
  key.created_at = at;
  std::unique_lock lock(mu_);
  SP_RETURN_IF_ERROR(Store(key));
  keys_.emplace(key.token, key);
  return key;
}

std::vector<ApiKey> ApiKeys::List() const {
  std::vector<ApiKey> out;
  {
    std::shared_lock lock(mu_);
    for (const auto& [token, key] : keys_) out.push_back(key);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ApiKey& a, const ApiKey& b) { return a.created_at < b.created_at; });
  return out;
}

Result<ApiKey> ApiKeys::Revoke(std::string_view token_or_prefix, TimeMs at) {
  if (token_or_prefix.size() < kMinPrefix) {
    return Status::InvalidArgument(
        fmt::format("key prefix '{}' is too short: give at least {} characters of the token",
                    token_or_prefix, kMinPrefix));
  }
  std::unique_lock lock(mu_);
  auto it = keys_.lower_bound(token_or_prefix);
  auto match = keys_.end();
  for (; it != keys_.end() && it->first.compare(0, token_or_prefix.size(), token_or_prefix) == 0;
       ++it) {
    if (match != keys_.end()) {
      return Status::InvalidArgument(
          fmt::format("key prefix '{}' matches several keys: give more characters of the token",
                      token_or_prefix));
    }
    match = it;
  }
  if (match == keys_.end()) {
    return Status::NotFound(fmt::format("no key starts with '{}'", token_or_prefix));
  }
  if (match->second.revoked) return match->second;
  ApiKey revoked = match->second;
  revoked.revoked = true;
  revoked.revoked_at = at;
  SP_RETURN_IF_ERROR(Store(revoked));
  match->second = revoked;
  return revoked;
}

bool ApiKeys::Check(std::string_view token, std::string_view kind) const {
  std::shared_lock lock(mu_);
  auto it = keys_.find(token);
  return it != keys_.end() && !it->second.revoked && it->second.kind == kind;
}

}  // namespace signpost::store
