#include "analytics/funnel_report.h"

#include "base/time.h"

namespace signpost::analytics {

namespace {

nlohmann::json TimeJson(TimeMs t) { return {{"ms", t}, {"iso", FormatIso8601(t)}}; }

}  // namespace

nlohmann::json ToJson(const FunnelReport& r) {
  nlohmann::json j;
  j["definition"] = {{"id", r.definition_id}, {"version", r.definition_version}};
  j["unit"] = r.unit;
  j["order"] = r.order;
  j["entry"] = r.entry;
  j["window_ms"] = r.window;
  j["from"] = r.from ? TimeJson(*r.from) : nlohmann::json(nullptr);
  j["to"] = r.to ? TimeJson(*r.to) : nlohmann::json(nullptr);
  j["segment"] = r.segment ? nlohmann::json{{"profiles", r.segment_size}} : nlohmann::json(nullptr);
  j["entered"] = r.entered;
  j["completed"] = r.completed;
  j["conversion"] = r.conversion;
  nlohmann::json steps = nlohmann::json::array();
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const StepStats& s = r.steps[i];
    nlohmann::json o = {{"step", i + 1},
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
  nlohmann::json completion = nlohmann::json::array();
  for (const auto& c : r.completion) {
    completion.push_back({{"window_ms", c.window},
                          {"entered", c.entered},
                          {"completed", c.completed},
                          {"rate", c.rate}});
  }
  j["completion"] = std::move(completion);
  nlohmann::json trend = nlohmann::json::array();
  for (const auto& t : r.trend) {
    trend.push_back({{"start", FormatIso8601(t.start)},
                     {"start_ms", t.start},
                     {"entered", t.entered},
                     {"completed", t.completed},
                     {"rate", t.rate}});
  }
  j["trend"] = {{"unit", r.trend_unit}, {"points", std::move(trend)}};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& b : r.breakdown) {
    rows.push_back({{"value", b.value}, {"counts", b.counts}, {"conversion", b.conversion}});
  }
  j["breakdown"] = r.breakdown_by.empty() ? nlohmann::json(nullptr)
                                          : nlohmann::json{{"by", r.breakdown_by},
                                                           {"attribution", r.attribution},
                                                           {"rows", std::move(rows)}};
  return j;
}

}  // namespace signpost::analytics
