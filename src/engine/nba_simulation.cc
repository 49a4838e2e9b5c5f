#include "engine/nba_simulation.h"

#include <fmt/format.h>

#include <functional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/next_best_action.h"
#include "engine/nba_tables.h"

namespace signpost::engine {

namespace {

// The properties of the simulated events, by seq.
class NbaProperties final : public analytics::PropertySource {
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

}  // namespace

NbaSimulationResult SimulateNextBestAction(const NbaSimulationOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(0, 1);
  analytics::EventIndex index;
  NbaProperties props;
  std::vector<ProfileId> trial, basic;
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
  // Enters `journey` at `ts`: held out or sent `step`; returns whether treated.
  auto enter = [&](uint64_t p, TimeMs ts, const char* journey, const char* step) {
    const bool holdout = u(rng) < o.holdout_share;
    add(p, ts, "Journey Entered",
        fmt::format(R"({{"journey":"{}","holdout":{}}})", journey, holdout ? "true" : "false"));
    if (!holdout)
      add(p, ts, "Message Delivered",
          fmt::format(R"({{"journey":"{}","step":"{}"}})", journey, step));
    return !holdout;
  };
  for (uint64_t p = 1; p <= o.people; ++p) {
    const TimeMs t = t0 + static_cast<TimeMs>(p) * 1000;
    const bool in_trial = u(rng) < o.trial_share;
    (in_trial ? trial : basic).push_back(ProfileId(p));
    add(p, t, "Signed Up", "");
    add(p, t + kHourMs, "Activated", "");
    const bool nudged = enter(p, t + 2 * kHourMs, "nudge", "email");
    if (u(rng) < o.tips_share) enter(p, t + 2 * kHourMs + 1, "tips", "push");
    const double rate = o.base_rate + (in_trial && nudged ? o.lift : 0.0);
    if (u(rng) < rate) add(p, t + kDayMs, "Purchased", "");
  }
  index.Seal();

  NbaSimulationResult out;
  std::vector<std::vector<uint8_t>> masks;
  for (const std::vector<ProfileId>* members : {&trial, &basic}) {
    std::vector<uint8_t> mask(index.SlotCount(), 0);
    for (ProfileId p : *members) mask[static_cast<size_t>(index.SlotOf(p))] = 1;
    masks.push_back(std::move(mask));
  }
  const analytics::FunnelDefinition def =
      *analytics::ParseAdHocFunnel("Signed Up>Activated>Purchased");
  auto counts = analytics::CountNextBestActions(index, def, {}, 2, masks, &props);
  if (!counts.ok()) return out;
  auto tables = RankNextBestActionTables(*counts, {"trial", "basic"}, o.min_count, 0.95);
  if (!tables.ok() || tables->size() != 3) return out;
  out.everyone = (*tables)[0];
  out.trial = (*tables)[1];
  out.basic = (*tables)[2];
  for (const NextBestActionRow& r : out.trial.rows)
    if (r.action == "nudge") out.trial_nudge = r;
  out.trial_picks_nudge =
      out.trial.recommended == "nudge" || out.trial.recommended == "nudge/email";
  if (out.trial_picks_nudge) {
    const RateInterval& ci = out.trial.rows.front().lift.absolute_interval;
    out.trial_covered = ci.low <= o.lift && o.lift <= ci.high;
  }
  out.basic_no_evidence = out.basic.evidence == "none";
  return out;
}

}  // namespace signpost::engine
