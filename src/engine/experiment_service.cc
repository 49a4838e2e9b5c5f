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

// The properties of a system event of `journey`; null when the event is of another journey.
json JourneyProps(const Event& e, std::string_view journey) {
  json p = json::parse(e.properties, nullptr, false);
  if (!p.is_object() || p.value(std::string(se::kPropJourney), "") != journey) return nullptr;
  return p;
}

const journeys::Step* SplitStep(const journeys::JourneyDefinition& def, std::string_view step) {
  for (const auto& s : def.steps)
    if (s.id == step && s.kind == journeys::StepKind::kSplit) return &s;
  return nullptr;
}

// ---- channel optimization -----------------------------------------------------------------------

const journeys::Step* AutoStep(const journeys::JourneyDefinition& def, std::string_view step) {
  for (const auto& s : def.steps)
    if (s.id == step && s.kind == journeys::StepKind::kMessage &&
        s.channel == journeys::kAutoChannel)
      return &s;
  return nullptr;
}

ArmRate ArmRateOf(const experiments::ArmCounts& a) {
  const double rate =
      a.sent == 0 ? 0.0 : static_cast<double>(a.converted) / static_cast<double>(a.sent);
  return {a, rate, experiments::stats::Wilson(a.converted, a.sent)};
}

// Rates per channel (every candidate, in the order written, then any other channel sent on by an
// older version), control and optimized, and the lift of optimized over control.
ChannelBreakdown BreakdownOf(const journeys::Step& step, const experiments::BanditReport& r) {
  ChannelBreakdown out;
  auto row = [&r](const std::string& channel) {
    experiments::ArmCounts counts;
    for (const auto& c : r.channels)
      if (c.channel == channel) counts = c.counts;
    return ChannelBreakdown::Channel{channel, ArmRateOf(counts), std::nullopt, false};
  };
  std::set<std::string> listed;
  for (const auto& [channel, template_id] : step.auto_templates) {
    ChannelBreakdown::Channel c = row(channel);
    c.template_id = template_id;
    c.is_default = channel == step.default_channel;
    out.channels.push_back(std::move(c));
    listed.insert(channel);
  }
  for (const auto& c : r.channels)
    if (!listed.count(c.channel)) out.channels.push_back(row(c.channel));
  out.control = ArmRateOf(r.control);
  out.optimized = ArmRateOf(r.optimized);
  out.lift = r.lift;
  return out;
}

ChannelStepReport ChannelReportOf(const JourneyId& journey, const journeys::Step& step,
                                  const ChannelBandits& sends, bool has_goal) {
  ChannelStepReport out;
  out.journey = journey;
  out.step = step.id;
  out.default_channel = step.default_channel;
  out.control_share = experiments::BanditOptions{}.control_share;
  out.optimize_by_segment = step.optimize_by_segment;
  out.all = BreakdownOf(step, sends.Report(journey, step.id));
  for (const SegmentId& segment : sends.Segments(journey, step.id))
    out.segments.push_back({segment, BreakdownOf(step, sends.Report(journey, step.id, segment))});
  if (!has_goal)
    out.warnings.push_back(
        "the journey has no goal, so nothing converts and the choice stays random; add a `goal:`");
  if (out.all.control.counts.sent < 100)
    out.warnings.push_back(
        "fewer than 100 control sends: the lift over the control is still very uncertain");
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

// ---- money --------------------------------------------------------------------------------------

// The cost of one message per channel and where each came from: "query" (a `cost.<channel>`
// parameter, which wins) or "channel" (the `cost_per_message` of its `kind: channel`).
struct MessageCosts {
  std::map<std::string, double, std::less<>> per_message;
  std::map<std::string, MoneyReport::CostSource, std::less<>> source;
};

// The costs of `query` (they win over the channels' own).
MessageCosts QueryCosts(const MoneyQuery& query) {
  MessageCosts costs;
  for (const auto& [channel, cost] : query.costs) {
    costs.per_message[channel] = cost;
    costs.source[channel] = MoneyReport::CostSource::kQuery;
  }
  return costs;
}

// The revenue property: `revenue` (the default) and other bare names mean `properties.<name>`;
// `properties.x`, `context.x` and `traits.x` are taken as written.
Result<rules::PropertyPath> RevenuePath(const std::string& text) {
  if (text.empty()) return rules::ParsePropertyPath("properties.revenue");
  auto path = rules::ParsePropertyPath(text);
  if (path.ok()) return path;
  return rules::ParsePropertyPath("properties." + text);
}

bool MatchesAny(const std::vector<rules::EventMatcher>& any_of, const Event& e,
                rules::JsonMatcher& jm) {
  for (const auto& mt : any_of) {
    if (mt.event == e.event && jm.Matches(mt.where, {e.properties, e.context, "{}"})) return true;
  }
  return false;
}

}  // namespace

