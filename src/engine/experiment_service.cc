// ExperimentService: split-step reports, holdout lift and money, each computed from the stored
// events of the journey's entered profiles (the rules are in experiment_service.h).
#include "engine/experiment_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analytics/funnel_definition.h"
#include "base/system_events.h"
#include "base/time.h"
#include "delivery/definitions.h"
#include "engine/engine_channels.h"
#include "experiments/experiment.h"
#include "experiments/experiment_lift.h"
#include "experiments/experiment_money.h"
#include "experiments/split_tally.h"
#include "goals/goal_definition.h"
#include "rules/json_match.h"

namespace signpost::engine {

using nlohmann::json;
namespace se = system_events;

namespace {

// What the helpers below read: the service's own references.
struct Deps {
  const store::Store* st;
  const identity::ProfileStore* profiles;
  const GoalService* goals;
  const Clock* clock;
  const store::Store& store() const { return *st; }
};

// ---- what a report reads ---------------------------------------------------------------------

// A journey as the reports need it, copied under the journeys mutex.
struct JourneySnapshot {
  std::shared_ptr<const journeys::JourneyDefinition> def;  // the latest version
  std::vector<goals::JourneyGoal> goals;      // every journey's goal (credits are joint)
  std::optional<goals::GoalDefinition> goal;  // this journey's, if any
  std::vector<ProfileId> profiles;            // everyone who ever entered
};

Result<JourneySnapshot> SnapshotLocked(const JourneyService& j, std::string_view journey)
    REQUIRES(j.mu()) {
  const JourneyId id(journey);
  JourneySnapshot s;
  s.def = j.runtime().Definition(id, 0);
  if (!s.def)
    return Status::NotFound(
        fmt::format("journey '{}' does not exist; apply a `kind: journey` first", id));
  for (const auto& [gid, g] : j.goals()) {
    s.goals.push_back(g);
    if (gid == id) s.goal = g.goal;
  }
  s.profiles = j.runtime().ProfilesIn(id);
  return s;
}

Result<JourneySnapshot> Snapshot(const JourneyService& j, std::string_view journey) {
  MutexLock lock(j.mu());
  return SnapshotLocked(j, journey);
}

// One entered profile: its track events by (timestamp, seq), its entries of this journey, its
// credit for this journey's goal.
struct ProfileFacts {
  std::vector<Event> events;
  std::vector<goals::EntryRecord> entries;  // of this journey, by entry time; never empty
  std::optional<goals::Credit> credit;
  bool holdout() const { return entries.front().holdout; }  // stable per (profile, journey)
  TimeMs entered_at() const { return entries.front().entered_at; }
};

// The facts of one profile in `journey`; nullopt when it has no entry there (merged away: its
// entries live on the surviving profile).
Result<std::optional<ProfileFacts>> FactsOf(const Deps& m, ProfileId p, std::string_view journey,
                                            const std::vector<goals::JourneyGoal>& goals) {
  SP_ASSIGN_OR_RETURN(engine::ProfileAttribution a,
                      m.goals->AttributeStored(p, goals, nullptr, true));
  ProfileFacts f;
  for (auto& e : a.entries) {
    if (e.journey == journey) f.entries.push_back(std::move(e));
  }
  if (f.entries.empty()) return std::optional<ProfileFacts>();
  for (auto& c : a.credits) {
    if (c.journey == journey) f.credit = std::move(c);
  }
  SP_ASSIGN_OR_RETURN(f.events, m.store().EventsOf(m.profiles->IdentitiesOf(p), 0));
  std::erase_if(f.events, [](const Event& e) { return e.type != EventType::kTrack; });
  std::stable_sort(f.events.begin(), f.events.end(), [](const Event& a, const Event& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
  });
  return std::optional<ProfileFacts>(std::move(f));
}

Result<std::vector<ProfileFacts>> Gather(const Deps& m, std::string_view journey,
                                         const JourneySnapshot& s) {
  std::vector<ProfileFacts> out;
  out.reserve(s.profiles.size());
  for (ProfileId p : s.profiles) {
    SP_ASSIGN_OR_RETURN(std::optional<ProfileFacts> f, FactsOf(m, p, journey, s.goals));
    if (f) out.push_back(std::move(*f));
  }
  return out;
}

// The properties of a system event of `journey`; null when the event is of another journey.
json JourneyProps(const Event& e, std::string_view journey) {
  json p = json::parse(e.properties, nullptr, false);
  if (!p.is_object() || p.value(std::string(se::kPropJourney), "") != journey) return nullptr;
  return p;
}

json IntervalJson(const experiments::stats::Interval& i) {
  auto side = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  return json::array({side(i.low), side(i.high)});
}

json LiftJson(const experiments::Lift& l) {
  return {{"treated_rate", l.treated_rate},
          {"holdout_rate", l.holdout_rate},
          {"absolute", l.absolute},
          {"absolute_interval", IntervalJson(l.absolute_interval)},
          {"relative", l.relative ? json(*l.relative) : json(nullptr)},
          {"relative_interval", IntervalJson(l.relative_interval)},
          {"significant", l.absolute_interval.low > 0 || l.absolute_interval.high < 0}};
}

// ---- splits
// --------------------------------------------------------------------------------------

// The profile's assignment at split `step` (its first, outside the holdout), nullopt when it has
// none. Converted: `goal` — its credit is through an entry assigned at this step; `opens` /
// `clicks` — a Message Opened or Clicked (clicks: Clicked only; a click implies the open) of this
// journey and of an assigned entry, for a message sent at or after that entry's assignment.
std::optional<experiments::SplitEntry> AssignmentOf(const ProfileFacts& f, std::string_view journey,
                                                    const journeys::Step& step) {
  std::map<int64_t, TimeMs> assigned;  // entry -> assignment time (non-holdout entries)
  std::map<std::string, TimeMs> sent;  // message key -> sent time
  std::optional<experiments::SplitEntry> a;
  auto holdout_entry = [&f](int64_t entry) {
    for (const auto& e : f.entries)
      if (e.entry == entry) return e.holdout;
    return true;  // an entry we do not know is not counted
  };
  for (const Event& e : f.events) {
    if (e.event == se::kExperimentAssigned) {
      json p = JourneyProps(e, journey);
      if (p.is_null() || p.value("step", "") != step.id) continue;
      int64_t entry = p.value(std::string(se::kPropEntry), int64_t{0});
      if (holdout_entry(entry) || assigned.count(entry)) continue;
      auto v = std::find_if(
          step.variants.begin(), step.variants.end(),
          [&p](const journeys::SplitVariant& sv) { return sv.id == p.value("variant", ""); });
      if (v == step.variants.end()) continue;  // a variant of an older version
      assigned[entry] = e.timestamp;
      if (!a)
        a = experiments::SplitEntry{static_cast<size_t>(v - step.variants.begin()), e.timestamp,
                                    std::nullopt};
    } else if (e.event == se::kMessageSent && step.split_metric != "goal") {
      if (json p = JourneyProps(e, journey); !p.is_null()) sent[p.value("key", "")] = e.timestamp;
    } else if ((e.event == se::kMessageClicked ||
                (e.event == se::kMessageOpened && step.split_metric == "opens")) &&
               step.split_metric != "goal" && a && !a->converted_at) {
      json p = JourneyProps(e, journey);
      if (p.is_null()) continue;
      auto entry = assigned.find(p.value(std::string(se::kPropEntry), int64_t{0}));
      if (entry == assigned.end()) continue;
      auto s = sent.find(p.value("key", ""));
      if ((s != sent.end() ? s->second : e.timestamp) >= entry->second)
        a->converted_at = e.timestamp;
    }
  }
  if (a && step.split_metric == "goal" && f.credit && assigned.count(f.credit->entry)) {
    a->converted_at = f.credit->hit_at;
  }
  return a;
}

// The report of one split step at the clock's now, with the decision fixed at the first daily look
// that ended the test (experiments::SplitTally, the rules SplitWinner decides by).
struct SplitResult {
  experiments::ExperimentReport report;
  std::optional<TimeMs> started, decided_at;
};

Result<SplitResult> EvaluateSplit(const Deps& m, std::string_view journey,
                                  const journeys::Step& step,
                                  const std::vector<ProfileFacts>& facts) {
  std::vector<std::string> ids;
  for (const auto& v : step.variants) ids.push_back(v.id);
  experiments::SplitTally tally(std::move(ids), step.split_end);
  for (const auto& f : facts) {
    if (auto a = AssignmentOf(f, journey, step)) tally.Add(*a);
  }
  SplitResult r;
  r.started = tally.started();
  const TimeMs now = m.clock->NowMs();
  SP_ASSIGN_OR_RETURN(experiments::SplitDecision decided, tally.Decide(now));
  experiments::ExperimentPolicy policy;
  policy.ends_at = step.split_end;
  SP_ASSIGN_OR_RETURN(
      r.report, experiments::Evaluate(tally.CountsAt(now), policy, r.started.value_or(now), now));
  r.report.decision = decided.decision;
  r.report.winner = decided.winner;
  r.report.assign_to = decided.assign_to;
  r.decided_at = decided.decided_at;
  return r;
}

json SplitJson(std::string_view journey, const journeys::Step& step, const SplitResult& r,
               bool has_goal) {
  const auto& rep = r.report;
  json variants = json::array();
  for (size_t i = 0; i < rep.variants.size(); ++i) {
    const auto& v = rep.variants[i];
    variants.push_back({{"id", v.id},
                        {"weight", step.variants[i].weight},
                        {"entered", v.entered},
                        {"converted", v.converted},
                        {"rate", v.rate},
                        {"interval", IntervalJson(v.interval)},
                        {"prob_best", v.probability_best},
                        {"lift", v.rate - rep.variants[0].rate},
                        {"difference_interval", IntervalJson(v.difference)},
                        {"relative_lift_interval", IntervalJson(v.relative_lift)},
                        {"p_value", v.p_value},
                        {"significant", v.significant}});
  }
  json warnings = rep.warnings;
  if (step.split_metric == "goal" && !has_goal)
    warnings.push_back(
        "the journey has no goal, so nothing converts; add a `goal:` block or use metric: opens");
  auto id = [&rep](const std::optional<size_t>& i) {
    return i ? json(rep.variants[*i].id) : json(nullptr);
  };
  return {{"journey", journey},
          {"step", step.id},
          {"metric", step.split_metric},
          {"state", experiments::DecisionName(rep.decision)},
          {"winner", id(rep.winner)},
          {"assign_to", id(rep.assign_to)},
          {"default", step.variants.front().id},
          {"started_at", r.started ? json(FormatIso8601(*r.started)) : json(nullptr)},
          {"decided_at", r.decided_at ? json(FormatIso8601(*r.decided_at)) : json(nullptr)},
          {"ends_at", step.split_end ? json(FormatIso8601(*step.split_end)) : json(nullptr)},
          {"minimum_sample_met", rep.minimum_sample_met},
          {"alpha_per_comparison", rep.alpha_per_comparison},
          {"variants", variants},
          {"warnings", warnings}};
}

const journeys::Step* SplitStep(const journeys::JourneyDefinition& def, std::string_view step) {
  for (const auto& s : def.steps)
    if (s.id == step && s.kind == journeys::StepKind::kSplit) return &s;
  return nullptr;
}

// ---- channel optimization
// ----------------------------------------------------------------------

const journeys::Step* AutoStep(const journeys::JourneyDefinition& def, std::string_view step) {
  for (const auto& s : def.steps)
    if (s.id == step && s.kind == journeys::StepKind::kMessage &&
        s.channel == journeys::kAutoChannel)
      return &s;
  return nullptr;
}

json ArmJson(const experiments::ArmCounts& a) {
  const double rate =
      a.sent == 0 ? 0.0 : static_cast<double>(a.converted) / static_cast<double>(a.sent);
  return {{"sent", a.sent},
          {"converted", a.converted},
          {"rate", rate},
          {"interval", IntervalJson(experiments::stats::Wilson(a.converted, a.sent))}};
}

// Rates per channel (every candidate, in the order written, then any other channel sent on by an
// older version), control and optimized, and the lift of optimized over control.
json BanditJson(const journeys::Step& step, const experiments::BanditReport& r) {
  json channels = json::array();
  auto row = [&r](const std::string& channel) {
    experiments::ArmCounts counts;
    for (const auto& c : r.channels)
      if (c.channel == channel) counts = c.counts;
    json out = ArmJson(counts);
    out["channel"] = channel;
    return out;
  };
  std::set<std::string> listed;
  for (const auto& [channel, template_id] : step.auto_templates) {
    json c = row(channel);
    c["template"] = template_id;
    c["default"] = channel == step.default_channel;
    channels.push_back(std::move(c));
    listed.insert(channel);
  }
  for (const auto& c : r.channels)
    if (!listed.count(c.channel)) channels.push_back(row(c.channel));
  return {{"channels", channels},
          {"control", ArmJson(r.control)},
          {"optimized", ArmJson(r.optimized)},
          {"lift", LiftJson(r.lift)}};
}

json ChannelJson(std::string_view journey, const journeys::Step& step, const ChannelBandits& sends,
                 bool has_goal) {
  json out = BanditJson(step, sends.Report(JourneyId(journey), step.id));
  out["journey"] = journey;
  out["step"] = step.id;
  out["default"] = step.default_channel;
  out["control_share"] = experiments::BanditOptions{}.control_share;
  out["optimize_by_segment"] = step.optimize_by_segment;
  json segments = json::array();
  for (const SegmentId& segment : sends.Segments(JourneyId(journey), step.id)) {
    json s = BanditJson(step, sends.Report(JourneyId(journey), step.id, segment));
    s["segment"] = segment;
    segments.push_back(std::move(s));
  }
  out["segments"] = segments;
  json warnings = json::array();
  if (!has_goal)
    warnings.push_back(
        "the journey has no goal, so nothing converts and the choice stays random; add a `goal:`");
  if (out["control"]["sent"].get<uint64_t>() < 100)
    warnings.push_back(
        "fewer than 100 control sends: the lift over the control is still very uncertain");
  out["warnings"] = warnings;
  return out;
}

Status NoAutoStep(std::string_view journey, std::string_view step) {
  return Status::NotFound(fmt::format(
      "step '{}' of journey '{}' is not a message with `channel: auto`; GET /api/experiments lists "
      "them under `channels`",
      step, journey));
}

Status NoSplit(std::string_view journey, std::string_view step) {
  return Status::NotFound(fmt::format(
      "step '{}' of journey '{}' is not a split step; GET /api/experiments lists the experiments",
      step, journey));
}

// ---- goal steps
// -----------------------------------------------------------------------------------

// A stored funnel whose steps are events (status steps need trait history the stored events of a
// journey report do not replay). kNotFound / kInvalidArgument naming `funnel`.
Result<analytics::FunnelDefinition> LoadFunnel(const Deps& m, std::string_view id) {
  auto rec = m.store().definitions().Get(store::DefinitionKind::kFunnel, id, 0);
  if (!rec.ok())
    return Status::NotFound(
        fmt::format("funnel: no funnel named '{}'; apply a `kind: funnel`", id));
  SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition def, analytics::ParseFunnelDefinition(rec->body));
  for (size_t i = 0; i < def.steps.size(); ++i) {
    if (def.steps[i].any_of.empty())
      return Status::InvalidArgument(fmt::format(
          "funnel: step {} of '{}' is a status step; goal steps here must be events", i + 1, id));
  }
  def.id = FunnelId(rec->id);
  return def;
}

bool MatchesAny(const std::vector<rules::EventMatcher>& any_of, const Event& e,
                rules::JsonMatcher& jm) {
  for (const auto& mt : any_of) {
    if (mt.event == e.event && jm.Matches(mt.where, {e.properties, e.context, "{}"})) return true;
  }
  return false;
}

// The funnel steps the profile reached in order after its first entry (its events at or after
// entering, each step filled by a later event than the one before; optional steps count as
// required; the funnel's window is not applied — the journey's entry starts the attempt).
int StepsReached(const analytics::FunnelDefinition& funnel, const ProfileFacts& f,
                 rules::JsonMatcher& jm) {
  size_t k = 0;
  for (const Event& e : f.events) {
    if (k == funnel.steps.size()) break;
    if (e.timestamp < f.entered_at() || se::IsReserved(e.event)) continue;
    if (MatchesAny(funnel.steps[k].any_of, e, jm)) ++k;
  }
  return static_cast<int>(k);
}

Result<std::optional<analytics::FunnelDefinition>> QueryFunnel(const Deps& m,
                                                               const std::string& id) {
  if (id.empty()) return std::optional<analytics::FunnelDefinition>();
  SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition def, LoadFunnel(m, id));
  return std::optional<analytics::FunnelDefinition>(std::move(def));
}

