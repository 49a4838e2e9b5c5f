// The multi-path report's query read from JSON and the report written as JSON.
#include <string>

#include "wire/fields.h"
#include "wire/paths.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

Result<int> BoundedInt(const json& q, const char* key, int low, int high, int fallback) {
  if (!q.contains(key)) return fallback;
  SP_ASSIGN_OR_RETURN(int v, IntField(q[key], key));
  if (v < low || v > high)
    return Bad(key, "give " + std::to_string(low) + " to " + std::to_string(high));
  return v;
}

json SequenceJson(const PathSequence& s, bool with_events) {
  json out = json::object();
  if (with_events) {
    out["events"] = s.events;
    out["more"] = s.more;
  }
  out["people"] = s.people;
  out["converted"] = s.converted;
  out["share"] = s.share;
  out["conversion"] = s.conversion;
  return out;
}

}  // namespace

Result<FunnelPathsQuery> ParseFunnelPathsQuery(std::string_view id, const json& q) {
  if (!q.is_object()) return Status::InvalidArgument("query: expected a JSON object");
  json funnel = q;
  for (const char* key : {"step", "max_length", "top", "collapse_repeats", "paths"})
    funnel.erase(key);
  FunnelPathsQuery out;
  SP_ASSIGN_OR_RETURN(out.funnel, ParseFunnelQuery(id, funnel));
  SP_ASSIGN_OR_RETURN(out.step, BoundedInt(q, "step", 1, 64, 1));
  SP_ASSIGN_OR_RETURN(out.max_length, BoundedInt(q, "max_length", 1, kMaxPathLength, 5));
  SP_ASSIGN_OR_RETURN(out.top, BoundedInt(q, "top", 1, kMaxPathTop, 10));
  if (q.contains("collapse_repeats")) {
    const json& v = q["collapse_repeats"];
    const std::string t =
        v.is_boolean() ? (v.get<bool>() ? "true" : "false") : TextOf(q, "collapse_repeats");
    if (t != "true" && t != "false") return Bad("collapse_repeats", "use true or false");
    out.collapse_repeats = t == "true";
  }
  return out;
}

json ToJson(const FunnelPathsReport& r) {
  json sequences = json::array();
  for (const PathSequence& s : r.sequences) sequences.push_back(SequenceJson(s, true));
  json any_of = json::array();
  for (const AnyOfBreakdown& b : r.any_of) {
    json alternatives = json::array();
    for (const PathAlternative& a : b.alternatives) {
      alternatives.push_back({{"label", a.label},
                              {"event", a.event},
                              {"people", a.people},
                              {"share", a.share},
                              {"converted", a.converted},
                              {"conversion", b.next_step == 0 ? json(nullptr) : json(a.conversion)},
                              {"completed", a.completed},
                              {"completion", a.completion}});
    }
    any_of.push_back({{"step", b.step},
                      {"name", b.name},
                      {"optional", b.optional},
                      {"next_step", b.next_step == 0 ? json(nullptr) : json(b.next_step)},
                      {"next_name", b.next_name},
                      {"people", b.people},
                      {"alternatives", std::move(alternatives)}});
  }
  json optional = json::array();
  for (const OptionalStepEffect& e : r.optional) {
    optional.push_back({{"step", e.step},
                        {"name", e.name},
                        {"after_step", e.after_step},
                        {"after_name", e.after_name},
                        {"with", e.with},
                        {"with_completed", e.with_completed},
                        {"without", e.without},
                        {"without_completed", e.without_completed},
                        {"rate_with", e.rate_with},
                        {"rate_without", e.rate_without},
                        {"difference", e.difference},
                        {"difference_interval", IntervalJson(e.difference_interval)},
                        {"p_value", e.p_value}});
  }
  return {{"funnel", r.funnel.empty() ? json("ad-hoc") : json(r.funnel.value())},
          {"version", r.version},
          {"step", r.step},
          {"step_name", r.step_name},
          {"next_step", r.next_step},
          {"next_name", r.next_name},
          {"goal_step", r.goal_step},
          {"goal_name", r.goal_name},
          {"max_length", r.max_length},
          {"top", r.top},
          {"collapse_repeats", r.collapse_repeats},
          {"reached", r.reached},
          {"converted", r.converted},
          {"rate", r.rate},
          {"distinct", r.distinct},
          {"untracked", r.untracked},
          {"sequences", std::move(sequences)},
          {"other", SequenceJson(r.other, false)},
          {"any_of", std::move(any_of)},
          {"optional", std::move(optional)}};
}

}  // namespace signpost::wire
