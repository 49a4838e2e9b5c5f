// Funnel queries read from JSON and funnel reports and people written as JSON.
#include <fmt/format.h>

#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

// "7d,14d,30d" or ["7d", "14d", "30d"].
Result<std::vector<DurationMs>> Windows(const json& v) {
  std::vector<std::string> parts;
  if (v.is_array()) {
    for (const auto& item : v) {
      SP_ASSIGN_OR_RETURN(std::string s, StringField(item, "completion_windows[]"));
      parts.push_back(s);
    }
  } else {
    SP_ASSIGN_OR_RETURN(std::string s, StringField(v, "completion_windows"));
    size_t start = 0;
    while (start <= s.size()) {
      size_t comma = s.find(',', start);
      std::string part =
          s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) parts.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  std::vector<DurationMs> out;
  for (const auto& p : parts) {
    SP_ASSIGN_OR_RETURN(DurationMs d, DurationField(p, "completion_windows"));
    out.push_back(d);
  }
  return out;
}

// The fields that shape and filter the report (everything but what names the funnel).
Status ReadReportFields(const json& q, FunnelQuery* f) {
  if (q.contains("window")) {
    SP_ASSIGN_OR_RETURN(std::string w, StringField(q["window"], "window"));
    SP_ASSIGN_OR_RETURN(f->window, DurationField(w, "window"));
  }
  if (q.contains("order")) {
    SP_ASSIGN_OR_RETURN(std::string o, StringField(q["order"], "order"));
    auto m = ParseFunnelOrder(o);
    if (!m.ok()) return Bad("order", m.status().message());
    f->order = *m;
  }
  if (q.contains("entry")) {
    SP_ASSIGN_OR_RETURN(std::string e, StringField(q["entry"], "entry"));
    auto m = ParseFunnelEntry(e);
    if (!m.ok()) return Bad("entry", m.status().message());
    f->entry = *m;
  }
  if (q.contains("from")) {
    SP_ASSIGN_OR_RETURN(f->from, TimeField(q["from"], "from"));
  }
  if (q.contains("to")) {
    SP_ASSIGN_OR_RETURN(f->to, TimeField(q["to"], "to"));
  }
  if (q.contains("breakdown")) {
    // A property path: checked by the engine, which owns the rule language.
    SP_ASSIGN_OR_RETURN(f->breakdown, StringField(q["breakdown"], "breakdown"));
  }
  if (q.contains("breakdown_attribution")) {
    SP_ASSIGN_OR_RETURN(std::string a,
                        StringField(q["breakdown_attribution"], "breakdown_attribution"));
    auto attribution = ParseBreakdownAttribution(a);
    if (!attribution.ok()) return Bad("breakdown_attribution", attribution.status().message());
    f->breakdown_attribution = *attribution;
  }
  if (q.contains("top")) {
    SP_ASSIGN_OR_RETURN(f->top, IntField(q["top"], "top"));
    if (*f->top < 1) return Bad("top", "must be at least 1");
  }
  if (q.contains("completion_windows")) {
    SP_ASSIGN_OR_RETURN(f->completion_windows, Windows(q["completion_windows"]));
  }
  if (q.contains("trend")) {
    SP_ASSIGN_OR_RETURN(std::string t, StringField(q["trend"], "trend"));
    if (t == "day") {
      f->trend = TrendUnit::kDay;
    } else if (t == "week") {
      f->trend = TrendUnit::kWeek;
    } else {
      return Bad("trend", "unknown unit '" + t + "'; use day or week");
    }
  }
  return Status::Ok();
}

json TimeJson(TimeMs t) { return {{"ms", t}, {"iso", FormatIso8601(t)}}; }

json FunnelName(const FunnelId& id) { return id.empty() ? json("ad-hoc") : json(id); }

}  // namespace

Result<FunnelPeopleQuery> ParseFunnelPeopleQuery(std::string_view id, const json& q) {
  FunnelPeopleQuery out;
  FunnelQuery& f = out.funnel;
  f.id = FunnelId(id);
  if (!id.empty()) {
    if (std::string t = TextOf(q, "version"); !t.empty()) {
      int64_t version = 0;
      size_t used = 0;
      try {
        version = std::stoll(t, &used);
      } catch (const std::exception&) {
      }
      if (used == 0 || used != t.size())
        return Status::InvalidArgument(fmt::format("version: '{}' is not a whole number", t));
      f.version = static_cast<uint64_t>(version);
    }
  } else if (q.contains("steps") && q["steps"].is_string()) {
    f.steps = q["steps"].get<std::string>();
  } else if (q.contains("definition") && q["definition"].is_object()) {
    f.definition = q["definition"].dump();
  }
  if (!q.is_object()) return Status::InvalidArgument("query: expected a JSON object");
  SP_RETURN_IF_ERROR(ReadReportFields(q, &f));
  if (q.contains("completed")) {
    SP_ASSIGN_OR_RETURN(out.completed, IntField(q["completed"], "completed"));
  }
  if (q.contains("dropped_at")) {
    SP_ASSIGN_OR_RETURN(out.dropped_at, IntField(q["dropped_at"], "dropped_at"));
  }
  f.segment = SegmentId(TextOf(q, "segment"));
  return out;
}