// ---- money
// ---------------------------------------------------------------------------------------

// The cost of one message per channel and where each came from: "query" (a `cost.<channel>`
// parameter, which wins) or "channel" (the `cost_per_message` of its `kind: channel`).
struct MessageCosts {
  std::map<std::string, double, std::less<>> per_message;
  std::map<std::string, std::string, std::less<>> source;
};

// The costs of `query` (they win over the channels' own).
MessageCosts QueryCosts(const MoneyQuery& query) {
  MessageCosts costs;
  for (const auto& [channel, cost] : query.costs) {
    costs.per_message[channel] = cost;
    costs.source[channel] = "query";
  }
  return costs;
}

// The `cost_per_message` of channel `id`'s latest `kind: channel` definition; nullopt when the
// channel has none or is not defined (any more).
Result<std::optional<double>> ConfiguredCost(const Deps& m, std::string_view id) {
  auto record = m.store().definitions().Get(store::DefinitionKind::kChannel, id);
  if (!record.ok()) {
    if (record.status().code() == Code::kNotFound) return std::optional<double>();
    return record.status();
  }
  auto def = delivery::ParseChannel(record->body);
  if (!def.ok()) return std::optional<double>();  // stored before a rule changed: no cost then
  return def->cost_per_message;
}

// The revenue property: `revenue` (the default) and other bare names mean `properties.<name>`;
// `properties.x`, `context.x` and `traits.x` are taken as written.
Result<rules::PropertyPath> RevenuePath(const std::string& text) {
  if (text.empty()) return rules::ParsePropertyPath("properties.revenue");
  auto path = rules::ParsePropertyPath(text);
  if (path.ok()) return path;
  return rules::ParsePropertyPath("properties." + text);
}

}  // namespace

