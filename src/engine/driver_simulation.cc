#include "engine/driver_simulation.h"

#include <fmt/format.h>

#include <random>
#include <string>
#include <unordered_map>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/step_drivers.h"
#include "experiments/association.h"

namespace signpost::engine {

namespace {

// The properties of the simulated events, by seq.
class SimulatedProperties final : public analytics::PropertySource {
 public:
  void Put(uint64_t seq, std::string json) { json_[seq] = std::move(json); }
  Status Scan(rules::PropertyScope scope,
              const std::function<void(uint64_t, std::string_view)>& visit) const override {
    for (const auto& [seq, json] : json_)
      visit(seq, scope == rules::PropertyScope::kProperties ? std::string_view(json) : "{}");
    return Status::Ok();
  }

 private:
  std::unordered_map<uint64_t, std::string> json_;
};

double OddsRatioOf(double p1, double p0) { return (p1 / (1 - p1)) / (p0 / (1 - p0)); }

bool Inside(double v, const RateInterval& i) { return i.low <= v && v <= i.high; }

}  // namespace

DriverSimulationResult SimulateDrivers(const DriverSimulationOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(0, 1);
  analytics::EventIndex index;
  SimulatedProperties props;
  std::vector<ProfileId> trial;
  uint64_t seq = 0;
  const TimeMs t0 = 1'700'000'000'000;
  auto add = [&](uint64_t person, TimeMs ts, const char* name, std::string properties) {
    Event e;
    e.type = EventType::kTrack;
    e.seq = ++seq;
    e.timestamp = ts;
    e.event = name;
    if (!properties.empty()) props.Put(e.seq, properties);
    e.properties = properties.empty() ? "{}" : std::move(properties);
    index.Add(ProfileId(person), e);
  };
  std::vector<std::string> null_names;
  for (int k = 0; k < o.null_events; ++k) null_names.push_back(fmt::format("Null {:02}", k));
  for (uint64_t p = 1; p <= o.people; ++p) {
    const TimeMs t = t0 + static_cast<TimeMs>(p) * 1000;
    const bool pro = u(rng) < o.pro_share;
    const int color = static_cast<int>(u(rng) * o.null_colors);
    add(p, t, "Signed Up",
        fmt::format(R"({{"plan":"{}","color":"c{}"}})", pro ? "pro" : "basic", color));
    const bool in_trial = u(rng) < o.trial_share;
    const bool message = in_trial && u(rng) < o.message_share;
    if (in_trial) trial.push_back(ProfileId(p));
    if (message) add(p, t + 500, "Message Delivered", R"({"journey":"nudge","step":"s1"})");
    for (int k = 0; k < o.null_events; ++k) {
      const double share = 0.05 + 0.45 * k / std::max(1, o.null_events - 1);
      if (u(rng) < share) add(p, t + 1000 + k, null_names[k].c_str(), "");
    }
    const double rate = o.base_rate * (pro ? o.pro_factor : 1.0) + (message ? o.message_lift : 0);
    if (u(rng) < rate) add(p, t + 3'600'000, "Activated", "");
  }
  index.Seal();

  const analytics::FunnelDefinition def = *analytics::ParseAdHocFunnel("Signed Up>Activated");
  analytics::FunnelOptions options;
  options.threads = o.threads;
  auto run = [&](const analytics::DriverCandidates& cand, const analytics::FunnelOptions& opts) {
    StepDriversReport r;
    auto counts = analytics::CountStepDrivers(index, def, opts, 1, false, cand, &props);
    if (!counts.ok()) return r;
    r.reached = counts->reached;
    r.converted = counts->converted;
    r.candidates = counts->candidates.size();
    experiments::RankDrivers(std::move(counts->candidates), o.min_count, o.fdr, 100000, &r);
    return r;
  };
  DriverSimulationResult out;
  analytics::DriverCandidates all_cand;
  all_cand.properties.push_back(*rules::ParsePropertyPath("properties.plan"));
  all_cand.properties.push_back(*rules::ParsePropertyPath("properties.color"));
  out.all = run(all_cand, options);
  analytics::FunnelOptions trial_options = options;
  trial_options.segment = trial;
  out.trial = run(analytics::DriverCandidates{}, trial_options);

  // The truth: P(convert | pro) = f·b + m, P(convert | basic) = b + m over everyone (m: the
  // message's average contribution); in the trial segment, with the message E[base] + lift.
  const double m = o.trial_share * o.message_share * o.message_lift;
  const double p_pro = o.pro_factor * o.base_rate + m, p_basic = o.base_rate + m;
  out.pro_true_difference = p_pro - p_basic;
  out.pro_true_odds_ratio = OddsRatioOf(p_pro, p_basic);
  const double base = o.base_rate * (o.pro_share * o.pro_factor + (1 - o.pro_share));
  out.message_true_difference = o.message_lift;
  out.message_true_odds_ratio = OddsRatioOf(base + o.message_lift, base);

  auto is_null = [](const StepDriver& d) {
    return (d.kind == "event" && d.event.rfind("Null ", 0) == 0) ||
           (d.kind == "property" && d.path == "properties.color");
  };
  for (const StepDriversReport* r : {&out.all, &out.trial}) {
    for (const StepDriver& d : r->drivers) {
      const bool null = is_null(d);
      out.null_tested += null ? 1 : 0;
      out.discoveries += d.significant ? 1 : 0;
      out.null_discoveries += (null && d.significant) ? 1 : 0;
    }
  }
  out.false_discovery_proportion = static_cast<double>(out.null_discoveries) /
                                   static_cast<double>(std::max<uint64_t>(1, out.discoveries));
  for (const StepDriver& d : out.all.drivers)
    if (d.kind == "property" && d.path == "properties.plan" && d.value == "pro") out.pro = d;
  for (const StepDriver& d : out.trial.drivers)
    if (d.kind == "message" && d.event == "nudge/s1") out.message = d;
  out.pro_found = out.pro.significant;
  out.message_found = out.message.significant;
  out.pro_covered = Inside(out.pro_true_odds_ratio, out.pro.odds_ratio_interval) &&
                    Inside(out.pro_true_difference, out.pro.difference_interval);
  out.message_covered = Inside(out.message_true_odds_ratio, out.message.odds_ratio_interval) &&
                        Inside(out.message_true_difference, out.message.difference_interval);
  return out;
}

}  // namespace signpost::engine
