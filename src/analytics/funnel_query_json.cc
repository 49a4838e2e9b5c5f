#include "analytics/funnel_query_json.h"

#include "base/duration.h"
#include "base/time.h"

namespace signpost::analytics {

namespace {

Status BadQuery(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("query." + field + ": " + what);
}

Result<std::string> Text(const nlohmann::json& v, const std::string& field) {
  if (!v.is_string()) return BadQuery(field, "expected a string");
  return v.get<std::string>();
}

Result<TimeMs> TimeField(const nlohmann::json& v, const std::string& field) {
  if (v.is_number_integer()) return v.get<TimeMs>();
  if (!v.is_string()) return BadQuery(field, "expected an ISO 8601 time or epoch milliseconds");
  auto t = ParseIso8601(v.get<std::string>());
  if (!t.ok()) return BadQuery(field, t.status().message());
  return *t;
}

Result<int> IntField(const nlohmann::json& v, const std::string& field) {
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      int n = std::stoi(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size()) return n;
    } catch (...) {
    }
  }
  return BadQuery(field, "expected a whole number");
}

Result<DurationMs> DurationField(const std::string& text, const std::string& field) {
  auto d = ParseDuration(text);
  if (!d.ok()) return BadQuery(field, d.status().message());
  return *d;
}

}  // namespace

Status ApplyQueryJson(const nlohmann::json& q, FunnelDefinition* def, FunnelOptions* options,
                      PeopleQuery* people) {
  if (!q.is_object()) return Status::InvalidArgument("query: expected a JSON object");
  if (q.contains("window")) {
    SP_ASSIGN_OR_RETURN(std::string w, Text(q["window"], "window"));
    SP_ASSIGN_OR_RETURN(def->window, DurationField(w, "window"));
  }
  if (q.contains("order")) {
    SP_ASSIGN_OR_RETURN(std::string o, Text(q["order"], "order"));
    auto m = ParseOrderMode(o);
    if (!m.ok()) return BadQuery("order", m.status().message());
    def->order = *m;
  }
  if (q.contains("entry")) {
    SP_ASSIGN_OR_RETURN(std::string e, Text(q["entry"], "entry"));
    auto m = ParseEntryMode(e);
    if (!m.ok()) return BadQuery("entry", m.status().message());
    def->entry = *m;
  }
  if (q.contains("from")) {
    SP_ASSIGN_OR_RETURN(TimeMs t, TimeField(q["from"], "from"));
    options->from = t;
  }
  if (q.contains("to")) {
    SP_ASSIGN_OR_RETURN(TimeMs t, TimeField(q["to"], "to"));
    options->to = t;
  }
  if (q.contains("breakdown")) {
    SP_ASSIGN_OR_RETURN(options->breakdown, Text(q["breakdown"], "breakdown"));
    auto path = rules::ParsePropertyPath(options->breakdown);
    if (!path.ok()) return BadQuery("breakdown", path.status().message());
  }
  if (q.contains("breakdown_attribution")) {
    SP_ASSIGN_OR_RETURN(std::string a, Text(q["breakdown_attribution"], "breakdown_attribution"));
    auto attribution = ParseAttribution(a);
    if (!attribution.ok()) return BadQuery("breakdown_attribution", attribution.status().message());
    options->attribution = *attribution;
  }
  if (q.contains("top")) {
    SP_ASSIGN_OR_RETURN(options->top, IntField(q["top"], "top"));
    if (options->top < 1) return BadQuery("top", "must be at least 1");
  }
  if (q.contains("completion_windows")) {
    std::vector<std::string> parts;
    const auto& v = q["completion_windows"];
    if (v.is_array()) {
      for (const auto& item : v) {
        SP_ASSIGN_OR_RETURN(std::string s, Text(item, "completion_windows[]"));
        parts.push_back(s);
      }
    } else {
      SP_ASSIGN_OR_RETURN(std::string s, Text(v, "completion_windows"));
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
    options->completion_windows.clear();
    for (const auto& p : parts) {
      SP_ASSIGN_OR_RETURN(DurationMs d, DurationField(p, "completion_windows"));
      options->completion_windows.push_back(d);
    }
  }
  if (q.contains("trend")) {
    SP_ASSIGN_OR_RETURN(std::string t, Text(q["trend"], "trend"));
    if (t == "day") {
      options->trend = TrendUnit::kDay;
    } else if (t == "week") {
      options->trend = TrendUnit::kWeek;
    } else {
      return BadQuery("trend", "unknown unit '" + t + "'; use day or week");
    }
  }
  if (people != nullptr) {
    if (q.contains("completed")) {
      SP_ASSIGN_OR_RETURN(people->completed, IntField(q["completed"], "completed"));
    }
    if (q.contains("dropped_at")) {
      SP_ASSIGN_OR_RETURN(people->dropped_at, IntField(q["dropped_at"], "dropped_at"));
    }
  }
  return ValidateFunnel(*def);
}

nlohmann::json ToJson(const FunnelPerson& p) {
  nlohmann::json j = {{"profile", p.profile.value()}, {"last_step", p.last_step}};
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

nlohmann::json ToJson(const std::vector<FunnelPerson>& people) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : people) rows.push_back(ToJson(p));
  return rows;
}

}  // namespace signpost::analytics
