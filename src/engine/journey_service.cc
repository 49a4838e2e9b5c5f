// JourneyService: the live runtime in partitions (their input from the commit thread, their
// threads, durable state, identity merges handed over between them), journey definitions and
// lifecycle, and the journeys' views. The environment the runtime reads
// profiles through (JourneyEnvironment) is in engine_journeys.cc; replay (ReplayService) in
// engine_replay.cc; goals in the GoalService.
#include "engine/journey_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "base/json_text.h"
#include "base/prometheus_text.h"
#include "base/system_events.h"
#include "base/time.h"
#include "engine/definition_records.h"
#include "engine/engine_journeys.h"
#include "goals/goal_definition.h"
#include "journeys/journey_definition.h"
#include "journeys/partition.h"
#include "store/db.h"
#include "store/journey_records.h"

namespace signpost::engine {

using nlohmann::json;
namespace se = system_events;

namespace {

// Every partition's lock, taken in index order (the order every caller that takes more than one
// uses), released in reverse.
template <class Parts>
class AllLocked {
 public:
  explicit AllLocked(const Parts& parts) NO_THREAD_SAFETY_ANALYSIS : parts_(parts) {
    for (const auto& p : parts_) p->mu.Lock();
  }
  ~AllLocked() NO_THREAD_SAFETY_ANALYSIS {
    for (auto it = parts_.rbegin(); it != parts_.rend(); ++it) (*it)->mu.Unlock();
  }
  AllLocked(const AllLocked&) = delete;
  AllLocked& operator=(const AllLocked&) = delete;

