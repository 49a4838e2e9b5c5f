// The journeys' typed views written as JSON: the journeys list (with each goal's tile), one
// journey with its step analytics, a change of state, a replay, and the outbox.
#include "base/duration.h"
#include "base/time.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

json ExitsJson(const std::map<std::string, uint64_t>& exits) {
  json out = json::object();
  for (const auto& [reason, n] : exits) out[reason] = n;
  return out;
}

json StepJson(const JourneyStepView& s) {
  json next = json::array();
  for (const JourneyEdge& e : s.next) next.push_back({{"to", e.to}, {"label", e.label}});
  json out = {{"id", s.id},
              {"type", s.type},
              {"inflow", s.inflow},
              {"in_progress", s.in_progress},
              {"passed_on", s.passed_on},
              {"exits", ExitsJson(s.exits)},
              {"next", next}};
  if (s.line) out["line"] = *s.line;
  if (s.channel) {
    out["channel"] = *s.channel;
    out["template"] = s.template_id;
    if (s.templates) {
      json templates = json::object();
      for (const auto& [channel, template_id] : *s.templates) templates[channel] = template_id;
      out["templates"] = templates;
      out["default"] = s.default_channel;
    }
  }
  return out;
}

json TotalsJson(const JourneyTotals& t) {
  json out = {{"entered", t.entered},     {"entered_holdout", t.entered_holdout},
              {"entries", t.entries},     {"in_progress", t.in_progress},
              {"completed", t.completed}, {"exited", t.exited}};
  if (t.erased != 0) out["erased"] = t.erased;  // people erased since they entered (privacy)
  return out;
}

// The headline of a goal report, as the journeys list shows it.
json GoalTile(const GoalReport& report) {
  json r = ToJson(report);
  json tile = {{"type", r["goal"]["type"]}};
  for (const char* k : {"entered", "attained", "rate", "target", "target_progress", "lift"}) {
    tile[k] = r[k];
  }
  return tile;
}

}  // namespace

json ToJson(const std::vector<JourneyStepView>& steps) {
  json out = json::array();
  for (const JourneyStepView& s : steps) out.push_back(StepJson(s));
  return out;
}

json ToJson(const JourneyList& list) {
  json out = json::array();
  for (const JourneyRow& r : list.journeys) {
    json row = {{"id", r.id},
                {"version", r.version},
                {"state", r.state},
                {"entered", r.entered},
                {"in_progress", r.in_progress},
                {"name", r.name},
                {"goal", r.goal ? GoalTile(*r.goal) : json(nullptr)}};
    if (r.live_version) row["live_version"] = *r.live_version;
    if (r.completed) row["completed"] = *r.completed;
    out.push_back(std::move(row));
  }
  return json{{"journeys", out}};
}

json ToJson(const JourneyView& j) {
  json versions = json::array();
  for (const auto& v : j.versions)
    versions.push_back({{"version", v.version}, {"note", v.note}, {"at", FormatIso8601(v.at)}});
  json entry = {{"reentry", j.entry.reentry}};
  if (j.entry.event) {
    entry["event"] = *j.entry.event;
  } else if (const auto& fs = j.entry.funnel_step) {
    entry["funnel_step"] = {{"funnel", fs->funnel},
                            {"step", fs->step},
                            {"on", fs->stalled ? "stalled" : "reached"},
                            {"after", FormatDuration(fs->after)},
                            {"after_ms", fs->after}};
  } else {
    entry["segment"] = j.entry.segment;
    entry["join_later"] = j.entry.join_later;
  }
  json out = {{"id", j.id},
              {"name", j.name},
              {"state", j.state},
              {"version", j.version},
              {"live_version", j.live_version},
              {"versions", versions},
              {"entry", entry},
              {"exclude", j.exclude},
              {"suppress", j.suppress},
              {"listening_window", j.listening_window / 1000},
              {"holdout_percent", j.holdout_percent},
              {"steps", ToJson(j.steps)},
              {"totals", TotalsJson(j.totals)},
              {"goal", j.goal ? ToJson(*j.goal) : json(nullptr)}};
  if (j.start) out["start"] = FormatIso8601(*j.start);
  if (j.end) out["end"] = FormatIso8601(*j.end);
  if (j.live_since) out["live_since"] = FormatIso8601(*j.live_since);
  return out;
}

json ToJson(const JourneyStateChange& c) {
  return {
      {"id", c.id}, {"state", c.state}, {"version", c.version}, {"since", FormatIso8601(c.since)}};
}

json ToJson(const ReplayReport& r) {
  json sample = json::array();
  for (const ReplayMessage& m : r.sample) {
    sample.push_back({{"key", m.key},
                      {"to", m.to},
                      {"channel", m.channel},
                      {"step", m.step},
                      {"template", m.template_id},
                      {"at", FormatIso8601(m.at)}});
  }
  json out = {{"journey", r.journey},
              {"version", r.version},
              {"from", FormatIso8601(r.from)},
              {"to", FormatIso8601(r.to)},
              {"events_read", r.events_read},
              {"events_used", r.events_used},
              {"steps", ToJson(r.steps)},
              {"totals", TotalsJson(r.totals)},
              {"messages",
               {{"would_send", r.would_send},
                {"by_channel", r.by_channel},
                {"by_step", r.by_step},
                {"sample", sample}}}};
  if (r.goal) out["goal"] = ToJson(*r.goal);
  return out;
}

json ToJson(const OutboxMessageView& m) {
  json j = {{"key", m.key},
            {"journey", m.journey},
            {"version", m.version},
            {"entry", m.entry},
            {"step", m.step},
            {"channel", m.channel},
            {"template", m.template_id},
            {"identity", m.identity},
            {"to", m.to},
            {"state", OutboxStateName(m.state)},
            {"attempts", m.attempts},
            {"enqueued_at", FormatIso8601(m.enqueued_at)},
            {"updated_at", FormatIso8601(m.updated_at)},
            {"last_error", m.last_error}};
  if (m.state == OutboxState::kPending) j["next_attempt_at"] = FormatIso8601(m.next_attempt_at);
  if (m.state == OutboxState::kFailed) j["permanent"] = m.permanent;
  return j;
}

json ToJson(const OutboxView& outbox) {
  json out = json::array();
  for (const OutboxMessageView& m : outbox.messages) out.push_back(ToJson(m));
  return json{{"messages", out}};
}

}  // namespace signpost::wire
