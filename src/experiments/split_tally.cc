#include "experiments/split_tally.h"

#include <algorithm>
#include <utility>

namespace signpost::experiments {

namespace {

// Adds one time's changes (per variant: entered, converted) to `counts`.
void Apply(const std::vector<int64_t>& change, std::vector<VariantCounts>& counts) {
  for (size_t v = 0; v < counts.size(); ++v) {
    counts[v].entered =
        static_cast<uint64_t>(static_cast<int64_t>(counts[v].entered) + change[2 * v]);
    counts[v].converted =
        static_cast<uint64_t>(static_cast<int64_t>(counts[v].converted) + change[2 * v + 1]);
  }
}

}  // namespace

SplitTally::SplitTally(std::vector<std::string> variants, std::optional<TimeMs> ends_at)
    : variants_(std::move(variants)) {
  policy_.ends_at = ends_at;
  policy_.probability_draws = 1;  // the looks need the decision only
}

void SplitTally::Change(TimeMs t, size_t variant, bool converted, int64_t delta) {
  const size_t slot = 2 * variant + (converted ? 1 : 0);
  auto it = changes_.try_emplace(t, std::vector<int64_t>(2 * variants_.size(), 0)).first;
  it->second[slot] += delta;
  if (std::all_of(it->second.begin(), it->second.end(), [](int64_t v) { return v == 0; }))
    changes_.erase(it);
  // The looks already evaluated at or after `t` count it too (a late event): fix their counts and
  // evaluate them again.
  for (size_t i = looks_.size(); i-- > 0 && looks_[i].at >= t;) {
    VariantCounts& c = looks_[i].counts[variant];
    uint64_t& n = converted ? c.converted : c.entered;
    n = static_cast<uint64_t>(static_cast<int64_t>(n) + delta);
    stale_from_ = std::min(stale_from_, i);
  }
}

void SplitTally::Add(const SplitEntry& entry) {
  // An assignment before the first moves every look: start them over.
  if (starts_.empty() || entry.at < starts_.begin()->first) looks_.clear();
  ++starts_[entry.at];
  ++size_;
  Change(entry.at, entry.variant, false, +1);
  if (entry.converted_at) Change(std::max(entry.at, *entry.converted_at), entry.variant, true, +1);
}

void SplitTally::Remove(const SplitEntry& entry) {
  Change(entry.at, entry.variant, false, -1);
  if (entry.converted_at) Change(std::max(entry.at, *entry.converted_at), entry.variant, true, -1);
  auto it = starts_.find(entry.at);
  if (it == starts_.end()) return;  // not added: a programmer error
  --size_;
  if (--it->second == 0) {
    if (it == starts_.begin()) looks_.clear();  // the first assignment moved
    starts_.erase(it);
  }
}

std::optional<TimeMs> SplitTally::started() const {
  if (starts_.empty()) return std::nullopt;
  return starts_.begin()->first;
}

std::vector<VariantCounts> SplitTally::CountsAt(TimeMs at) const {
  std::vector<VariantCounts> counts;
  for (const auto& id : variants_) counts.push_back({id, 0, 0});
  for (auto it = changes_.begin(); it != changes_.end() && it->first <= at; ++it)
    Apply(it->second, counts);
  return counts;
}

TimeMs SplitTally::FirstLook(TimeMs started) const {
  TimeMs first = started + kDayMs;
  if (policy_.ends_at) first = std::min(first, std::max(*policy_.ends_at, started));
  return first;
}

TimeMs SplitTally::LookAfter(TimeMs previous, TimeMs started) const {
  // The next daily look strictly after `previous`, or the end date when it comes first.
  TimeMs next = started + ((previous - started) / kDayMs + 1) * kDayMs;
  if (policy_.ends_at) {
    const TimeMs end = std::max(*policy_.ends_at, started);
    if (end > previous) next = std::min(next, end);
  }
  return next;
}

Status SplitTally::Evaluate(Look& look, TimeMs started) {
  ++evaluations_;
  SP_ASSIGN_OR_RETURN(ExperimentReport r,
                      experiments::Evaluate(look.counts, policy_, started, look.at));
  look.decision = {r.decision, r.winner, r.assign_to, std::nullopt};
  if (r.decision != ExperimentDecision::kRunning) look.decision.decided_at = look.at;
  return Status::Ok();
}

Result<SplitDecision> SplitTally::Decide(TimeMs now) {
  if (starts_.empty()) {
    looks_.clear();
    return SplitDecision{};
  }
  const TimeMs started = starts_.begin()->first;
  if (looks_started_ != started) {
    looks_.clear();
    looks_started_ = started;
  }
  stale_from_ = std::min(stale_from_, looks_.size());
  // Looks whose counts changed: evaluate again; keep none after the first that decides.
  for (size_t i = stale_from_; i < looks_.size(); ++i) {
    SP_RETURN_IF_ERROR(Evaluate(looks_[i], started));
    if (looks_[i].decision.decided_at) {
      looks_.resize(i + 1);
      break;
    }
  }
  // Looks that came since, while none decided.
  while (looks_.empty() || !looks_.back().decision.decided_at) {
    const TimeMs at = looks_.empty() ? FirstLook(started) : LookAfter(looks_.back().at, started);
    if (at > now) break;
    Look look;
    look.at = at;
    if (looks_.empty()) {
      look.counts = CountsAt(at);
    } else {
      look.counts = looks_.back().counts;
      for (auto it = changes_.upper_bound(looks_.back().at);
           it != changes_.end() && it->first <= at; ++it)
        Apply(it->second, look.counts);
    }
    SP_RETURN_IF_ERROR(Evaluate(look, started));
    looks_.push_back(std::move(look));
  }
  stale_from_ = looks_.size();
  // The first look that decided, if it has come (a clock set back sees the test running).
  if (!looks_.empty() && looks_.back().decision.decided_at && looks_.back().at <= now)
    return looks_.back().decision;
  return SplitDecision{};
}

}  // namespace signpost::experiments