 private:
  const Parts& parts_;
};

// `into` += the counters of `from` (the lifecycle is `into`'s).
void AddCounters(journeys::JourneyStatus& into, const journeys::JourneyStatus& from) {
  into.entered += from.entered;
  into.entered_holdout += from.entered_holdout;
  into.entries += from.entries;
  into.in_progress += from.in_progress;
  into.completed += from.completed;
  into.erased += from.erased;
  for (const auto& [step, c] : from.steps) {
    journeys::StepCounters& d = into.steps[step];
    d.inflow += c.inflow;
    d.passed_on += c.passed_on;
    for (const auto& [reason, n] : c.exits) d.exits[reason] += n;
  }
}

// The lifecycle of `s` without its counters.
journeys::JourneyStatus LifecycleOf(const journeys::JourneyStatus& s) {
  journeys::JourneyStatus out;
  out.state = s.state;
  out.live_version = s.live_version;
  out.live_since = s.live_since;
  out.ended_at = s.ended_at;
  out.members_pending = s.members_pending;
  return out;
}

}  // namespace

// ---- the catalog -----------------------------------------------------------------------------

void JourneyCatalog::Add(std::shared_ptr<const journeys::JourneyDefinition> def, uint64_t version) {
  JourneyId id = def->id;
  versions_[id][version] = std::move(def);
  members_[id];
}

std::shared_ptr<const journeys::JourneyDefinition> JourneyCatalog::Definition(
    const JourneyId& id, uint64_t version) const {
  auto it = versions_.find(id);
  if (it == versions_.end() || it->second.empty()) return nullptr;
  if (version == 0) return it->second.rbegin()->second;
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : v->second;
}

std::vector<JourneyId> JourneyCatalog::JourneyIds() const {
  std::vector<JourneyId> out;
  for (const auto& [id, v] : versions_) out.push_back(id);
  return out;
}

std::vector<ProfileId> JourneyCatalog::ProfilesIn(const JourneyId& id) const {
  std::vector<ProfileId> out;
  auto it = members_.find(id);
  if (it == members_.end()) return out;
  for (uint64_t p : it->second) out.push_back(ProfileId(p));
  std::sort(out.begin(), out.end());
  return out;
}

bool JourneyCatalog::In(ProfileId profile, const JourneyId& id) const {
  auto it = members_.find(id);
  return it != members_.end() && it->second.count(profile.value()) != 0;
}

void JourneyCatalog::Note(ProfileId profile, const journeys::ProfileState* state) {
  for (auto& [id, members] : members_) {
    if (state != nullptr && state->journeys.count(id) != 0) {
      members.insert(profile.value());
    } else {
      members.erase(profile.value());
    }
  }
}

JourneyService::Partition& JourneyService::PartitionOf(ProfileId profile) const {
  return *parts_[journeys::PartitionOf(profile, partitions())];
}

void JourneyService::RefreshFilter() {
  Partition& p0 = *parts_[0];
  MutexLock lock(p0.mu);
  RefreshFilterFrom(p0);
}

void JourneyService::RefreshFilterFrom(Partition& p0) {
  std::unordered_set<std::string> names;
  bool identify = false, any_live = false;
  {
    auto interests = p0.runtime->Interests();
    names = std::move(interests.first);
    identify = interests.second;
    for (const auto& id : p0.runtime->JourneyIds()) {
      const journeys::JourneyStatus* st = p0.runtime->StatusOf(id);
      any_live = any_live || (st && st->state == journeys::Lifecycle::kLive);
    }
    for (const auto& name : p0.goal_events) names.insert(name);
  }
  MutexLock lock(route_mu_);
  interesting_ = std::move(names);
  interested_in_identify_ = identify;
  any_live_ = any_live;
}

void JourneyService::KeepGoal(const journeys::JourneyDefinition& def) {
  if (def.goal.is_null()) {
    goals_.erase(def.id);
  } else if (auto g = goals::ParseGoalJson(def.goal, "goal"); g.ok()) {
    goals_[def.id] = goals::JourneyGoal{def.id, *g, def.listening_window};
  }
}

namespace {

// The event names some goal of `goals` is met by.
std::unordered_set<std::string> GoalEventsOf(
    const std::map<JourneyId, goals::JourneyGoal, std::less<>>& goals) {
  std::unordered_set<std::string> out;
  for (const auto& [id, jg] : goals) {
    if (jg.goal.met_when == goals::MetWhenKind::kEvent) {
      out.insert(jg.goal.trigger.event);
    } else {
      out.insert(std::string(se::kMessageOpened));
      out.insert(std::string(se::kMessageClicked));
    }
  }
  return out;
}

}  // namespace

JourneyService::JourneyService(store::Store& store, const identity::ProfileStore& profiles,
                               EventService& events, DeliveryService& delivery,
                               const SettingsService& settings, const Clock& clock, Hooks hooks)
    : store_(store),
      profiles_(profiles),
      events_(events),
      delivery_(delivery),
      settings_(settings),
      clock_(clock),
      hooks_(std::move(hooks)) {}

Result<std::unique_ptr<JourneyService>> JourneyService::Open(
    store::Store& store, const identity::ProfileStore& profiles, EventService& events,
    DeliveryService& delivery, const SettingsService& settings, const Clock& clock, Hooks hooks,
    Tuning tuning) {
  std::unique_ptr<JourneyService> j(
      new JourneyService(store, profiles, events, delivery, settings, clock, std::move(hooks)));
  const uint32_t partitions = tuning.partitions;
  tuning.queue_payloads = std::max<size_t>(tuning.queue_payloads, 1);
  // A round's re-read payloads stay within the same bound as the queue's.
  tuning.round_items = std::clamp<size_t>(tuning.round_items, 1, tuning.queue_payloads);
  j->tuning_ = tuning;
  // Stored state is read by the number of partitions that wrote it (Start re-homes it).
  SP_ASSIGN_OR_RETURN(uint32_t stored, store::JourneyRecords(&store.db()).Partitions());
  j->wanted_partitions_ = partitions != 0 ? partitions : stored != 0 ? stored : 1;
  SP_RETURN_IF_ERROR(j->Load(std::max(stored, 1u)));
  return j;
}

Status JourneyService::Start() {
  {
    MutexLock lock(mu_);
    // The split counts, from every stored event (split_counters.h).
    SP_RETURN_IF_ERROR(hooks_.load_splits());
  }
  if (partitions() != wanted_partitions_) SP_RETURN_IF_ERROR(Rehome(wanted_partitions_));
  for (const auto& part : parts_) {
    Partition* p = part.get();
    p->thread = std::thread([this, p] { ThreadLoop(*p); });
  }
  return Status::Ok();
}

Status JourneyService::Load(uint32_t n) NO_THREAD_SAFETY_ANALYSIS {
  // (at open or re-homing: no thread runs yet, nothing else reaches the service)
  parts_.clear();
  catalog_ = JourneyCatalog();
  goals_.clear();
  {
    MutexLock lock(handoff_mu_);
    handoffs_.clear();
  }
  journeys::RuntimeOptions ro;
  ro.frequency_cap_per_day = FrequencyCap();
  store::JourneyRecords records(&store_.db());
  SP_ASSIGN_OR_RETURN(ro.system_id_key, records.GetOrCreateSystemIdKey());
  for (uint32_t k = 0; k < n; ++k) {
    auto p = std::make_unique<Partition>();
    p->index = k;
    p->env = std::make_unique<PartitionEnvironment>(hooks_.environment(*this), k, n);
    p->runtime = std::make_unique<journeys::Runtime>(p->env.get(), ro);
    parts_.push_back(std::move(p));
  }
  // Every version of every journey (people inside old versions finish on them).
  SP_ASSIGN_OR_RETURN(auto latest, store_.definitions().List(store::DefinitionKind::kJourney));
  auto refs = journeys::References{};  // stored definitions were validated when applied
  for (const auto& rec : latest) {
    SP_ASSIGN_OR_RETURN(auto history,
                        store_.definitions().History(store::DefinitionKind::kJourney, rec.id));
    for (const auto& v : history) {
      auto def = journeys::ParseJourneyDefinition(v.body, refs);
      if (!def.ok()) {
        spdlog::error("journey {} version {} no longer parses: {}", v.id, v.version,
                      def.status().ToString());
        continue;
      }
      KeepGoal(*def);
      auto shared = std::make_shared<const journeys::JourneyDefinition>(std::move(*def));
      catalog_.Add(shared, v.version);
      for (const auto& p : parts_) p->runtime->AddVersion(shared, v.version);
    }
  }
  const std::unordered_set<std::string> goal_events = GoalEventsOf(goals_);
  for (const auto& p : parts_) p->goal_events = goal_events;
  Status s;
  std::vector<std::map<JourneyId, journeys::JourneyStatus>> statuses(n);
  // (The lambdas below run inside this open, single-threaded like it.)
  // Merges the survivor's partition has not applied but the merged-away profile's has passed
  // (a crash between the two sides): that profile's stored state is handed over, not re-armed.
  std::unordered_map<uint64_t, uint64_t> handed_over;  // from profile -> merge ordinal
  bool merges_read = false;
  auto read_merges = [&]() NO_THREAD_SAFETY_ANALYSIS {
    if (merges_read) return;
    merges_read = true;
    uint64_t oldest = UINT64_MAX;
    for (const auto& p : parts_) oldest = std::min(oldest, p->merges_applied);
    for (const identity::MergeRecord& mr : profiles_.MergesAfter(oldest)) {
      Partition& exporter = PartitionOf(mr.from);
      Partition& survivor = PartitionOf(mr.to);
      if (&exporter == &survivor || mr.ordinal <= survivor.merges_applied ||
          mr.ordinal > exporter.merges_applied)
        continue;
      handed_over[mr.from.value()] = mr.ordinal;
      MutexLock lock(handoff_mu_);
      handoffs_[mr.ordinal] = std::nullopt;  // ready, empty unless its record is found
    }
  };
  // A record that does not read (a throw from parsing it) fails the open with its reason, never
  // the process.
  SP_RETURN_IF_ERROR(Guarded("reading the journeys' state", [&] {
    s = records.Load({
        .cursor =
            [&](uint32_t k, uint64_t seq) NO_THREAD_SAFETY_ANALYSIS {
              if (k < n) parts_[k]->cursor = seq;
            },
        .journey_status =
            [&](uint32_t k, const JourneyId& id, std::string_view v) {
              if (k < n) statuses[k][id] = journeys::JourneyStatusFromJson(json::parse(v));
            },
        .merges =
            [&](uint32_t k, uint64_t ordinal) NO_THREAD_SAFETY_ANALYSIS {
              if (k < n) parts_[k]->merges_applied = ordinal;
            },
        .partitions = {},
        .profile_state =
            [&](ProfileId p, std::string_view v) NO_THREAD_SAFETY_ANALYSIS {
              read_merges();
              journeys::ProfileState st = journeys::ProfileStateFromJson(json::parse(v));
              catalog_.Note(p, &st);
              if (auto it = handed_over.find(p.value()); it != handed_over.end()) {
                MutexLock lock(handoff_mu_);
                handoffs_[it->second] = std::move(st);
                return;
              }
              PartitionOf(p).runtime->RestoreState(p, std::move(st));
            },
    });
  }));
  SP_RETURN_IF_ERROR(s);
  read_merges();
  // Each partition's counters; the lifecycle is partition 0's (every lifecycle change writes all
  // partitions in one write, so they agree).
  for (const auto& [id, st0] : statuses[0]) {
    for (uint32_t k = 0; k < n; ++k) {
      journeys::JourneyStatus st = LifecycleOf(st0);
      if (auto it = statuses[k].find(id); it != statuses[k].end()) AddCounters(st, it->second);
      parts_[k]->runtime->RestoreStatus(id, std::move(st));
    }
  }
  for (const auto& p : parts_) {
    p->merges_durable.store(p->merges_applied);
    p->runtime->Refresh();
  }
  RefreshFilter();
  // Catch up with merges and events committed after the cursors (a crash, or an import by another
  // process): the merges first, since the events are filed under today's profiles.
  const bool catch_up = !goals_.empty();
  uint64_t oldest_cursor = UINT64_MAX, oldest_merges = UINT64_MAX;
  for (const auto& p : parts_) {
    oldest_cursor = std::min(oldest_cursor, p->cursor);
    oldest_merges = std::min(oldest_merges, p->merges_applied);
  }
  const TimeMs now = clock_.NowMs();
  MutexLock route_lock(route_mu_);
  for (identity::MergeRecord& mr : profiles_.MergesAfter(oldest_merges)) {
    splits_.Touch(mr.from, true);
    splits_.Touch(mr.to, true);
    Partition& exporter = PartitionOf(mr.from);
    Partition& survivor = PartitionOf(mr.to);
    std::vector<Partition*> involved = {&exporter};
    if (&survivor != &exporter) involved.push_back(&survivor);
    for (Partition* p : involved) {
      if (mr.ordinal <= p->merges_applied) continue;
      MutexLock lock(p->queue_mu);
      Enqueue(*p, {{}, mr, {}, p->cursor, now});
    }
  }
  merges_queued_ = profiles_.merge_count();
  if (any_live_ || catch_up) {
    SP_RETURN_IF_ERROR(
        store_.ScanEvents(oldest_cursor, [&](const Event& e) NO_THREAD_SAFETY_ANALYSIS {
          // (runs inside this scan, with route_mu_ held)
          if (interesting_.count(e.type == EventType::kTrack ? e.event : "") != 0 ||
              (e.type == EventType::kIdentify && interested_in_identify_)) {
            const ProfileId profile = profiles_.ProfileOf(e.PrimaryIdentity());
            Partition& p = PartitionOf(profile);
            if (e.seq > p.cursor) {
              MutexLock lock(p.queue_mu);
              Enqueue(p, {InputOf(e, profile), std::nullopt, {}, e.seq - 1, now});
            }
          }
          committed_seq_ = std::max(committed_seq_, e.seq);
          return true;
        }));
  }
  committed_seq_ = std::max(committed_seq_, store_.LastSeq());
  for (const auto& p : parts_) {
    MutexLock lock(p->queue_mu);
    p->committed_seq = committed_seq_;
  }
  return Status::Ok();
}

Status JourneyService::Rehome(uint32_t to) NO_THREAD_SAFETY_ANALYSIS {
  // (at Start, before the threads: nothing else reaches the partitions)
  const uint32_t from = partitions();
  spdlog::info("journeys: re-homing the runtime's state from {} to {} partitions", from, to);
  // Everything committed is handled first, so every partition stands at the same cursor.
  const TimeMs now = clock_.NowMs();
  SP_RETURN_IF_ERROR(DrainAll(now, now - 1));
  uint64_t cursor = 0, merges = 0;
  for (const auto& p : parts_) {
    cursor = std::max(cursor, p->cursor);
    merges = std::max(merges, p->merges_applied);
  }
  store::Batch batch = store_.db().NewBatch();
  const store::JourneyRecords records(&store_.db());
  // The counters: summed into partition 0 (they are only ever read summed); the lifecycle in all.
  for (const JourneyId& id : parts_[0]->runtime->JourneyIds()) {
    const journeys::JourneyStatus* st0 = parts_[0]->runtime->StatusOf(id);
    if (st0 == nullptr) continue;
    journeys::JourneyStatus sum = LifecycleOf(*st0);
    for (const auto& p : parts_) {
      if (const journeys::JourneyStatus* st = p->runtime->StatusOf(id)) AddCounters(sum, *st);
    }
    records.PutJourneyStatus(batch, id, journeys::ToJson(sum).dump(), 0);
    const std::string lifecycle = journeys::ToJson(LifecycleOf(*st0)).dump();
    for (uint32_t k = 1; k < std::max(from, to); ++k) {
      if (k < to) {
        records.PutJourneyStatus(batch, id, lifecycle, k);
      } else {
        records.DeleteJourneyStatus(batch, id, k);
      }
    }
  }
  for (uint32_t k = 0; k < std::max(from, to); ++k) {
    if (k < to) {
      records.PutCursor(batch, cursor, k);
      records.PutMerges(batch, merges, k);
    } else {
      records.DeleteCursor(batch, k);
      records.DeleteMerges(batch, k);
    }
  }
  records.PutPartitions(batch, to);
  SP_RETURN_IF_ERROR(store_.db().Write(batch));
  // The profile states' records are not partitioned: reading them again homes each by the new N.
  return Load(to);
}

JourneyService::~JourneyService() { Stop(); }

void JourneyService::Stop() {
  for (const auto& p : parts_) {
    {
      MutexLock lock(p->queue_mu);
      p->stop = true;
    }
    p->queue_cv.NotifyAll();
  }
  for (const auto& p : parts_) {
    if (p->thread.joinable()) p->thread.join();
  }
}

void JourneyService::OnCommitted(const std::vector<Event>& committed) {
  const uint32_t n = partitions();
  const TimeMs now = clock_.NowMs();
  std::vector<std::vector<JourneyInput>> routed(n);
  MutexLock lock(route_mu_);
  // This commit's merges go before its events, which are already filed under the merged profile.
  if (profiles_.merge_count() > merges_queued_) {
    for (identity::MergeRecord& mr : profiles_.MergesAfter(merges_queued_)) {
      merges_queued_ = mr.ordinal;
      splits_.Touch(mr.from, true);
      splits_.Touch(mr.to, true);
      const uint32_t exporter = journeys::PartitionOf(mr.from, n);
      const uint32_t survivor = journeys::PartitionOf(mr.to, n);
      JourneyInput in{{}, mr, {}, committed_seq_, now};
      if (survivor != exporter) routed[survivor].push_back(in);
      routed[exporter].push_back(std::move(in));
    }
  }
  for (const Event& e : committed) {
    if (e.seq == 0) continue;
    committed_seq_ = std::max(committed_seq_, e.seq);
    bool wanted = e.type == EventType::kTrack
                      ? interesting_.count(e.event) != 0
                      : e.type == EventType::kIdentify && interested_in_identify_;
    // A journey system event or an event the journeys or goals react to can move the profile in a
    // split: the split counts re-read it after this round (split_counters.h).
    if (e.type == EventType::kTrack && splits_.active() &&
        (wanted || SplitCounters::CanMove(e.event)))
      splits_.Touch(profiles_.ProfileOf(e.PrimaryIdentity()));
    if (!wanted) continue;
    const ProfileId profile = profiles_.ProfileOf(e.PrimaryIdentity());
    routed[journeys::PartitionOf(profile, n)].push_back(
        {InputOf(e, profile), std::nullopt, {}, e.seq - 1, now});
  }
  // Every partition learns the committed seq (its cursor moves with it when it has nothing to do).
  for (uint32_t k = 0; k < n; ++k) {
    Partition& p = *parts_[k];
    {
      MutexLock queue_lock(p.queue_mu);
      for (JourneyInput& in : routed[k]) Enqueue(p, std::move(in));
      p.committed_seq = committed_seq_;
    }
    if (!routed[k].empty()) p.queue_cv.NotifyOne();
  }
}

void JourneyService::OnSegmentChanged(const SegmentId& segment) {
  {
    AllLocked all(parts_);
    for (const auto& p : parts_) {
      AssumeHeld(p->mu);
      p->runtime->Refresh();
    }
  }
  RefreshFilter();
  const TimeMs now = clock_.NowMs();
  MutexLock lock(route_mu_);
  for (const auto& p : parts_) {
    {
      MutexLock queue_lock(p->queue_mu);
      Enqueue(*p, {{}, std::nullopt, segment, committed_seq_, now});
    }
    p->queue_cv.NotifyOne();
  }
}

Status JourneyService::RunUntilIdle() {
  AllLocked all(parts_);
  const TimeMs now = clock_.NowMs();
  return DrainAll(now, now);
}

std::vector<ProfileId> JourneyService::ProfilesIn(const JourneyId& journey) const {
  MutexLock lock(mu_);
  return catalog_.ProfilesIn(journey);
}

void JourneyService::SetFaultForTesting(std::function<void(const journeys::InputEvent&)> fault) {
  AllLocked all(parts_);
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    p->fault = fault;
  }
}

