#include "engine/audit_service.h"

#include <spdlog/spdlog.h>

#include "signpost/acting_as.h"

namespace signpost {

namespace {
thread_local std::string t_actor;
}  // namespace

ActingAs::ActingAs(std::string actor) : previous_(std::move(t_actor)) {
  t_actor = std::move(actor);
}

ActingAs::~ActingAs() { t_actor = std::move(previous_); }

std::string CurrentActor() { return t_actor.empty() ? std::string("engine") : t_actor; }

namespace engine {

void AuditService::Record(std::string_view action, std::string target, const nlohmann::json& detail,
                          const Status& outcome) {
  store::AuditRecord record;
  record.at = clock_.NowMs();
  record.actor = CurrentActor();
  record.action = std::string(action);
  record.target = std::move(target);
  if (!detail.is_null()) record.detail = detail.dump();
  record.outcome = outcome.ok() ? std::string("ok") : outcome.ToString();
  auto written = store_.audit().Append(std::move(record));
  if (!written.ok())
    spdlog::error("audit log: could not record '{}': {}", action, written.status().ToString());
}

Result<AuditTrail> AuditService::List(const AuditQuery& query) const {
  SP_ASSIGN_OR_RETURN(auto records, store_.audit().List(query.after, query.limit, query.action));
  AuditTrail out;
  out.last_seq = store_.audit().last_seq();
  out.entries.reserve(records.size());
  for (store::AuditRecord& r : records) {
    out.entries.push_back({r.seq, r.at, std::move(r.actor), std::move(r.action),
                           std::move(r.target), std::move(r.detail), std::move(r.outcome)});
  }
  return out;
}

std::string AuditService::AdminActor(std::string_view token) const {
  const std::string prefix(token.substr(0, std::min<size_t>(token.size(), 12)));
  for (const store::ApiKey& key : store_.keys().List()) {
    if (key.token == token) return "admin:" + key.name + " (" + prefix + ")";
  }
  return "admin:unknown";
}

}  // namespace engine
}  // namespace signpost