// ---- public
// ----------------------------------------------------------------------------------------

ExperimentService::ExperimentService(const store::Store& store,
                                     const identity::ProfileStore& profiles,
                                     const GoalService& goals, const Clock& clock)
    : store_(store), profiles_(profiles), goals_(goals), clock_(clock) {}

Result<std::vector<std::optional<experiments::SplitEntry>>> ExperimentService::SplitEntriesOf(
    ProfileId profile, std::string_view journey, const std::vector<const journeys::Step*>& splits,
    const std::vector<goals::JourneyGoal>& goals) const {
  const Deps m{&store_, &profiles_, &goals_, &clock_};
  std::vector<std::optional<experiments::SplitEntry>> out(splits.size());
  SP_ASSIGN_OR_RETURN(std::optional<ProfileFacts> f, FactsOf(m, profile, journey, goals));
  if (!f) return out;
  for (size_t i = 0; i < splits.size(); ++i) out[i] = AssignmentOf(*f, journey, *splits[i]);
  return out;
}

Result<std::optional<std::string>> ExperimentService::SplitWinner(const JourneyService& j,
                                                                  std::string_view journey,
                                                                  std::string_view step) const {
  std::shared_ptr<const journeys::JourneyDefinition> def =
      j.runtime().Definition(JourneyId(journey), 0);
  if (!def)
    return Status::NotFound(
        fmt::format("journey '{}' does not exist; apply a `kind: journey` first", journey));
  if (!SplitStep(*def, step)) return NoSplit(journey, step);
  return j.splits().Winner(*this, j, JourneyId(journey), def, step);
}