void JourneyService::HoldPartitionForTesting(uint32_t partition, bool held) {
  Partition& p = *parts_.at(partition);
  {
    MutexLock runtime_lock(p.mu);  // a round in progress ends first
    MutexLock lock(p.queue_mu);
    p.held = held;
  }
  p.queue_cv.NotifyAll();
}

std::optional<journeys::JourneyStatus> JourneyService::StatusOf(const JourneyId& id) const {
  std::optional<journeys::JourneyStatus> out;
  for (const auto& p : parts_) {
    MutexLock lock(p->mu);
    const journeys::JourneyStatus* st = p->runtime->StatusOf(id);
    if (st == nullptr) return std::nullopt;
    if (!out) out = LifecycleOf(*st);
    AddCounters(*out, *st);
  }
  return out;
}

JourneyService::Metrics JourneyService::metrics() const {
  Metrics out;
  const TimeMs now = clock_.NowMs();
  {
    MutexLock lock(route_mu_);
    out.committed = committed_seq_;
  }
  std::vector<JourneyId> ids;
  for (const auto& p : parts_) {
    PartitionMetrics pm;
    bool idle = false;
    uint64_t committed = 0;
    {
      MutexLock lock(p->queue_mu);
      pm.queued = p->queue.size();
      pm.oldest_ms = p->queue.empty() ? 0 : std::max<TimeMs>(0, now - p->queue.front().queued_at);
      idle = p->queue.empty() && !p->busy;
      committed = p->committed_seq;
    }
    {
      MutexLock lock(p->mu);
      pm.cursor = p->cursor;
      pm.profiles = p->runtime->ProfileCount();
      pm.spilled = p->spilled.load();
      if (p->index == 0) ids = p->runtime->JourneyIds();
    }
    pm.lag_events = idle || committed <= pm.cursor ? 0 : committed - pm.cursor;
    out.queued += pm.queued;
    out.profiles += pm.profiles;
    out.cursor = p->index == 0 ? pm.cursor : std::min(out.cursor, pm.cursor);
    out.partitions.push_back(pm);
  }
  for (const JourneyId& id : ids) {
    if (auto st = StatusOf(id)) out.statuses.emplace_back(id, std::move(*st));
  }
  out.poison_events = poison_events_.load();
  return out;
}

