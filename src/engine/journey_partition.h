// One partition of the JourneyService's live runtime (src/journeys/README.md, "Partitions"): the
// profiles journeys::PartitionOf maps to it, with its input queue from the commit thread, its
// thread, its runtime (reading profiles through a PartitionEnvironment) and its durable cursor.
// The JourneyService owns the partitions and runs their rounds (journey_partition.cc: Drain,
// Persist, Publish, Enqueue, Rehydrate, ThreadLoop); the locking rules are at the top of
// journey_service.h.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "identity/records.h"
#include "journeys/environment.h"
#include "journeys/partition.h"
#include "journeys/profile_state.h"
#include "journeys/runtime.h"
#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/status.h"

namespace signpost::engine {

// One item of a partition's input, in commit order: an event, or an identity merge (the runtime
// moves the merged profile's journeys before it sees the events filed under the surviving profile).
struct JourneyInput {
  journeys::InputEvent event;
  std::optional<identity::MergeRecord> merge;
  SegmentId segment_changed;  // or: this segment changed (Runtime::SegmentChanged)
  // The cursor a round that stops before this item persists: every input of the partition
  // committed up to it was queued before it (an event: its seq - 1; a merge: the committed seq
  // before the commit that caused it; a segment change: the committed seq when it was queued).
  uint64_t watermark = 0;
  // When it was queued (the clock's ms): the age of the oldest queued item, /metrics.
  TimeMs queued_at = 0;
  // An event queued past the partition's payload bound (Tuning::queue_payloads): only its seq and
  // profile are kept; the round that reaches it reads it back from the store by seq.
  bool spilled = false;
};

// The state of a profile merged away into another partition (merge `ordinal`, `from` into
// `into`), handed over once the exporter's round is durable; nullopt: it had none.
struct JourneyExported {
  uint64_t ordinal = 0;
  ProfileId from, into;
  std::optional<journeys::ProfileState> state;
};

// One partition: its runtime, durable cursor, queue and thread.
struct JourneyPartition {
  uint32_t index = 0;
  std::unique_ptr<journeys::Environment> env;  // the runtime's; used under mu
  mutable Mutex mu;
  std::unique_ptr<journeys::Runtime> runtime PT_GUARDED_BY(mu);
  uint64_t cursor GUARDED_BY(mu) = 0;          // the last committed seq seen (persisted)
  uint64_t merges_applied GUARDED_BY(mu) = 0;  // the last merge ordinal passed (persisted)
  std::unordered_set<std::string> goal_events GUARDED_BY(mu);  // names some goal is met by
  std::function<void(const journeys::InputEvent&)> fault GUARDED_BY(mu);
  // Merges exported this round, published once the round is durable.
  std::vector<JourneyExported> exported GUARDED_BY(mu);
  std::atomic<uint64_t> merges_durable{0};  // merges_applied as last written

  mutable Mutex queue_mu;
  CondVar queue_cv;
  std::deque<JourneyInput> queue GUARDED_BY(queue_mu);
  uint64_t committed_seq GUARDED_BY(queue_mu) = 0;  // highest seq routed (to any partition)
  bool busy GUARDED_BY(queue_mu) = false;           // inside a round
  bool stop GUARDED_BY(queue_mu) = false;
  bool held GUARDED_BY(queue_mu) = false;    // HoldPartitionForTesting
  bool wake GUARDED_BY(queue_mu) = false;    // a merge's state was handed over (Publish)
  size_t payloads GUARDED_BY(queue_mu) = 0;  // queued events holding their payload
  std::atomic<uint64_t> spilled{0};          // events queued without it, since open
  std::thread thread;
};

// The environment of one partition's runtime: the engine's, but the members of a segment are
// only those the partition owns (a segment-entry journey's Start, or a join-later entry, enters
// each member in its own partition).
class PartitionEnvironment final : public journeys::Environment {
 public:
  PartitionEnvironment(std::unique_ptr<journeys::Environment> inner, uint32_t index, uint32_t n)
      : inner_(std::move(inner)), index_(index), n_(n) {}
  std::unique_ptr<journeys::ProfileScope> Open(ProfileId profile) override {
    return inner_->Open(profile);
  }
  journeys::SegmentDependencies DependenciesOf(const SegmentId& segment) override {
    return inner_->DependenciesOf(segment);
  }
  Result<std::vector<ProfileId>> Members(const SegmentId& segment, TimeMs at) override {
    SP_ASSIGN_OR_RETURN(std::vector<ProfileId> all, inner_->Members(segment, at));
    std::erase_if(all, [this](ProfileId p) { return journeys::PartitionOf(p, n_) != index_; });
    return all;
  }
  std::optional<std::string> SplitWinner(const JourneyId& journey, std::string_view step,
                                         TimeMs at) override {
    return inner_->SplitWinner(journey, step, at);
  }
  std::string ConsentKind(std::string_view channel) override {
    return inner_->ConsentKind(channel);
  }
  bool TrackingConsentDefault(std::string_view category) override {
    return inner_->TrackingConsentDefault(category);
  }
  journeys::ChannelChoice ChooseChannel(const journeys::ChannelQuestion& q) override {
    return inner_->ChooseChannel(q);
  }
  std::vector<std::string> TemplateFunnels(std::string_view template_id) override {
    return inner_->TemplateFunnels(template_id);
  }
  std::vector<std::string> FunnelEvents(const FunnelId& funnel) override {
    return inner_->FunnelEvents(funnel);
  }

 private:
  std::unique_ptr<journeys::Environment> inner_;
  uint32_t index_, n_;
};

// Runs `f`, turning anything it throws into kInternal: the journeys thread must outlive any input.
template <class F>
Status Guarded(std::string_view what, F&& f) {
  try {
    f();
    return Status::Ok();
  } catch (const std::exception& ex) {
    return Status::Internal(fmt::format("{} failed: {}", what, ex.what()));
  } catch (...) {
    return Status::Internal(fmt::format("{} failed: an unknown exception", what));
  }
}

// Tells the analysis that `mu` is held: the caller holds every partition's lock (AllLocked).
inline void AssumeHeld(const Mutex& mu) SIGNPOST_TSA(assert_capability(mu)) {}

}  // namespace signpost::engine
