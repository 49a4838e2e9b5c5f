#include "engine/next_best_action_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace signpost::engine {

NextBestActionService::NextBestActionService(const FunnelService& funnels,
                                             const SegmentService& segments,
                                             const identity::ProfileStore& profiles,
                                             const Clock& clock, Options options)
    : funnels_(funnels),
      segments_(segments),
      profiles_(profiles),
      clock_(clock),
      options_(options) {}

Result<NextBestActionService::Snapshot> NextBestActionService::SnapshotOf(const FunnelId& funnel,
                                                                          int step,
                                                                          bool refresh) const {
  const TimeMs now = clock_.NowMs();
  const std::pair<std::string, int> key{funnel.value(), step};
  if (!refresh) {
    MutexLock lock(mu_);
    auto it = snapshots_.find(key);
    if (it != snapshots_.end() && it->second->as_of <= now &&
        now - it->second->as_of < options_.refresh)
      return it->second;
  }
  SP_ASSIGN_OR_RETURN(NextBestActionReport report, funnels_.NextBestAction(funnel, step));
  auto snapshot = std::make_shared<const NextBestActionReport>(std::move(report));
  MutexLock lock(mu_);
  snapshots_[key] = snapshot;
  while (snapshots_.size() > std::max<size_t>(1, options_.max_snapshots)) {
    auto oldest = std::min_element(snapshots_.begin(), snapshots_.end(), [](auto& x, auto& y) {
      return x.second->as_of < y.second->as_of;
    });
    snapshots_.erase(oldest);
  }
  return snapshot;
}

Result<NextBestActionReport> NextBestActionService::Report(const NextBestActionQuery& q) const {
  SP_ASSIGN_OR_RETURN(Snapshot s, SnapshotOf(q.funnel, q.step, q.refresh));
  NextBestActionReport r = *s;
  if (!q.segment.empty()) {
    auto it = std::find_if(r.tables.begin(), r.tables.end(),
                           [&](const NextBestActionTable& t) { return t.segment == q.segment; });
    if (it == r.tables.end())
      return Status::NotFound(fmt::format(
          "segment: funnel '{}' does not name segment '{}' in next_best_action.segments",
          q.funnel.value(), q.segment));
    NextBestActionTable t = std::move(*it);
    r.tables.clear();
    r.tables.push_back(std::move(t));
  }
  return r;
}

Result<ProfileNextBestAction> NextBestActionService::ForProfile(const FunnelId& funnel,
                                                                ProfileId profile,
                                                                TimeMs at) const {
  ProfileNextBestAction out;
  out.funnel = funnel;
  out.at = at;
  out.evidence = "none";
  SP_ASSIGN_OR_RETURN(analytics::FunnelPosition pos, funnels_.PositionOf(funnel, profile, at));
  out.last_step = pos.last_step;
  out.stuck = pos.last_step >= 1 && pos.next_step != 0;
  if (!out.stuck) return out;
  auto snapshot = SnapshotOf(funnel, pos.last_step, false);
  if (!snapshot.ok()) {
    // A last step without a next *required* step of its own (an optional one between): no table.
    if (snapshot.status().code() == Code::kInvalidArgument) {
      out.stuck = false;
      return out;
    }
    return snapshot.status();
  }
  const NextBestActionReport& r = **snapshot;
  out.as_of = r.as_of;
  const NextBestActionTable* table = r.tables.empty() ? nullptr : &r.tables.front();
  for (size_t i = 1; i < r.tables.size(); ++i) {
    auto member = segments_.InSegment(SegmentId(r.tables[i].segment), profile, at);
    if (member.ok() && *member) {
      table = &r.tables[i];
      break;
    }
  }
  if (table == nullptr) return out;
  out.segment = table->segment;
  out.evidence = table->evidence;
  out.recommended = table->recommended;
  if (!table->recommended.empty()) out.row = table->rows.front();
  return out;
}

Result<ProfileNextBestAction> NextBestActionService::ForIdentity(const FunnelId& funnel,
                                                                 std::string_view profile) const {
  SP_ASSIGN_OR_RETURN(std::string identity, profiles_.Resolve(profile));
  SP_ASSIGN_OR_RETURN(ProfileNextBestAction out,
                      ForProfile(funnel, profiles_.ProfileOf(identity), clock_.NowMs()));
  out.profile = std::move(identity);
  return out;
}

}  // namespace signpost::engine