JourneyService::Backlog JourneyService::backlog() const {
  Backlog out;
  const TimeMs now = clock_.NowMs();
  for (const auto& p : parts_) {
    MutexLock lock(p->queue_mu);
    const int64_t oldest =
        p->queue.empty() ? 0 : std::max<TimeMs>(0, now - p->queue.front().queued_at);
    if (oldest > out.oldest_ms || (out.oldest_ms == 0 && p->queue.size() > out.queued)) {
      out = {p->index, p->queue.size(), oldest};
    }
  }
  return out;
}

std::string JourneyPartitionMetricsText(const JourneyService::Metrics& m) {
  std::string out = fmt::format(
      "# HELP signpost_journey_partitions Partitions of the journey runtime (one thread each).\n"
      "# TYPE signpost_journey_partitions gauge\nsignpost_journey_partitions {}\n",
      m.partitions.size());
  auto family = [&](std::string_view name, std::string_view help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
    for (size_t k = 0; k < m.partitions.size(); ++k)
      out += fmt::format("{}{{partition=\"{}\"}} {}\n", name, PromLabelValue(std::to_string(k)),
                         value(m.partitions[k]));
  };
  family("signpost_journey_partition_queue", "Inputs waiting in each journey partition's queue.",
         [](const JourneyService::PartitionMetrics& p) { return p.queued; });
  family("signpost_journey_partition_lag_events",
         "Committed sequence numbers each journey partition has not yet made durable.",
         [](const JourneyService::PartitionMetrics& p) { return p.lag_events; });
  out += fmt::format(
      "# HELP signpost_journey_partition_spilled_total Events queued without their payload (a "
      "partition past its bound; read back from the store by seq).\n"
      "# TYPE signpost_journey_partition_spilled_total counter\n");
  for (size_t k = 0; k < m.partitions.size(); ++k)
    out += fmt::format("signpost_journey_partition_spilled_total{{partition=\"{}\"}} {}\n",
                       PromLabelValue(std::to_string(k)), m.partitions[k].spilled);
  family("signpost_journey_partition_oldest_ms",
         "Age in ms of the oldest input waiting in each journey partition's queue.",
         [](const JourneyService::PartitionMetrics& p) { return p.oldest_ms; });
  return out;
}

