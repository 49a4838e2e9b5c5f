#include "store/audit_log.h"

#include <deque>
#include <nlohmann/json.hpp>

#include "store/coding.h"

namespace signpost::store {

namespace {

using nlohmann::json;

std::string EncodeAudit(const AuditRecord& r) {
  json j = {{"at", r.at},         {"actor", r.actor},   {"action", r.action},
            {"target", r.target}, {"detail", r.detail}, {"outcome", r.outcome}};
  return j.dump();
}

Result<AuditRecord> DecodeAudit(std::string_view key, std::string_view value) {
  json j = json::parse(value, nullptr, false);
  if (key.size() != 8 || !j.is_object())
    return Status::Internal("audit log: a record is not readable (corrupt data folder?)");
  AuditRecord r;
  r.seq = DecodeFixed64BE(key.data());
  r.at = j.value("at", TimeMs{0});
  r.actor = j.value("actor", "");
  r.action = j.value("action", "");
  r.target = j.value("target", "");
  r.detail = j.value("detail", "");
  r.outcome = j.value("outcome", "");
  return r;
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::Load(Db* db) {
  std::unique_ptr<AuditLog> log(new AuditLog(db));
  SP_ASSIGN_OR_RETURN(auto last, db->Last(Cf::kAudit, ""));
  if (last.has_value()) {
    if (last->first.size() != 8) return Status::Internal("audit log: a key is not a seq");
    log->last_seq_ = DecodeFixed64BE(last->first.data());
  }
  return log;
}

Result<uint64_t> AuditLog::Append(AuditRecord record) {
  std::lock_guard<std::mutex> lock(mu_);
  record.seq = last_seq_ + 1;
  Batch batch = db_->NewBatch();
  batch.Put(Cf::kAudit, U64Key(record.seq), EncodeAudit(record));
  SP_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/true));
  last_seq_ = record.seq;
  return record.seq;
}

uint64_t AuditLog::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_seq_;
}

Result<std::vector<AuditRecord>> AuditLog::List(uint64_t after, size_t limit,
                                                std::string_view action) const {
  const bool tail = after == 0 && limit > 0;
  // Without a filter the last `limit` entries start at a known seq; with one, every entry is read
  // (admin actions are few) and the last `limit` matches kept.
  if (tail && action.empty()) {
    uint64_t last = last_seq();
    after = last > limit ? last - limit : 0;
  }
  std::deque<AuditRecord> out;
  Status inner = Status::Ok();
  SP_RETURN_IF_ERROR(db_->Scan(Cf::kAudit, U64Key(after + 1), "",
                               [&](std::string_view key, std::string_view value) {
                                 auto r = DecodeAudit(key, value);
                                 if (!r.ok()) {
                                   inner = r.status();
                                   return false;
                                 }
                                 if (!action.empty() && r->action != action) return true;
                                 out.push_back(std::move(*r));
                                 if (limit == 0) return true;
                                 if (tail) {
                                   if (out.size() > limit) out.pop_front();
                                   return true;
                                 }
                                 return out.size() < limit;
                               }));
  SP_RETURN_IF_ERROR(inner);
  return std::vector<AuditRecord>(std::make_move_iterator(out.begin()),
                                  std::make_move_iterator(out.end()));
}

}  // namespace signpost::store