// ---- what a report reads ------------------------------------------------------------------------

// A journey as the reports need it, copied under the journeys mutex.
struct ExperimentService::JourneySnapshot {
  std::shared_ptr<const journeys::JourneyDefinition> def;  // the latest version
  std::vector<goals::JourneyGoal> goals;      // every journey's goal (credits are joint)
  std::optional<goals::GoalDefinition> goal;  // this journey's, if any
  std::vector<ProfileId> profiles;            // everyone who ever entered
};

Result<ExperimentService::JourneySnapshot> ExperimentService::Snapshot(const JourneyService& j,
                                                                       std::string_view journey) {
  MutexLock lock(j.mu());
  const JourneyId id(journey);
  JourneySnapshot s;
  s.def = j.catalog().Definition(id, 0);
  if (!s.def)
    return Status::NotFound(
        fmt::format("journey '{}' does not exist; apply a `kind: journey` first", id));
  for (const auto& [gid, g] : j.goals()) {
    s.goals.push_back(g);
    if (gid == id) s.goal = g.goal;
  }
  s.profiles = j.catalog().ProfilesIn(id);
  return s;
}

// One entered profile: its track events by (timestamp, seq), its entries of this journey, its
// credit for this journey's goal.
struct ExperimentService::ProfileFacts {
  std::vector<Event> events;
  std::vector<goals::EntryRecord> entries;  // of this journey, by entry time; never empty
  std::optional<goals::Credit> credit;
  bool holdout() const { return entries.front().holdout; }  // stable per (profile, journey)
  TimeMs entered_at() const { return entries.front().entered_at; }
};

// The facts of one profile in `journey`; nullopt when it has no entry there (merged away: its
// entries live on the surviving profile).
Result<std::optional<ExperimentService::ProfileFacts>> ExperimentService::FactsOf(
    ProfileId p, std::string_view journey, const std::vector<goals::JourneyGoal>& goals) const {
  SP_ASSIGN_OR_RETURN(engine::ProfileAttribution a,
                      goals_.AttributeStored(p, goals, nullptr, true));
  ProfileFacts f;
  for (auto& e : a.entries) {
    if (e.journey == journey) f.entries.push_back(std::move(e));
  }
  if (f.entries.empty()) return std::optional<ProfileFacts>();
  for (auto& c : a.credits) {
    if (c.journey == journey) f.credit = std::move(c);
  }
  SP_ASSIGN_OR_RETURN(f.events, store_.EventsOf(profiles_.IdentitiesOf(p), 0));
  std::erase_if(f.events, [](const Event& e) { return e.type != EventType::kTrack; });
  std::stable_sort(f.events.begin(), f.events.end(), [](const Event& a, const Event& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
  });
  return std::optional<ProfileFacts>(std::move(f));
}

Result<std::vector<ExperimentService::ProfileFacts>> ExperimentService::Gather(
    std::string_view journey, const JourneySnapshot& s) const {
  std::vector<ProfileFacts> out;
  out.reserve(s.profiles.size());
  for (ProfileId p : s.profiles) {
    SP_ASSIGN_OR_RETURN(std::optional<ProfileFacts> f, FactsOf(p, journey, s.goals));
    if (f) out.push_back(std::move(*f));
  }
  return out;
}

// ---- splits -------------------------------------------------------------------------------------