int JourneyService::FrequencyCap() const { return settings_.Current().frequency_cap_per_day; }

// ---- definitions and lifecycle
// ------------------------------------------------------------------------

Result<AppliedDefinition> JourneyService::Apply(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition def,
                      journeys::ParseJourneyDefinition(text, hooks_.references()));
  AllLocked all(parts_);
  SP_ASSIGN_OR_RETURN(AppliedDefinition out,
                      StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kJourney,
                                      def.id.value(), text, note.empty() ? def.note : note));
  const uint64_t version = out.version;
  const JourneyId id = def.id;
  auto shared = std::make_shared<const journeys::JourneyDefinition>(std::move(def));
  std::unordered_set<std::string> goal_events;
  {
    MutexLock lock(mu_);
    KeepGoal(*shared);
    catalog_.Add(shared, version);
    goal_events = GoalEventsOf(goals_);
  }
  std::vector<journeys::Effects> fxs(parts_.size());
  std::vector<PartitionEffects> effects;
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    journeys::Effects& fx = fxs[p->index];
    p->goal_events = goal_events;
    p->runtime->AddVersion(shared, version);
    p->runtime->Upgrade(id, version, &fx);  // a live journey takes the edit for new entries
    fx.dirty_journeys.insert(id);
    effects.push_back({p.get(), &fx, 0, 0});
  }
  SP_RETURN_IF_ERROR(Persist(std::move(effects)));
  AssumeHeld(parts_[0]->mu);
  const journeys::JourneyStatus* st = parts_[0]->runtime->StatusOf(id);
  out.state = std::string(JourneyLifecycleName(st ? st->state : journeys::Lifecycle::kDraft));
  RefreshFilterFrom(*parts_[0]);
  return out;
}

