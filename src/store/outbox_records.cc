#include "store/outbox_records.h"

#include "store/coding.h"
#include "store/folder_secret.h"

namespace signpost::store {
namespace {

constexpr std::string_view kItemPrefix = "m/";
constexpr std::string_view kDuePrefix = "d/";
constexpr std::string_view kSecretKey = "x/tracking-secret";
constexpr size_t kTimeBytes = 8;  // PutOrderedTime

std::string ItemKey(std::string_view key) {
  std::string k(kItemPrefix);
  k.append(key);
  return k;
}

std::string DueKey(TimeMs due, std::string_view key) {
  std::string k(kDuePrefix);
  PutOrderedTime(k, due);
  k.append(key);
  return k;
}

}  // namespace

Result<std::optional<std::string>> OutboxRecords::GetItem(std::string_view key) const {
  return db_->Get(Cf::kOutbox, ItemKey(key));
}

void OutboxRecords::PutItem(Batch& batch, std::string_view key, std::string_view bytes) const {
  batch.Put(Cf::kOutbox, ItemKey(key), bytes);
}

void OutboxRecords::DeleteItem(Batch& batch, std::string_view key) const {
  batch.Delete(Cf::kOutbox, ItemKey(key));
}

Status OutboxRecords::ScanItems(const std::function<bool(std::string_view bytes)>& fn) const {
  return db_->Scan(Cf::kOutbox, kItemPrefix, kItemPrefix,
                   [&](std::string_view, std::string_view v) { return fn(v); });
}

void OutboxRecords::PutDue(Batch& batch, TimeMs due, std::string_view key) const {
  batch.Put(Cf::kOutbox, DueKey(due, key), "");
}

void OutboxRecords::DeleteDue(Batch& batch, TimeMs due, std::string_view key) const {
  batch.Delete(Cf::kOutbox, DueKey(due, key));
}

Status OutboxRecords::ScanDue(
    const std::function<bool(TimeMs due, std::string_view key)>& fn) const {
  return db_->Scan(Cf::kOutbox, kDuePrefix, kDuePrefix, [&](std::string_view k, std::string_view) {
    if (k.size() < kDuePrefix.size() + kTimeBytes) return true;
    return fn(DecodeOrderedTime(k.data() + kDuePrefix.size()),
              k.substr(kDuePrefix.size() + kTimeBytes));
  });
}

Result<std::string> OutboxRecords::GetOrCreateTrackingSecret() {
  return GetOrCreateSecret(*db_, Cf::kOutbox, kSecretKey);
}

}  // namespace signpost::store