// The profile's assignment at split `step` (its first, outside the holdout), nullopt when it has
// none. Converted: `goal` — its credit is through an entry assigned at this step; `opens` /
// `clicks` — a Message Opened or Clicked (clicks: Clicked only; a click implies the open) of this
// journey and of an assigned entry, for a message sent at or after that entry's assignment.
std::optional<experiments::SplitEntry> ExperimentService::AssignmentOf(const ProfileFacts& f,
                                                                       std::string_view journey,
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
Result<SplitReport> ExperimentService::SplitReportOf(std::string_view journey,
                                                     const journeys::Step& step,
                                                     const std::vector<ProfileFacts>& facts,
                                                     bool has_goal) const {
  std::vector<std::string> ids;
  for (const auto& v : step.variants) ids.push_back(v.id);
  experiments::SplitTally tally(std::move(ids), step.split_end);
  for (const auto& f : facts) {
    if (auto a = AssignmentOf(f, journey, step)) tally.Add(*a);
  }
  const std::optional<TimeMs> started = tally.started();
  const TimeMs now = clock_.NowMs();
  SP_ASSIGN_OR_RETURN(experiments::SplitDecision decided, tally.Decide(now));
  experiments::ExperimentPolicy policy;
  policy.ends_at = step.split_end;
  SP_ASSIGN_OR_RETURN(
      experiments::ExperimentReport rep,
      experiments::Evaluate(tally.CountsAt(now), policy, started.value_or(now), now));
  auto id = [&rep](const std::optional<size_t>& i) {
    return i ? std::optional<std::string>(rep.variants[*i].id) : std::nullopt;
  };
  SplitReport out;
  out.journey = JourneyId(journey);
  out.step = step.id;
  out.metric = step.split_metric;
  out.state = decided.decision;
  out.winner = id(decided.winner);
  out.assign_to = id(decided.assign_to);
  out.default_variant = step.variants.front().id;
  out.started_at = started;
  out.decided_at = decided.decided_at;
  out.ends_at = step.split_end;
  out.minimum_sample_met = rep.minimum_sample_met;
  out.alpha_per_comparison = rep.alpha_per_comparison;
  for (size_t i = 0; i < rep.variants.size(); ++i) {
    out.variants.push_back(
        {rep.variants[i], step.variants[i].weight, rep.variants[i].rate - rep.variants[0].rate});
  }
  out.warnings = std::move(rep.warnings);
  if (step.split_metric == "goal" && !has_goal)
    out.warnings.push_back(
        "the journey has no goal, so nothing converts; add a `goal:` block or use metric: opens");
  return out;
}

// ---- goal steps ---------------------------------------------------------------------------------

// A stored funnel whose steps are events (status steps need trait history the stored events of a
// journey report do not replay). kNotFound / kInvalidArgument naming `funnel`.
Result<analytics::FunnelDefinition> ExperimentService::LoadFunnel(const FunnelId& id) const {
  auto rec = store_.definitions().Get(store::DefinitionKind::kFunnel, id.value(), 0);
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

// The funnel steps the profile reached in order after its first entry (its events at or after
// entering, each step filled by a later event than the one before; optional steps count as
// required; the funnel's window is not applied — the journey's entry starts the attempt).
int ExperimentService::StepsReached(const analytics::FunnelDefinition& funnel,
                                    const ProfileFacts& f, rules::JsonMatcher& jm) {
  size_t k = 0;
  for (const Event& e : f.events) {
    if (k == funnel.steps.size()) break;
    if (e.timestamp < f.entered_at() || se::IsReserved(e.event)) continue;
    if (MatchesAny(funnel.steps[k].any_of, e, jm)) ++k;
  }
  return static_cast<int>(k);
}

Result<std::optional<analytics::FunnelDefinition>> ExperimentService::QueryFunnel(
    const FunnelId& id) const {
  if (id.empty()) return std::optional<analytics::FunnelDefinition>();
  SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition def, LoadFunnel(id));
  return std::optional<analytics::FunnelDefinition>(std::move(def));
}

// The `cost_per_message` of channel `id`'s latest `kind: channel` definition; nullopt when the
// channel has none or is not defined (any more).
Result<std::optional<double>> ExperimentService::ConfiguredCost(std::string_view id) const {
  auto record = store_.definitions().Get(store::DefinitionKind::kChannel, id);
  if (!record.ok()) {
    if (record.status().code() == Code::kNotFound) return std::optional<double>();
    return record.status();
  }
  auto def = delivery::ParseChannel(record->body);
  if (!def.ok()) return std::optional<double>();  // stored before a rule changed: no cost then
  return def->cost_per_message;
}

// ---- public -------------------------------------------------------------------------------------

ExperimentService::ExperimentService(const store::Store& store,
                                     const identity::ProfileStore& profiles,
                                     const GoalService& goals, const ChannelService& channels,
                                     const Clock& clock)
    : store_(store), profiles_(profiles), goals_(goals), channels_(channels), clock_(clock) {}

Result<std::vector<std::optional<experiments::SplitEntry>>> ExperimentService::SplitEntriesOf(
    ProfileId profile, std::string_view journey, const std::vector<const journeys::Step*>& splits,
    const std::vector<goals::JourneyGoal>& goals) const {
  std::vector<std::optional<experiments::SplitEntry>> out(splits.size());
  SP_ASSIGN_OR_RETURN(std::optional<ProfileFacts> f, FactsOf(profile, journey, goals));
  if (!f) return out;
  for (size_t i = 0; i < splits.size(); ++i) out[i] = AssignmentOf(*f, journey, *splits[i]);
  return out;
}

Result<std::optional<std::string>> ExperimentService::SplitWinner(const JourneyService& j,
                                                                  std::string_view journey,
                                                                  std::string_view step) const {
  std::shared_ptr<const journeys::JourneyDefinition> def =
      j.catalog().Definition(JourneyId(journey), 0);
  if (!def)
    return Status::NotFound(
        fmt::format("journey '{}' does not exist; apply a `kind: journey` first", journey));
  if (!SplitStep(*def, step)) return NoSplit(journey, step);
  return j.splits().Winner(*this, j, JourneyId(journey), def, step);
}

Result<ExperimentList> ExperimentService::List(const JourneyService& j) const {
  SP_ASSIGN_OR_RETURN(auto records, store_.definitions().List(store::DefinitionKind::kJourney));
  ExperimentList out;
  for (const auto& rec : records) {
    auto s = Snapshot(j, rec.id);
    if (!s.ok()) continue;  // stored but not loaded (does not parse): Journeys() reports it
    bool any =
        std::any_of(s->def->steps.begin(), s->def->steps.end(),
                    [](const journeys::Step& st) { return st.kind == journeys::StepKind::kSplit; });
    if (ChannelService::HasAutoStep(*s->def)) {
      SP_ASSIGN_OR_RETURN(ChannelBandits sends, channels_.Stored(s->profiles, INT64_MAX));
      for (const auto& st : s->def->steps) {
        if (AutoStep(*s->def, st.id) == &st)
          out.channels.push_back(
              ChannelReportOf(JourneyId(rec.id), st, sends, s->goal.has_value()));
      }
    }
    if (!any) continue;
    SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(rec.id, *s));
    for (const auto& st : s->def->steps) {
      if (st.kind != journeys::StepKind::kSplit) continue;
      SP_ASSIGN_OR_RETURN(SplitReport r, SplitReportOf(rec.id, st, facts, s->goal.has_value()));
      out.experiments.push_back(std::move(r));
    }
  }
  return out;
}

