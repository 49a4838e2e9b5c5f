// The people stuck at a funnel step (GET /api/funnels/{id}/stuck): the query read from its
// parameters, the count written with the step segment rule it is the membership of.
#include <fmt/format.h>

#include <string>

#include "base/duration.h"
#include "base/time.h"
#include "wire/fields.h"
#include "wire/step_json.h"

namespace signpost::wire {

using nlohmann::json;

Result<FunnelStuckQuery> ParseFunnelStuckQuery(std::string_view id, const json& q) {
  if (!q.is_object()) return Status::InvalidArgument("query: expected a JSON object");
  FunnelStuckQuery out;
  out.funnel = FunnelId(id);
  if (!q.contains("step"))
    return Bad("step", "missing; give the step people are stuck at, e.g. step=2");
  SP_ASSIGN_OR_RETURN(out.step, IntField(q["step"], "step"));
  if (out.step < 1) return Bad("step", "expected a step number from 1");
  std::string text = TextOf(q, "for");
  if (text.empty()) text = "2d";
  SP_ASSIGN_OR_RETURN(out.stuck_for, DurationField(text, "for"));
  if (out.stuck_for <= 0 || out.stuck_for > 365 * kDayMs)
    return Bad("for", fmt::format("'{}' is out of range; give a duration from 1s to 365d", text));
  return out;
}

json ToJson(const FunnelStuck& s) {
  const std::string stuck_for = FormatDuration(s.stuck_for);
  return {{"funnel", s.funnel},
          {"version", s.version},
          {"step", s.step},
          {"step_name", s.step_name},
          {"next_step", s.next_step},
          {"next_step_name", s.next_step_name},
          {"for", stuck_for},
          {"for_ms", s.stuck_for},
          {"as_of", FormatIso8601(s.as_of)},
          {"people", s.people},
          {"rule",
           {{"funnel",
             {{"id", s.funnel},
              {"reached", s.step},
              {"not_reached", s.next_step},
              {"stuck_for", {{"gt", stuck_for}}}}}}}};
}

}  // namespace signpost::wire
