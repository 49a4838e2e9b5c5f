#include "delivery/outbox.h"

#include <algorithm>

namespace signpost::delivery {

using nlohmann::json;
namespace {

std::string Record(const OutboxItem& item) {
  json j = {{"message", MessageToJson(item.message)},
            {"state", OutboxStateName(item.state)},
            {"attempts", item.attempts},
            {"enqueued_at", item.enqueued_at},
            {"next_attempt_at", item.next_attempt_at},
            {"updated_at", item.updated_at},
            {"last_error", item.last_error},
            {"permanent", item.permanent}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<OutboxItem> FromRecord(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Corruption("outbox: an item record is not JSON");
  try {
    OutboxItem item;
    SP_ASSIGN_OR_RETURN(item.message, MessageFromJson(j.at("message")));
    std::string state = j.at("state").get<std::string>();
    item.state = state == "sent"     ? OutboxState::kSent
                 : state == "failed" ? OutboxState::kFailed
                                     : OutboxState::kPending;
    item.attempts = j.at("attempts").get<uint32_t>();
    item.enqueued_at = j.at("enqueued_at").get<TimeMs>();
    item.next_attempt_at = j.at("next_attempt_at").get<TimeMs>();
    item.updated_at = j.at("updated_at").get<TimeMs>();
    item.last_error = j.at("last_error").get<std::string>();
    item.permanent = j.at("permanent").get<bool>();
    return item;
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("outbox: an item record: ") + e.what());
  }
}

}  // namespace

Result<bool> Outbox::Enqueue(store::Batch& batch, const Message& msg, TimeMs now) const {
  if (msg.key.empty())
    return Status::InvalidArgument("message key: empty; every message needs its idempotency key");
  SP_ASSIGN_OR_RETURN(auto existing, records_.GetItem(msg.key));
  if (existing) return false;
  OutboxItem item;
  item.message = msg;
  item.enqueued_at = item.next_attempt_at = item.updated_at = now;
  records_.PutItem(batch, msg.key, Record(item));
  records_.PutDue(batch, now, msg.key);
  return true;
}

Result<std::optional<OutboxItem>> Outbox::Get(std::string_view key) const {
  SP_ASSIGN_OR_RETURN(auto value, records_.GetItem(key));
  if (!value) return std::optional<OutboxItem>();
  SP_ASSIGN_OR_RETURN(OutboxItem item, FromRecord(*value));
  return std::optional<OutboxItem>(std::move(item));
}

Result<std::vector<Outbox::DueEntry>> Outbox::Due(TimeMs now, size_t limit) const {
  std::vector<DueEntry> entries;
  Status s = records_.ScanDue([&](TimeMs due, std::string_view key) {
    if (due > now || entries.size() >= limit) return false;
    entries.push_back({due, std::string(key)});
    return true;
  });
  SP_RETURN_IF_ERROR(s);
  return entries;
}

Status Outbox::DropDue(const DueEntry& entry) {
  store::Batch batch = db_->NewBatch();
  records_.DeleteDue(batch, entry.due, entry.key);
  return db_->Write(batch);
}

Result<std::optional<TimeMs>> Outbox::NextDue() const {
  std::optional<TimeMs> next;
  Status s = records_.ScanDue([&](TimeMs due, std::string_view) {
    next = due;
    return false;
  });
  SP_RETURN_IF_ERROR(s);
  return next;
}

Status Outbox::Update(const OutboxItem& item, TimeMs previous_due) {
  store::Batch batch = db_->NewBatch();
  Update(batch, item, previous_due);
  return db_->Write(batch);
}

void Outbox::Update(store::Batch& batch, const OutboxItem& item, TimeMs previous_due) const {
  records_.DeleteDue(batch, previous_due, item.message.key);
  if (item.state == OutboxState::kPending)
    records_.PutDue(batch, item.next_attempt_at, item.message.key);
  records_.PutItem(batch, item.message.key, Record(item));
}

Result<std::vector<OutboxItem>> Outbox::Select(
    const std::function<bool(const OutboxItem&)>& keep) const {
  std::vector<OutboxItem> items;
  Status bad = Status::Ok();
  Status s = records_.ScanItems([&](std::string_view v) {
    auto item = FromRecord(v);
    if (!item.ok()) {
      bad = item.status();
      return false;
    }
    if (keep(*item)) items.push_back(std::move(item).value());
    return true;
  });
  SP_RETURN_IF_ERROR(s);
  SP_RETURN_IF_ERROR(bad);
  return items;
}

void Outbox::Remove(store::Batch& batch, const OutboxItem& item) const {
  if (item.state == OutboxState::kPending)
    records_.DeleteDue(batch, item.next_attempt_at, item.message.key);
  records_.DeleteItem(batch, item.message.key);
}

Result<std::vector<OutboxItem>> Outbox::List(size_t limit) const {
  SP_ASSIGN_OR_RETURN(std::vector<OutboxItem> items,
                      Select([](const OutboxItem&) { return true; }));
  std::stable_sort(items.begin(), items.end(), [](const OutboxItem& a, const OutboxItem& b) {
    return a.updated_at > b.updated_at;
  });
  if (limit > 0 && items.size() > limit) items.resize(limit);
  return items;
}

Result<std::string> Outbox::TrackingSecret() { return records_.GetOrCreateTrackingSecret(); }

}  // namespace signpost::delivery