void JourneyService::OnSettings(const Settings& settings) {
  AllLocked all(parts_);
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    p->runtime->SetFrequencyCap(settings.frequency_cap_per_day);
  }
}

Result<JourneyStateChange> JourneyService::SetState(const JourneyId& id, std::string_view state) {
  if (state != "live" && state != "stopped") {
    return Status::InvalidArgument(
        fmt::format("state: '{}' is not a state you can set; use live or stopped", state));
  }
  AllLocked all(parts_);
  Partition& p0 = *parts_[0];
  AssumeHeld(p0.mu);
  if (!p0.runtime->Definition(id, 0))
    return Status::NotFound(fmt::format("journey '{}' does not exist; apply it first", id));
  // Everything committed so far is handled first, so the change takes effect from now on.
  SP_RETURN_IF_ERROR(DrainAll(clock_.NowMs(), clock_.NowMs()));
  std::vector<journeys::Effects> fxs(parts_.size());
  std::vector<PartitionEffects> effects;
  for (const auto& p : parts_) {
    AssumeHeld(p->mu);
    journeys::Effects& fx = fxs[p->index];
    // Partition 0 first: a move its lifecycle refuses changes no partition.
    if (state == "live") {
      SP_RETURN_IF_ERROR(p->runtime->Start(id, clock_.NowMs(), &fx));
    } else {
      SP_RETURN_IF_ERROR(p->runtime->Stop(id, clock_.NowMs(), &fx));
    }
    fx.dirty_journeys.insert(id);
    effects.push_back({p.get(), &fx, 0, 0});
  }
  SP_RETURN_IF_ERROR(Persist(std::move(effects)));
  RefreshFilterFrom(p0);
  const journeys::JourneyStatus* st = p0.runtime->StatusOf(id);
  return JourneyStateChange{
      .id = id,
      .state = st->state,
      .version = st->live_version,
      .since = st->state == journeys::Lifecycle::kLive ? st->live_since : st->ended_at};
}

