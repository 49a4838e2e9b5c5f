// Engine: the live counts of split steps (see split_counters.h).
#include "engine/split_counters.h"

#include <fmt/format.h>

#include "base/system_events.h"
#include "engine/experiment_service.h"
#include "engine/journey_service.h"

namespace signpost {

namespace {

// The caller holds the journeys mutex (every SplitCounters method but Touch runs under it).
std::vector<goals::JourneyGoal> GoalsOf(const engine::JourneyService& j) NO_THREAD_SAFETY_ANALYSIS {
  std::vector<goals::JourneyGoal> out;
  for (const auto& [id, g] : j.goals()) out.push_back(g);
  return out;
}

bool HasSplit(const journeys::JourneyDefinition& def) {
  for (const auto& s : def.steps)
    if (s.kind == journeys::StepKind::kSplit) return true;
  return false;
}

}  // namespace

bool SplitCounters::CanMove(std::string_view name) {
  namespace se = system_events;
  return name == se::kJourneyEntered || name == se::kJourneyExited ||
         name == se::kExperimentAssigned || name == se::kMessageSent ||
         name == se::kMessageOpened || name == se::kMessageClicked;
}

void SplitCounters::Touch(ProfileId profile, bool merged) {
  if (!active()) return;
  std::lock_guard lock(touched_mu_);
  bool& m = touched_[profile.value()];
  m = m || merged;
}

uint64_t SplitCounters::evaluations() const {
  uint64_t n = dropped_evaluations_;
  for (const auto& [id, j] : journeys_)
    for (const auto& s : j.splits) n += s.tally.evaluations();
  return n;
}

Status SplitCounters::Load(
    const engine::ExperimentService& x, const engine::JourneyService& jj, const JourneyId& id,
    std::shared_ptr<const journeys::JourneyDefinition> def) NO_THREAD_SAFETY_ANALYSIS {
  active_ = true;  // from now on, touches are kept (those during this load too)
  Journey& j = journeys_[id];
  for (const auto& s : j.splits) dropped_evaluations_ += s.tally.evaluations();
  j.def = std::move(def);
  j.splits.clear();
  for (const auto& s : j.def->steps) {
    if (s.kind != journeys::StepKind::kSplit) continue;
    std::vector<std::string> variants;
    for (const auto& v : s.variants) variants.push_back(v.id);
    j.splits.push_back({&s, experiments::SplitTally(std::move(variants), s.split_end), {}, {}});
  }
  for (ProfileId p : jj.catalog().ProfilesIn(id)) SP_RETURN_IF_ERROR(Rederive(x, jj, id, j, p));
  return Status::Ok();
}

Status SplitCounters::LoadAll(const engine::ExperimentService& x,
                              const engine::JourneyService& jj) NO_THREAD_SAFETY_ANALYSIS {
  for (const JourneyId& id : jj.catalog().JourneyIds()) {
    auto def = jj.catalog().Definition(id, 0);
    if (def && HasSplit(*def)) SP_RETURN_IF_ERROR(Load(x, jj, id, std::move(def)));
  }
  return Status::Ok();
}

Status SplitCounters::Rederive(const engine::ExperimentService& x, const engine::JourneyService& jj,
                               const JourneyId& id, Journey& journey,
                               ProfileId profile) NO_THREAD_SAFETY_ANALYSIS {
  std::vector<const journeys::Step*> steps;
  for (const Split& s : journey.splits) steps.push_back(s.step);
  ++profile_reads_;
  SP_ASSIGN_OR_RETURN(auto entries, x.SplitEntriesOf(profile, id.value(), steps, GoalsOf(jj)));
  for (size_t i = 0; i < journey.splits.size(); ++i) {
    Split& s = journey.splits[i];
    auto old = s.entries.find(profile.value());
    if (old != s.entries.end() && entries[i] && old->second == *entries[i]) continue;
    if (old != s.entries.end()) {
      s.tally.Remove(old->second);
      s.entries.erase(old);
    }
    if (entries[i]) {
      s.tally.Add(*entries[i]);
      s.entries.emplace(profile.value(), *entries[i]);
    }
  }
  return Status::Ok();
}

Status SplitCounters::Update(const engine::ExperimentService& x,
                             const engine::JourneyService& jj) NO_THREAD_SAFETY_ANALYSIS {
  std::unordered_map<uint64_t, bool> touched;
  {
    std::lock_guard lock(touched_mu_);
    touched.swap(touched_);
  }
  if (journeys_.empty()) return Status::Ok();
  for (const auto& [pid, merged] : touched) {
    for (auto& [id, journey] : journeys_) {
      // Only the profiles in the journey (or counted in it, or just merged) can move in it.
      bool in = merged || jj.catalog().In(ProfileId(pid), id);
      for (const Split& s : journey.splits) in = in || s.entries.count(pid) != 0;
      if (in) SP_RETURN_IF_ERROR(Rederive(x, jj, id, journey, ProfileId(pid)));
    }
  }
  return Status::Ok();
}

void SplitCounters::Forget(ProfileId profile) {
  {
    std::lock_guard lock(touched_mu_);
    touched_.erase(profile.value());
  }
  for (auto& [id, journey] : journeys_) {
    for (Split& s : journey.splits) {
      auto old = s.entries.find(profile.value());
      if (old == s.entries.end()) continue;
      s.tally.Remove(old->second);
      s.entries.erase(old);
    }
  }
}

Result<std::optional<std::string>> SplitCounters::Winner(
    const engine::ExperimentService& x, const engine::JourneyService& jj, const JourneyId& journey,
    const std::shared_ptr<const journeys::JourneyDefinition>& def,
    std::string_view step) NO_THREAD_SAFETY_ANALYSIS {
  SP_RETURN_IF_ERROR(Update(x, jj));
  auto it = journeys_.find(journey);
  if (it == journeys_.end() || it->second.def != def) {
    // New to the counts, or a new version (its variants or end date may differ): count it again.
    SP_RETURN_IF_ERROR(Load(x, jj, journey, def));
    it = journeys_.find(journey);
  }
  for (Split& s : it->second.splits) {
    if (s.step->id != step) continue;
    if (s.decided) return s.decided;
    SP_ASSIGN_OR_RETURN(experiments::SplitDecision d, s.tally.Decide(x.Now()));
    if (d.assign_to) s.decided = s.step->variants[*d.assign_to].id;
    return s.decided;
  }
  return Status::NotFound(
      fmt::format("step '{}' of journey '{}' is not a split step", step, journey));
}

}  // namespace signpost
