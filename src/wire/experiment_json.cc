// Split, channel, holdout-lift and money reports written as JSON (signpost/reports.h).
#include "base/report_names.h"
#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

json TimeOrNull(const std::optional<TimeMs>& t) {
  return t ? json(FormatIso8601(*t)) : json(nullptr);
}

// {treated_rate, holdout_rate, absolute, absolute_interval, relative, relative_interval,
// significant}: significant when the absolute interval excludes 0.
json LiftJson(const RateLift& l) {
  return {{"treated_rate", l.treated_rate},
          {"holdout_rate", l.holdout_rate},
          {"absolute", l.absolute},
          {"absolute_interval", IntervalJson(l.absolute_interval)},
          {"relative", OrNull(l.relative)},
          {"relative_interval", IntervalJson(l.relative_interval)},
          {"significant", l.absolute_interval.low > 0 || l.absolute_interval.high < 0}};
}

json ArmJson(const ArmRate& a) {
  return {{"sent", a.counts.sent},
          {"converted", a.counts.converted},
          {"rate", a.rate},
          {"interval", IntervalJson(a.interval)}};
}

json BreakdownJson(const ChannelBreakdown& b) {
  json channels = json::array();
  for (const ChannelBreakdown::Channel& c : b.channels) {
    json row = ArmJson(c.rate);
    row["channel"] = c.channel;
    if (c.template_id) {
      row["template"] = *c.template_id;
      row["default"] = c.is_default;
    }
    channels.push_back(std::move(row));
  }
  return {{"channels", channels},
          {"control", ArmJson(b.control)},
          {"optimized", ArmJson(b.optimized)},
          {"lift", LiftJson(b.lift)}};
}

json CostJson(const MoneyCost& c) {
  return {{"progressed", c.progressed}, {"cost_per_progressed", OrNull(c.cost_per_progressed)}};
}

}  // namespace

json ToJson(const SplitReport& r) {
  json variants = json::array();
  for (const SplitReport::Variant& row : r.variants) {
    const SplitVariantReport& v = row.result;
    variants.push_back({{"id", v.id},
                        {"weight", row.weight},
                        {"entered", v.entered},
                        {"converted", v.converted},
                        {"rate", v.rate},
                        {"interval", IntervalJson(v.interval)},
                        {"prob_best", v.probability_best},
                        {"lift", row.lift},
                        {"difference_interval", IntervalJson(v.difference)},
                        {"relative_lift_interval", IntervalJson(v.relative_lift)},
                        {"p_value", v.p_value},
                        {"significant", v.significant}});
  }
  return {{"journey", r.journey},
          {"step", r.step},
          {"metric", r.metric},
          {"state", NameIn(kExperimentDecisionNames, r.state)},
          {"winner", OrNull(r.winner)},
          {"assign_to", OrNull(r.assign_to)},
          {"default", r.default_variant},
          {"started_at", TimeOrNull(r.started_at)},
          {"decided_at", TimeOrNull(r.decided_at)},
          {"ends_at", TimeOrNull(r.ends_at)},
          {"minimum_sample_met", r.minimum_sample_met},
          {"alpha_per_comparison", r.alpha_per_comparison},
          {"variants", variants},
          {"warnings", r.warnings}};
}

json ToJson(const ChannelStepReport& r) {
  json out = BreakdownJson(r.all);
  out["journey"] = r.journey;
  out["step"] = r.step;
  out["default"] = r.default_channel;
  out["control_share"] = r.control_share;
  out["optimize_by_segment"] = r.optimize_by_segment;
  json segments = json::array();
  for (const ChannelStepReport::Segment& s : r.segments) {
    json row = BreakdownJson(s.breakdown);
    row["segment"] = s.segment;
    segments.push_back(std::move(row));
  }
  out["segments"] = segments;
  out["warnings"] = r.warnings;
  return out;
}

json ToJson(const ExperimentList& list) {
  json experiments = json::array(), channels = json::array();
  for (const SplitReport& r : list.experiments) experiments.push_back(ToJson(r));
  for (const ChannelStepReport& r : list.channels) channels.push_back(ToJson(r));
  return {{"experiments", experiments}, {"channels", channels}};
}

json ToJson(const HoldoutLiftReport& r) {
  json steps = json::array();
  for (const HoldoutLiftReport::Step& s : r.steps) {
    json row = LiftJson(s.lift);
    row["step"] = s.step;
    row["name"] = s.name;
    row["treated_reached"] = s.treated_reached;
    row["holdout_reached"] = s.holdout_reached;
    steps.push_back(std::move(row));
  }
  auto group = [](const GoalCounts& g) {
    return json{{"entered", g.entered}, {"attained", g.attained}};
  };
  return {{"journey", r.journey},
          {"funnel", OrNull(r.funnel)},
          {"level", r.level},
          {"treated", group(r.treated)},
          {"holdout", group(r.holdout)},
          {"goal", LiftJson(r.goal)},
          {"steps", steps},
          {"warnings", r.warnings}};
}

json ToJson(const MoneyReport& r) {
  json sources = json::object();
  for (const auto& [channel, source] : r.cost_sources)
    sources[channel] = NameIn(kCostSourceNames, source);
  json messages = json::array();
  for (const MoneyReport::Messages& m : r.messages) {
    messages.push_back({{"channel", m.channel},
                        {"messages", m.messages},
                        {"cost_per_message", m.cost_per_message},
                        {"cost_source", NameIn(kCostSourceNames, m.cost_source)},
                        {"cost", m.cost}});
  }
  json steps = json::array();
  for (const MoneyReport::Step& s : r.steps) {
    json row = CostJson(s.cost);
    row["step"] = s.step;
    row["name"] = s.name;
    steps.push_back(std::move(row));
  }
  json groups = json::array();
  for (const RevenueGroup& g : r.revenue.by_group) {
    groups.push_back({{"group", g.group},
                      {"profiles", g.profiles},
                      {"revenue", g.revenue},
                      {"revenue_per_profile", g.per_profile},
                      {"lifetime_revenue", g.lifetime},
                      {"ltv", g.ltv}});
  }
  const MoneyReport::Revenue& rev = r.revenue;
  return {{"journey", r.journey},
          {"funnel", OrNull(r.funnel)},
          {"costs", r.costs},
          {"cost_sources", sources},
          {"messages", messages},
          {"total_cost", r.total_cost},
          {"treated", r.treated},
          {"goal", CostJson(r.goal)},
          {"steps", steps},
          {"revenue",
           {{"property", rev.property},
            {"total", rev.total},
            {"profiles", rev.profiles},
            {"revenue_per_profile", rev.revenue_per_profile},
            {"lifetime_total", rev.lifetime_total},
            {"ltv", rev.ltv},
            {"by_group", groups}}},
          {"warnings", r.warnings}};
}

}  // namespace signpost::wire