Result<JourneyList> JourneyService::List() const {
  SP_ASSIGN_OR_RETURN(auto records, store_.definitions().List(store::DefinitionKind::kJourney));
  JourneyList out;
  for (const auto& r : records) {
    JourneyRow row;
    row.id = JourneyId(r.id);
    row.version = r.version;
    row.name = r.id;
    {
      MutexLock lock(mu_);
      auto def = catalog_.Definition(row.id, r.version);
      if (def) row.name = def->name;
    }
    if (auto st = StatusOf(row.id)) {
      row.state = st->state;
      row.live_version = st->live_version;
      row.entered = st->entered;
      row.in_progress = st->in_progress;
      row.completed = st->completed;
    }
    out.journeys.push_back(std::move(row));
  }
  return out;
}

Result<JourneyView> JourneyService::Get(const JourneyId& id) const {
  SP_ASSIGN_OR_RETURN(auto history,
                      store_.definitions().History(store::DefinitionKind::kJourney, id.value()));
  if (history.empty()) return Status::NotFound(fmt::format("journey '{}' does not exist", id));
  std::shared_ptr<const journeys::JourneyDefinition> def;
  {
    MutexLock lock(mu_);
    def = catalog_.Definition(id, 0);
  }
  if (!def) return Status::NotFound(fmt::format("journey '{}' does not parse; apply it again", id));
  journeys::JourneyStatus st = StatusOf(id).value_or(journeys::JourneyStatus{});
  JourneyView out;
  out.id = id;
  out.name = def->name;
  out.state = st.state;
  out.version = history.back().version;
  out.live_version = st.live_version;
  for (const auto& v : history) out.versions.push_back({v.version, v.note, v.at});
  out.entry.reentry = journeys::ReentryText(def->entry);
  if (def->entry.trigger) {
    out.entry.event = def->entry.trigger->event;
  } else if (const auto& fs = def->entry.funnel_step) {
    out.entry.funnel_step =
        JourneyView::Entry::FunnelStep{fs->funnel, fs->step, fs->stalled, fs->after};
  } else {
    out.entry.segment = def->entry.segment;
    out.entry.join_later = def->entry.join_later;
  }
  out.exclude = def->exclude;
  out.suppress = def->suppress;
  out.listening_window = def->listening_window;
  out.holdout_percent = def->holdout_percent;
  out.steps = StepViews(*def, st);
  out.totals = TotalsOf(st);
  // The goal as parsed (typed values: a percent target is a number), as the goal report shows it.
  if (auto g = goals::ParseGoalJson(def->goal, "goal"); !def->goal.is_null() && g.ok())
    out.goal = goals::View(*g);
  out.start = def->start;
  out.end = def->end;
  if (st.live_since) out.live_since = st.live_since;
  return out;
}