Result<json> ExperimentService::List(const JourneyService& j) const {
  const Deps m{&store_, &profiles_, &goals_, &clock_};
  SP_ASSIGN_OR_RETURN(auto records, m.store().definitions().List(store::DefinitionKind::kJourney));
  json out = json::array(), channels = json::array();
  for (const auto& rec : records) {
    auto s = Snapshot(j, rec.id);
    if (!s.ok()) continue;  // stored but not loaded (does not parse): Journeys() reports it
    bool any =
        std::any_of(s->def->steps.begin(), s->def->steps.end(),
                    [](const journeys::Step& st) { return st.kind == journeys::StepKind::kSplit; });
    if (HasAutoStep(*s->def)) {
      ChannelBandits sends;
      SP_RETURN_IF_ERROR(LoadChannelSends(store_, profiles_, s->profiles, INT64_MAX, &sends));
      for (const auto& st : s->def->steps) {
        if (AutoStep(*s->def, st.id) == &st)
          channels.push_back(ChannelJson(rec.id, st, sends, s->goal.has_value()));
      }
    }
    if (!any) continue;
    SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(m, rec.id, *s));
    for (const auto& st : s->def->steps) {
      if (st.kind != journeys::StepKind::kSplit) continue;
      SP_ASSIGN_OR_RETURN(SplitResult r, EvaluateSplit(m, rec.id, st, facts));
      out.push_back(SplitJson(rec.id, st, r, s->goal.has_value()));
    }
  }
  return json{{"experiments", out}, {"channels", channels}};
}

