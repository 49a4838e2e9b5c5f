// The next best action's query read from JSON and its reports written as JSON (wire/insights.h).
#include <utility>

#include "base/time.h"
#include "wire/fields.h"
#include "wire/insights.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

json NbaRowJson(const NextBestActionRow& r) {
  return {{"kind", r.kind},
          {"action", r.action},
          {"journey", r.journey},
          {"step", r.step.empty() ? json(nullptr) : json(r.step)},
          {"treated", r.treated},
          {"treated_converted", r.treated_converted},
          {"holdout", r.holdout},
          {"holdout_converted", r.holdout_converted},
          {"treated_rate", r.lift.treated_rate},
          {"holdout_rate", r.lift.holdout_rate},
          {"lift", r.lift.absolute},
          {"lift_interval", IntervalJson(r.lift.absolute_interval)},
          {"relative_lift", OrNull(r.lift.relative)},
          {"relative_interval", IntervalJson(r.lift.relative_interval)},
          {"tested", r.tested},
          {"positive", r.positive}};
}

json TextOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

Result<NextBestActionQuery> ParseNextBestActionQuery(std::string_view id, const json& q) {
  if (!q.is_object()) return Status::InvalidArgument("query: expected a JSON object");
  NextBestActionQuery out;
  out.funnel = FunnelId(std::string(id));
  if (!q.contains("step")) return Bad("step", "missing; give the step number K (1-based)");
  SP_ASSIGN_OR_RETURN(out.step, IntField(q["step"], "step"));
  out.segment = TextOf(q, "segment");
  if (out.segment.size() > 200) return Bad("segment", "longer than 200 characters");
  if (q.contains("refresh")) {
    const json& r = q["refresh"];
    if (r.is_boolean()) {
      out.refresh = r.get<bool>();
    } else if (r == "true" || r == "false") {
      out.refresh = r == "true";
    } else {
      return Bad("refresh", "expected true or false");
    }
  }
  return out;
}

json ToJson(const NextBestActionReport& r) {
  json tables = json::array();
  for (const NextBestActionTable& t : r.tables) {
    json rows = json::array();
    for (const NextBestActionRow& row : t.rows) rows.push_back(NbaRowJson(row));
    tables.push_back({{"segment", TextOrNull(t.segment)},
                      {"at_step", t.at_step},
                      {"recommended", TextOrNull(t.recommended)},
                      {"evidence", t.evidence},
                      {"rows", std::move(rows)}});
  }
  return {{"funnel", r.funnel.value()},
          {"version", r.version},
          {"step", r.step},
          {"step_name", r.step_name},
          {"target_step", r.target_step},
          {"target_name", r.target_name},
          {"population", r.population},
          {"as_of", FormatIso8601(r.as_of)},
          {"min_count", r.min_count},
          {"level", r.level},
          {"tables", std::move(tables)}};
}

json ToJson(const ProfileNextBestAction& n) {
  return {{"funnel", n.funnel.value()},
          {"profile", n.profile},
          {"at", FormatIso8601(n.at)},
          {"last_step", n.last_step},
          {"stuck", n.stuck},
          {"segment", TextOrNull(n.segment)},
          {"recommended", TextOrNull(n.recommended)},
          {"evidence", n.evidence},
          {"row", n.row ? NbaRowJson(*n.row) : json(nullptr)},
          {"as_of", n.as_of == 0 ? json(nullptr) : json(FormatIso8601(n.as_of))}};
}

}  // namespace signpost::wire