// ---- privacy: one person ---------------------------------------------------------------------

Result<PersonForgotten> JourneyService::ForgetPerson(const Person& person) {
  PersonForgotten out;
  Partition& p = PartitionOf(person.profile);
  MutexLock lock(p.mu);  // its thread is between rounds: the queue is all it has not seen
  {
    MutexLock queue_lock(p.queue_mu);
    const auto before = p.queue.size();
    std::erase_if(p.queue, [&](const JourneyInput& item) {
      return !item.merge && item.segment_changed.empty() && item.event.profile == person.profile;
    });
    out.queued_inputs = before - p.queue.size();
    p.payloads = static_cast<size_t>(
        std::count_if(p.queue.begin(), p.queue.end(), [](const JourneyInput& item) {
          return !item.merge && item.segment_changed.empty() && !item.spilled;
        }));
  }
  journeys::Effects fx;
  const bool had_state = p.runtime->State(person.profile) != nullptr;
  out.journey_exits = p.runtime->Forget(person.profile, &fx).size();
  out.journey_states = had_state ? 1 : 0;
  {
    MutexLock shared_lock(mu_);
    splits_.Forget(person.profile);
  }
  if (!fx.empty()) SP_RETURN_IF_ERROR(Persist({{&p, &fx, 0, 0}}));
  return out;
}

void JourneyService::ExportPerson(const Person& person, PersonExport* out) const {
  Partition& p = PartitionOf(person.profile);
  MutexLock lock(p.mu);
  const journeys::ProfileState* st = p.runtime->State(person.profile);
  if (st == nullptr) return;
  for (const auto& [id, js] : st->journeys) {
    PersonJourney pj;
    pj.journey = id;
    pj.entries = js.entries;
    pj.last_entered = js.last_entered;
    pj.last_exited = js.last_exited;
    if (js.active) {
      const journeys::Instance& i = *js.active;
      pj.active = PersonJourney::Active{.entry = i.entry,
                                        .version = i.version,
                                        .step = p.runtime->StepId(id, i),
                                        .entered_at = i.entered_at,
                                        .step_since = i.step_since,
                                        .due = i.due,
                                        .holdout = i.holdout,
                                        .entry_event = i.entry_event,
                                        .entry_properties = i.entry_properties,
                                        .variant = i.variant,
                                        .last_message_key = i.last_message_key,
                                        .last_opened = i.last_opened,
                                        .last_clicked = i.last_clicked};
    }
    out->journeys.push_back(std::move(pj));
  }
  out->recent_sends = st->sends;
}

}  // namespace signpost::engine