Result<ChannelStepReport> ExperimentService::ChannelReport(const JourneyService& j,
                                                           std::string_view journey,
                                                           std::string_view step) const {
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  const journeys::Step* automatic = AutoStep(*s.def, step);
  if (!automatic) return NoAutoStep(journey, step);
  SP_ASSIGN_OR_RETURN(ChannelBandits sends, channels_.Stored(s.profiles, INT64_MAX));
  return ChannelReportOf(JourneyId(journey), *automatic, sends, s.goal.has_value());
}

Result<SplitReport> ExperimentService::Report(const JourneyService& j, std::string_view journey,
                                              std::string_view step) const {
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  const journeys::Step* split = SplitStep(*s.def, step);
  if (!split) return NoSplit(journey, step);
  SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(journey, s));
  return SplitReportOf(journey, *split, facts, s.goal.has_value());
}

Result<HoldoutLiftReport> ExperimentService::HoldoutLift(const JourneyService& j,
                                                         std::string_view journey,
                                                         const HoldoutLiftQuery& query) const {
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  SP_ASSIGN_OR_RETURN(auto funnel, QueryFunnel(query.funnel));
  SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(journey, s));
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
  HoldoutLiftReport out;
  out.journey = JourneyId(journey);
  if (funnel) out.funnel = FunnelId(funnel->id);
  out.treated = {treated.profiles, treated.converted};
  out.holdout = {holdout.profiles, holdout.converted};
  out.goal = goal;
  for (size_t k = 0; k < lifts.size(); ++k) {
    out.steps.push_back({static_cast<int>(k + 1), funnel->steps[k].name, steps[k].treated,
                         steps[k].holdout, lifts[k]});
  }
  if (!s.goal)
    out.warnings.push_back("the journey has no goal: the goal lift is 0 (add a `goal:` block)");
  if (holdout.profiles == 0)
    out.warnings.push_back(
        "no holdout profiles: set `settings: { holdout: 10% }` in the journey to measure lift");
  return out;
}

