// Goal report queries read from JSON; goal reports, their people and goals written as JSON.
#include <cmath>

#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

json TargetJson(const GoalView& g) {
  switch (g.target) {
    case GoalView::TargetKind::kNone:
      return nullptr;
    case GoalView::TargetKind::kPercent:
      return {{"percent", g.target_value}};
    case GoalView::TargetKind::kCount:
      return {{"count", static_cast<uint64_t>(g.target_value)}};
  }
  return nullptr;
}

}  // namespace

Result<GoalReportQuery> ParseGoalReportQuery(const json& query) {
  GoalReportQuery out;
  if (std::string from = TextOf(query, "from"); !from.empty()) {
    auto t = ParseIso8601(from);
    if (!t.ok()) return Status::InvalidArgument("from: " + t.status().message());
    out.from = *t;
  }
  if (std::string to = TextOf(query, "to"); !to.empty()) {
    auto t = ParseIso8601(to);
    if (!t.ok()) return Status::InvalidArgument("to: " + t.status().message());
    out.to = *t;
  }
  if (std::string trend = TextOf(query, "trend"); !trend.empty()) {
    if (trend != "day" && trend != "week") return Status::InvalidArgument("trend: use day or week");
    out.trend = trend == "week" ? TrendUnit::kWeek : TrendUnit::kDay;
  }
  const std::string segments = TextOf(query, "segment");
  for (size_t start = 0; start < segments.size();) {
    size_t comma = segments.find(',', start);
    if (comma == std::string::npos) comma = segments.size();
    if (comma > start) out.segments.emplace_back(segments.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

json ToJson(const GoalView& g) {
  json j;
  j["type"] = g.type;
  if (!g.met_when.empty()) {
    j["met_when"] = g.met_when;
  } else {
    json where = json::object();
    for (const GoalConditionView& c : g.where) {
      json operand;
      if (c.exists) {
        operand = *c.exists;
      } else if (c.list) {
        operand = c.values;
      } else if (!c.values.empty()) {
        operand = c.values[0];
      }
      where[c.path][c.op] = operand;
    }
    j["met_when"] = {{"event", g.event}, {"where", where}};
  }
  j["target"] = TargetJson(g);
  return j;
}

json ToJson(const GoalReport& r) {
  json j;
  j["journey"] = r.journey;
  j["version"] = r.version;
  j["goal"] = ToJson(r.goal);
  j["listening_window_ms"] = r.listening_window;
  j["from"] = r.from ? json(FormatIso8601(*r.from)) : json(nullptr);
  j["to"] = r.to ? json(FormatIso8601(*r.to)) : json(nullptr);
  j["entered"] = r.entered;
  j["attained"] = r.attained;
  j["rate"] = r.rate;
  j["rate_interval"] = IntervalJson(r.rate_interval);
  j["target"] = TargetJson(r.goal);
  j["target_progress"] = OrNull(r.target_progress);
  j["holdout"] = {
      {"entered", r.holdout.entered}, {"attained", r.holdout.attained}, {"rate", r.holdout_rate}};
  if (!r.lift) {
    j["lift"] = nullptr;
  } else {
    const GoalLift& l = *r.lift;
    j["lift"] = {{"absolute", l.absolute},
                 {"absolute_interval", IntervalJson(l.absolute_interval)},
                 {"relative", OrNull(l.relative)},
                 {"relative_interval", IntervalJson(l.relative_interval)},
                 {"level", l.level},
                 {"significant", l.significant}};
  }
  json over_time = json::array();
  for (const auto& b : r.over_time) {
    over_time.push_back({{"date", b.date},
                         {"entered", b.entered},
                         {"attained", b.attained},
                         {"cumulative_attained", b.cumulative_attained}});
  }
  j["over_time_unit"] = r.over_time_unit;
  j["over_time"] = std::move(over_time);
  json variants = json::array();
  for (const auto& v : r.by_variant) {
    variants.push_back({{"variant", v.variant},
                        {"entered", v.entered},
                        {"attained", v.attained},
                        {"rate", v.rate},
                        {"rate_interval", IntervalJson(v.rate_interval)}});
  }
  j["by_variant"] = std::move(variants);
  json channels = json::array();
  for (const auto& c : r.by_channel) {
    channels.push_back({{"channel", c.channel}, {"attained", c.attained}, {"share", c.share}});
  }
  j["by_channel"] = std::move(channels);
  json segments = json::array();
  for (const auto& s : r.by_segment) {
    segments.push_back({{"segment", s.segment},
                        {"entered", s.entered},
                        {"attained", s.attained},
                        {"rate", s.rate}});
  }
  j["by_segment"] = std::move(segments);
  json buckets = json::array();
  for (const auto& b : r.time_to_goal.histogram) {
    buckets.push_back({{"label", b.label},
                       {"from_ms", b.from_ms},
                       {"to_ms", OrNull(b.to_ms)},
                       {"count", b.count}});
  }
  j["time_to_goal"] = {{"samples", r.time_to_goal.samples},
                       {"histogram", std::move(buckets)},
                       {"median_ms", OrNull(r.time_to_goal.median_ms)},
                       {"p90_ms", OrNull(r.time_to_goal.p90_ms)},
                       {"mean_ms", OrNull(r.time_to_goal.mean_ms)}};
  if (r.retention) j["retention"] = ToJson(*r.retention);
  return j;
}

json ToJson(const GoalPeople& people) {
  json rows = json::array();
  for (const GoalPerson& p : people.people) {
    rows.push_back({{"profile", p.profile},
                    {"attained_at", FormatIso8601(p.attained_at)},
                    {"entry", p.entry},
                    {"entered_at", FormatIso8601(p.entered_at)},
                    {"hit_event", p.hit_event},
                    {"channel", p.channel},
                    {"variant", p.variant},
                    {"holdout", p.holdout}});
  }
  return json{{"journey", people.journey}, {"people", rows}, {"count", rows.size()}};
}

}  // namespace signpost::wire