Result<FunnelQuery> ParseFunnelQuery(std::string_view id, const json& q) {
  SP_ASSIGN_OR_RETURN(FunnelPeopleQuery people, ParseFunnelPeopleQuery(id, q));
  return std::move(people.funnel);
}

json ToJson(const FunnelReport& r) {
  json j;
  j["funnel"] = FunnelName(r.definition_id);
  j["version"] = r.definition_version;
  j["name"] = r.name;
  j["definition"] = {{"id", r.definition_id}, {"version", r.definition_version}};
  j["unit"] = r.unit;
  j["order"] = r.order;
  j["entry"] = r.entry;
  j["window_ms"] = r.window;
  j["from"] = r.from ? TimeJson(*r.from) : json(nullptr);
  j["to"] = r.to ? TimeJson(*r.to) : json(nullptr);
  j["segment"] = r.segment ? json{{"profiles", r.segment_size}} : json(nullptr);
  if (!r.consent.empty()) {  // privacy: tracking consent
    j["consent"] = json{{"categories", r.consent}, {"without_consent", r.without_consent}};
  }
  j["entered"] = r.entered;
  j["completed"] = r.completed;
  j["conversion"] = r.conversion;
  json steps = json::array();
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const FunnelStepStats& s = r.steps[i];
    json o = {{"step", i + 1},
              {"name", s.name},
              {"optional", s.optional},
              {"count", s.count},
              {"conversion_from_previous", s.conversion_from_previous},
              {"conversion_from_first", s.conversion_from_first},
              {"dropped", s.dropped},
              {"dropoff_rate", s.dropoff_rate}};
    if (s.time_from_previous) {
      o["time_from_previous"] = {{"samples", s.time_from_previous->samples},
                                 {"median_ms", s.time_from_previous->median_ms},
                                 {"p90_ms", s.time_from_previous->p90_ms},
                                 {"mean_ms", s.time_from_previous->mean_ms}};
    } else {
      o["time_from_previous"] = nullptr;
    }
    steps.push_back(std::move(o));
  }
  j["steps"] = std::move(steps);
  j["time_to_convert"] = {{"edges_ms", r.time_to_convert.edges},
                          {"counts", r.time_to_convert.counts}};
  json completion = json::array();
  for (const auto& c : r.completion) {
    completion.push_back({{"window_ms", c.window},
                          {"entered", c.entered},
                          {"completed", c.completed},
                          {"rate", c.rate}});
  }
  j["completion"] = std::move(completion);
  json trend = json::array();
  for (const auto& t : r.trend) {
    trend.push_back({{"start", FormatIso8601(t.start)},
                     {"start_ms", t.start},
                     {"entered", t.entered},
                     {"completed", t.completed},
                     {"rate", t.rate}});
  }
  j["trend"] = {{"unit", r.trend_unit}, {"points", std::move(trend)}};
  json rows = json::array();
  for (const auto& b : r.breakdown) {
    rows.push_back({{"value", b.value}, {"counts", b.counts}, {"conversion", b.conversion}});
  }
  j["breakdown"] =
      r.breakdown_by.empty()
          ? json(nullptr)
          : json{{"by", r.breakdown_by}, {"attribution", r.attribution}, {"rows", std::move(rows)}};
  if (r.retention) j["retention"] = ToJson(*r.retention);
  return j;
}

json ToJson(const FunnelPerson& p) {
  json j = {{"profile", p.profile.value()}, {"last_step", p.last_step}};
  if (p.last_step > 0) {
    j["last_step_name"] = p.last_step_name;
    j["last_step_at"] = FormatIso8601(p.last_step_at);
    j["last_step_at_ms"] = p.last_step_at;
    j["stuck_ms"] = p.stuck_ms;
  } else {
    j["last_step_name"] = nullptr;
  }
  return j;
}

json ToJson(const FunnelPeople& people) {
  json list = json::array();
  for (const FunnelPerson& p : people.people) {
    json row = ToJson(p);
    row["identities"] = p.identities;
    list.push_back(std::move(row));
  }
  return json{{"funnel", FunnelName(people.funnel)},
              {"version", people.version},
              {"completed", people.completed},
              {"dropped_at", people.dropped_at},
              {"count", list.size()},
              {"people", std::move(list)}};
}

json ToJson(const FunnelLastStep& last) {
  json out = ToJson(last.person);
  out["funnel"] = last.funnel;
  out["version"] = last.version;
  out["identity"] = last.identity;
  return out;
}

json ToJson(const SavedFunnelPeople& saved) {
  return json{{"segment", saved.segment},
              {"version", saved.version},
              {"members", saved.members},
              {"note", saved.note}};
}

}  // namespace signpost::wire