Result<json> ExperimentService::ChannelReport(const JourneyService& j, std::string_view journey,
                                              std::string_view step) const {
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  const journeys::Step* automatic = AutoStep(*s.def, step);
  if (!automatic) return NoAutoStep(journey, step);
  ChannelBandits sends;
  SP_RETURN_IF_ERROR(LoadChannelSends(store_, profiles_, s.profiles, INT64_MAX, &sends));
  return ChannelJson(journey, *automatic, sends, s.goal.has_value());
}

Result<json> ExperimentService::Report(const JourneyService& j, std::string_view journey,
                                       std::string_view step) const {
  const Deps m{&store_, &profiles_, &goals_, &clock_};
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  const journeys::Step* split = SplitStep(*s.def, step);
  if (!split) return NoSplit(journey, step);
  SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(m, journey, s));
  SP_ASSIGN_OR_RETURN(SplitResult r, EvaluateSplit(m, journey, *split, facts));
  return SplitJson(journey, *split, r, s.goal.has_value());
}

Result<json> ExperimentService::HoldoutLift(const JourneyService& j, std::string_view journey,
                                            const HoldoutLiftQuery& query) const {
  const Deps m{&store_, &profiles_, &goals_, &clock_};
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  SP_ASSIGN_OR_RETURN(auto funnel, QueryFunnel(m, query.funnel));
  SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(m, journey, s));
  experiments::GroupCounts treated, holdout;
  std::vector<experiments::StepReached> steps(funnel ? funnel->steps.size() : 0);
  rules::JsonMatcher jm;
  for (const auto& f : facts) {
    experiments::GroupCounts& g = f.holdout() ? holdout : treated;
    ++g.profiles;
    if (f.credit) ++g.converted;
    if (!funnel) continue;
    int reached = StepsReached(*funnel, f, jm);
    for (int k = 0; k < reached; ++k) ++(f.holdout() ? steps[k].holdout : steps[k].treated);
  }
  SP_ASSIGN_OR_RETURN(experiments::Lift goal, experiments::HoldoutLift(treated, holdout));
  SP_ASSIGN_OR_RETURN(std::vector<experiments::Lift> lifts,
                      experiments::StepLifts(treated.profiles, holdout.profiles, steps));
  json step_rows = json::array();
  for (size_t k = 0; k < lifts.size(); ++k) {
    json row = LiftJson(lifts[k]);
    row["step"] = k + 1;
    row["name"] = funnel->steps[k].name;
    row["treated_reached"] = steps[k].treated;
    row["holdout_reached"] = steps[k].holdout;
    step_rows.push_back(std::move(row));
  }
  json warnings = json::array();
  if (!s.goal)
    warnings.push_back("the journey has no goal: the goal lift is 0 (add a `goal:` block)");
  if (holdout.profiles == 0)
    warnings.push_back(
        "no holdout profiles: set `settings: { holdout: 10% }` in the journey to measure lift");
  return json{{"journey", journey},
              {"funnel", funnel ? json(funnel->id) : json(nullptr)},
              {"level", 0.95},
              {"treated", {{"entered", treated.profiles}, {"attained", treated.converted}}},
              {"holdout", {{"entered", holdout.profiles}, {"attained", holdout.converted}}},
              {"goal", LiftJson(goal)},
              {"steps", step_rows},
              {"warnings", warnings}};
}

