// The funnel insights' queries read from JSON and their reports written as JSON.
#include <fmt/format.h>

#include <cmath>

#include "wire/fields.h"
#include "wire/insights.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

// "a,b" or ["a", "b"]: at most 100 items of at most 200 characters (the engine bounds further).
Result<std::vector<std::string>> ListField(const json& q, const char* key) {
  std::vector<std::string> out;
  if (!q.contains(key)) return out;
  const json& v = q[key];
  if (v.is_array()) {
    for (const json& item : v) {
      SP_ASSIGN_OR_RETURN(std::string s, StringField(item, std::string(key) + "[]"));
      out.push_back(std::move(s));
    }
  } else {
    SP_ASSIGN_OR_RETURN(std::string s, StringField(v, key));
    size_t start = 0;
    while (start <= s.size()) {
      const size_t comma = s.find(',', start);
      std::string part = s.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!part.empty()) out.push_back(std::move(part));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (out.size() > 100) return Bad(key, "at most 100 items");
  for (const std::string& s : out)
    if (s.size() > 200) return Bad(key, "an item is longer than 200 characters");
  return out;
}

// A number, or a string holding one.
Result<double> NumberField(const json& v, const std::string& field) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    size_t used = 0;
    double d = 0;
    try {
      d = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != 0 && used == s.size() && std::isfinite(d)) return d;
  }
  return Bad(field, "expected a number");
}

}  // namespace

Result<StepDriversQuery> ParseStepDriversQuery(std::string_view id, const json& q) {
  if (!q.is_object()) return Status::InvalidArgument("query: expected a JSON object");
  json funnel = q;
  for (const char* key : {"step", "target", "properties", "traits", "segments", "min_count",
                          "max_values", "top", "fdr"})
    funnel.erase(key);
  StepDriversQuery out;
  SP_ASSIGN_OR_RETURN(out.funnel, ParseFunnelQuery(id, funnel));
  if (!q.contains("step")) return Bad("step", "missing; give the step number K (1-based)");
  SP_ASSIGN_OR_RETURN(out.step, IntField(q["step"], "step"));
  if (const std::string t = TextOf(q, "target"); !t.empty()) {
    if (t != "next" && t != "goal") return Bad("target", "use next (step K+1) or goal");
    out.to_goal = t == "goal";
  }
  SP_ASSIGN_OR_RETURN(out.properties, ListField(q, "properties"));
  SP_ASSIGN_OR_RETURN(out.traits, ListField(q, "traits"));
  SP_ASSIGN_OR_RETURN(std::vector<std::string> segments, ListField(q, "segments"));
  for (std::string& s : segments) out.segments.emplace_back(std::move(s));
  if (q.contains("min_count")) {
    SP_ASSIGN_OR_RETURN(int v, IntField(q["min_count"], "min_count"));
    if (v < 1) return Bad("min_count", "give at least 1");
    out.min_count = static_cast<uint64_t>(v);
  }
  if (q.contains("max_values")) {
    SP_ASSIGN_OR_RETURN(out.max_values, IntField(q["max_values"], "max_values"));
  }
  if (q.contains("top")) {
    SP_ASSIGN_OR_RETURN(out.top, IntField(q["top"], "top"));
  }
  if (q.contains("fdr")) {
    SP_ASSIGN_OR_RETURN(out.fdr, NumberField(q["fdr"], "fdr"));
  }
  return out;
}

json ToJson(const StepDriversReport& r) {
  json drivers = json::array();
  for (const StepDriver& d : r.drivers) {
    drivers.push_back({{"kind", d.kind},
                       {"event", d.event},
                       {"path", d.path},
                       {"value", d.value},
                       {"converted_with", d.converted_with},
                       {"dropped_with", d.dropped_with},
                       {"converted_without", d.converted_without},
                       {"dropped_without", d.dropped_without},
                       {"people_with", d.converted_with + d.dropped_with},
                       {"rate_with", d.rate_with},
                       {"rate_without", d.rate_without},
                       {"difference", d.difference},
                       {"difference_interval", IntervalJson(d.difference_interval)},
                       {"odds_ratio", Finite(d.odds_ratio)},
                       {"odds_ratio_interval", IntervalJson(d.odds_ratio_interval)},
                       {"p_value", d.p_value},
                       {"q_value", d.q_value},
                       {"significant", d.significant}});
  }
  return {{"funnel", r.funnel.empty() ? json("ad-hoc") : json(r.funnel.value())},
          {"version", r.version},
          {"step", r.step},
          {"step_name", r.step_name},
          {"target_step", r.target_step},
          {"target_name", r.target_name},
          {"population", r.population},
          {"segment", r.segment},
          {"reached", r.reached},
          {"converted", r.converted},
          {"rate", r.rate},
          {"min_count", r.min_count},
          {"fdr", r.fdr},
          {"candidates", r.candidates},
          {"tested", r.tested},
          {"significant", r.significant},
          {"values_dropped", r.values_dropped},
          {"drivers", std::move(drivers)}};
}

Result<StepImportanceQuery> ParseStepImportanceQuery(std::string_view id, const json& q) {
  if (!q.is_object()) return Status::InvalidArgument("query: expected a JSON object");
  json funnel = q;
  for (const char* key : {"segments", "l2", "importance"}) funnel.erase(key);
  StepImportanceQuery out;
  SP_ASSIGN_OR_RETURN(out.funnel, ParseFunnelQuery(id, funnel));
  SP_ASSIGN_OR_RETURN(std::vector<std::string> segments, ListField(q, "segments"));
  for (std::string& s : segments) out.segments.emplace_back(std::move(s));
  if (q.contains("l2")) {
    SP_ASSIGN_OR_RETURN(out.l2, NumberField(q["l2"], "l2"));
  }
  return out;
}

json ToJson(const StepImportanceReport& r) {
  json groups = json::array();
  for (const StepImportanceGroup& g : r.groups) {
    json steps = json::array();
    for (const StepImportanceRow& s : g.steps) {
      steps.push_back({{"step", s.step},
                       {"name", s.name},
                       {"optional", s.optional},
                       {"with", s.with},
                       {"with_goal", s.with_goal},
                       {"without", s.without},
                       {"without_goal", s.without_goal},
                       {"rate_with", s.rate_with},
                       {"rate_without", s.rate_without},
                       {"difference", s.difference},
                       {"difference_interval", IntervalJson(s.difference_interval)},
                       {"coefficient", Finite(s.coefficient)},
                       {"odds_ratio", Finite(s.odds_ratio)}});
    }
    groups.push_back({{"segment", g.segment.empty() ? json(nullptr) : json(g.segment)},
                      {"entered", g.entered},
                      {"reached_goal", g.reached_goal},
                      {"goal_rate", g.goal_rate},
                      {"intercept", Finite(g.intercept)},
                      {"converged", g.converged},
                      {"train_people", g.train_people},
                      {"test_people", g.test_people},
                      {"accuracy", g.accuracy},
                      {"baseline", g.baseline},
                      {"log_loss", Finite(g.log_loss)},
                      {"steps", std::move(steps)}});
  }
  return {{"funnel", r.funnel.empty() ? json("ad-hoc") : json(r.funnel.value())},
          {"version", r.version},
          {"goal_step", r.goal_step},
          {"goal_name", r.goal_name},
          {"l2", r.l2},
          {"groups", std::move(groups)}};
}

}  // namespace signpost::wire
