// The audit log's query and its JSON document (wire.h).
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

Result<AuditQuery> ParseAuditQuery(const json& query) {
  AuditQuery q;
  if (query.contains("after")) {
    const std::string text = TextOf(query, "after");
    uint64_t after = 0;
    for (char c : text) {
      if (c < '0' || c > '9' || after > (UINT64_MAX - 9) / 10)
        return Bad("after", "expected the seq of an entry (a whole number), e.g. after=120");
      after = after * 10 + static_cast<uint64_t>(c - '0');
    }
    if (text.empty()) return Bad("after", "expected the seq of an entry, e.g. after=120");
    q.after = after;
  }
  if (query.contains("limit")) {
    SP_ASSIGN_OR_RETURN(int limit, IntField(query["limit"], "limit"));
    if (limit < 1 || limit > 1000) return Bad("limit", "expected 1 to 1000 entries");
    q.limit = static_cast<size_t>(limit);
  }
  if (query.contains("action")) {
    q.action = TextOf(query, "action");
    if (q.action.size() > 64) return Bad("action", "expected an action name such as apply");
  }
  return q;
}

json ToJson(const AuditTrail& trail) {
  json entries = json::array();
  for (const AuditEntry& e : trail.entries) {
    json detail = e.detail.empty() ? json(nullptr) : json::parse(e.detail, nullptr, false);
    if (detail.is_discarded()) detail = e.detail;
    entries.push_back({{"seq", e.seq},
                       {"at", e.at},
                       {"actor", e.actor},
                       {"action", e.action},
                       {"target", e.target},
                       {"detail", std::move(detail)},
                       {"outcome", e.outcome}});
  }
  return {{"entries", std::move(entries)}, {"last_seq", trail.last_seq}};
}

}  // namespace signpost::wire