Result<json> ExperimentService::Money(const JourneyService& j, std::string_view journey,
                                      const MoneyQuery& query) const {
  const Deps m{&store_, &profiles_, &goals_, &clock_};
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  SP_ASSIGN_OR_RETURN(auto funnel, QueryFunnel(m, query.funnel));
  MessageCosts costs = QueryCosts(query);
  SP_ASSIGN_OR_RETURN(rules::PropertyPath revenue_path, RevenuePath(query.revenue));
  SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(m, journey, s));

  std::map<std::string, uint64_t>
      sent;  // channel -> messages (treated profiles; holdout gets none)
  uint64_t treated = 0, attained = 0;
  std::vector<uint64_t> reached_step(funnel ? funnel->steps.size() : 0);
  std::vector<experiments::ProfileRevenue> revenue;
  const bool event_goal = s.goal && s.goal->met_when == goals::MetWhenKind::kEvent;
  rules::JsonMatcher jm;
  auto amount_of = [&](const Event& e) {
    std::string v = jm.Text(revenue_path, {e.properties, e.context, "{}"}).value_or("");
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    return !v.empty() && end == v.c_str() + v.size() && std::isfinite(x) ? x : 0.0;
  };
  for (const auto& f : facts) {
    if (f.holdout()) continue;
    ++treated;
    if (f.credit) ++attained;
    experiments::ProfileRevenue money;
    for (const Event& e : f.events) {
      if (e.event == se::kMessageSent) {
        if (json p = JourneyProps(e, journey); !p.is_null()) ++sent[p.value("channel", "")];
      } else if (event_goal && e.timestamp >= f.entered_at() &&
                 MatchesAny({s.goal->trigger}, e, jm)) {
        const double x = amount_of(e);
        money.lifetime += x;
        // The credited hit: the event the `Goal Attained` credit names.
        if (f.credit && e.seq == f.credit->hit_seq && e.timestamp == f.credit->hit_at)
          money.revenue = x;
      }
    }
    money.group = f.credit ? "attained" : "not attained";
    if (funnel) {
      int k = StepsReached(*funnel, f, jm);
      for (int i = 0; i < k; ++i) ++reached_step[i];
      money.group = k == 0 ? "0. none" : fmt::format("{}. {}", k, funnel->steps[k - 1].name);
    }
    revenue.push_back(std::move(money));
  }

  std::vector<experiments::ChannelMessages> messages;
  json message_rows = json::array();
  for (const auto& [channel, n] : sent) {
    if (!costs.per_message.count(channel)) {
      SP_ASSIGN_OR_RETURN(std::optional<double> configured, ConfiguredCost(m, channel));
      if (!configured)
        return Status::InvalidArgument(fmt::format(
            "cost.{0}: the journey sent {1} messages on channel '{0}' without a cost; set "
            "`cost_per_message: <amount>` in its `kind: channel` definition, or pass "
            "cost.{0}=<amount per message>",
            channel, n));
      costs.per_message[channel] = *configured;
      costs.source[channel] = "channel";
    }
    const double cost = costs.per_message.at(channel);
    messages.push_back({channel, n});
    message_rows.push_back({{"channel", channel},
                            {"messages", n},
                            {"cost_per_message", cost},
                            {"cost_source", costs.source.at(channel)},
                            {"cost", static_cast<double>(n) * cost}});
  }
  auto per = [&](uint64_t progressed) -> Result<json> {
    SP_ASSIGN_OR_RETURN(experiments::CostReport r,
                        experiments::CostPerProgressed(messages, costs.per_message, progressed));
    return json{{"progressed", progressed},
                {"cost_per_progressed",
                 r.cost_per_progressed ? json(*r.cost_per_progressed) : json(nullptr)}};
  };
  SP_ASSIGN_OR_RETURN(experiments::CostReport total,
                      experiments::CostPerProgressed(messages, costs.per_message, attained));
  SP_ASSIGN_OR_RETURN(json goal_row, per(attained));
  json step_rows = json::array();
  for (size_t k = 0; k < reached_step.size(); ++k) {
    SP_ASSIGN_OR_RETURN(json row, per(reached_step[k]));
    row["step"] = k + 1;
    row["name"] = funnel->steps[k].name;
    step_rows.push_back(std::move(row));
  }
  json groups = json::array();
  for (const auto& g : experiments::RevenueByGroup(revenue)) {
    groups.push_back({{"group", g.group},
                      {"profiles", g.profiles},
                      {"revenue", g.revenue},
                      {"revenue_per_profile", g.per_profile},
                      {"lifetime_revenue", g.lifetime},
                      {"ltv", g.ltv}});
  }
  std::sort(groups.begin(), groups.end(),
            [](const json& a, const json& b) { return a["group"] < b["group"]; });
  json warnings = json::array();
  if (!event_goal)
    warnings.push_back("revenue needs a goal met by an event (goal.met_when.event); it is 0 here");
  std::vector<double> credited, lifetime;
  for (const auto& r : revenue) {
    credited.push_back(r.revenue);
    lifetime.push_back(r.lifetime);
  }
  const double total_revenue = experiments::SumRevenue(credited);
  const double total_lifetime = experiments::SumRevenue(lifetime);
  auto per_treated = [treated](double x) {
    return treated ? x / static_cast<double>(treated) : 0.0;
  };
  return json{{"journey", journey},
              {"funnel", funnel ? json(funnel->id) : json(nullptr)},
              {"costs", costs.per_message},
              {"cost_sources", costs.source},
              {"messages", message_rows},
              {"total_cost", total.total_cost},
              {"treated", treated},
              {"goal", goal_row},
              {"steps", step_rows},
              {"revenue",
               {{"property", revenue_path.text},
                {"total", total_revenue},
                {"profiles", treated},
                {"revenue_per_profile", per_treated(total_revenue)},
                {"lifetime_total", total_lifetime},
                {"ltv", per_treated(total_lifetime)},
                {"by_group", groups}}},
              {"warnings", warnings}};
}

}  // namespace signpost::engine