Result<MoneyReport> ExperimentService::Money(const JourneyService& j, std::string_view journey,
                                             const MoneyQuery& query) const {
  SP_ASSIGN_OR_RETURN(JourneySnapshot s, Snapshot(j, journey));
  SP_ASSIGN_OR_RETURN(auto funnel, QueryFunnel(query.funnel));
  MessageCosts costs = QueryCosts(query);
  SP_ASSIGN_OR_RETURN(rules::PropertyPath revenue_path, RevenuePath(query.revenue));
  SP_ASSIGN_OR_RETURN(std::vector<ProfileFacts> facts, Gather(journey, s));

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

  MoneyReport out;
  out.journey = JourneyId(journey);
  if (funnel) out.funnel = FunnelId(funnel->id);
  std::vector<experiments::ChannelMessages> messages;
  for (const auto& [channel, n] : sent) {
    if (!costs.per_message.count(channel)) {
      SP_ASSIGN_OR_RETURN(std::optional<double> configured, ConfiguredCost(channel));
      if (!configured)
        return Status::InvalidArgument(fmt::format(
            "cost.{0}: the journey sent {1} messages on channel '{0}' without a cost; set "
            "`cost_per_message: <amount>` in its `kind: channel` definition, or pass "
            "cost.{0}=<amount per message>",
            channel, n));
      costs.per_message[channel] = *configured;
      costs.source[channel] = MoneyReport::CostSource::kChannel;
    }
    const double cost = costs.per_message.at(channel);
    messages.push_back({channel, n});
    out.messages.push_back(
        {channel, n, cost, costs.source.at(channel), static_cast<double>(n) * cost});
  }
  auto per = [&](uint64_t progressed) {
    return experiments::CostPerProgressed(messages, costs.per_message, progressed);
  };
  SP_ASSIGN_OR_RETURN(out.goal, per(attained));
  out.total_cost = out.goal.total_cost;
  for (size_t k = 0; k < reached_step.size(); ++k) {
    SP_ASSIGN_OR_RETURN(MoneyCost cost, per(reached_step[k]));
    out.steps.push_back({static_cast<int>(k + 1), funnel->steps[k].name, cost});
  }
  out.revenue.by_group = experiments::RevenueByGroup(revenue);
  std::sort(out.revenue.by_group.begin(), out.revenue.by_group.end(),
            [](const RevenueGroup& a, const RevenueGroup& b) { return a.group < b.group; });
  if (!event_goal)
    out.warnings.push_back(
        "revenue needs a goal met by an event (goal.met_when.event); it is 0 here");
  std::vector<double> credited, lifetime;
  for (const auto& r : revenue) {
    credited.push_back(r.revenue);
    lifetime.push_back(r.lifetime);
  }
  auto per_treated = [treated](double x) {
    return treated ? x / static_cast<double>(treated) : 0.0;
  };
  out.costs = {costs.per_message.begin(), costs.per_message.end()};
  out.cost_sources = {costs.source.begin(), costs.source.end()};
  out.treated = treated;
  out.revenue.property = revenue_path.text;
  out.revenue.total = experiments::SumRevenue(credited);
  out.revenue.profiles = treated;
  out.revenue.revenue_per_profile = per_treated(out.revenue.total);
  out.revenue.lifetime_total = experiments::SumRevenue(lifetime);
  out.revenue.ltv = per_treated(out.revenue.lifetime_total);
  return out;
}

}  // namespace signpost::engine
