// Engine: opening, keys, metrics, and the index kept in step with the store.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/prometheus_text.h"
#include "engine/catalog_service.h"
#include "engine/engine_channels.h"
#include "engine/engine_impl.h"
#include "engine/engine_journeys.h"
#include "signpost/acting_as.h"

namespace signpost {

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::Impl::Impl() = default;
Engine::Impl::~Impl() = default;

Engine::~Engine() {
  if (!impl_) return;
  // The journeys and delivery threads record events through the commit queue: stop them first,
  // then drain pending commits before the store closes.
  // Nothing reaches the journey runtime once it stops: the observers go first.
  impl_->alerts.reset();  // alerts: its thread reads every service below
  impl_->definitions.reset();
  impl_->privacy.reset();
  impl_->retention.reset();  // privacy: retention (its thread removes events through `events`)
  impl_->events->SetCommitObserver(nullptr);
  impl_->segments->SetChangeObserver(nullptr);
  impl_->journeys->Stop();  // before reset(): the hooks reach the service through impl_->journeys
  impl_->journeys.reset();
  impl_->experiments.reset();
  impl_->goals.reset();
  impl_->channels.reset();
  impl_->delivery.reset();
  impl_->next_best_actions.reset();
  impl_->funnels.reset();
  impl_->profile_reports.reset();
  impl_->events.reset();
  impl_->catalog.reset();  // after events: its observer and screen
}

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  if (options.data_dir.empty())
    return Status::InvalidArgument("data_dir: empty; pass the data folder with --data DIR");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->clock = options.clock ? options.clock : &impl->system_clock;
  store::StoreOptions so;
  so.dir = options.data_dir;
  so.sync = options.sync;
  SP_ASSIGN_OR_RETURN(impl->storage, store::Store::Open(so));
  SP_ASSIGN_OR_RETURN(impl->profiles, identity::ProfileStore::Open(*impl->storage));
  impl->audit = std::make_unique<engine::AuditService>(*impl->storage, *impl->clock);
  SP_ASSIGN_OR_RETURN(impl->settings, engine::SettingsService::Open(*impl->storage, *impl->clock));
  Impl* raw = impl.get();
  SP_ASSIGN_OR_RETURN(impl->regulations, engine::Regulations::Open(impl->store()));
  SP_ASSIGN_OR_RETURN(impl->events,
                      engine::EventService::Open(options, impl->store(), *impl->profiles,
                                                 *impl->settings, *impl->clock));
  impl->events->SetRegulations(impl->regulations.get());
  // The event catalog (catalog_service.h): observes every commit (set with the journeys below);
  // its tracking plans screen every item from outside before it is committed.
  SP_ASSIGN_OR_RETURN(impl->catalog, engine::CatalogService::Open(impl->store(), *impl->settings,
                                                                  *impl->clock, {}));
  impl->events->SetScreen(
      [c = impl->catalog.get()](std::vector<Event>& events, std::string_view source) {
        return c->Screen(events, source);
      });
  impl->profile_reports = std::make_unique<engine::ProfileService>(*impl->profiles);
  {  // ---- privacy: retention
    engine::RetentionService::Options retention;
    retention.thread = options.retention_thread;
    impl->retention = std::make_unique<engine::RetentionService>(
        *impl->events, impl->store(), *impl->settings, *impl->audit, *impl->clock, retention);
  }
  SP_ASSIGN_OR_RETURN(impl->segments, engine::SegmentService::Open(impl->store(), *impl->profiles,
                                                                   *impl->events, *impl->clock));
  impl->funnels = std::make_unique<engine::FunnelService>(options, impl->store(), *impl->profiles,
                                                          *impl->events, *impl->segments,
                                                          *impl->clock, impl->settings.get());
  impl->next_best_actions = std::make_unique<engine::NextBestActionService>(
      *impl->funnels, *impl->segments, *impl->profiles, *impl->clock);
  SP_ASSIGN_OR_RETURN(impl->delivery,
                      engine::DeliveryService::Open(options, impl->store(), *impl->profiles,
                                                    *impl->events, *impl->clock));
  impl->channels = std::make_unique<engine::ChannelService>(impl->store(), *impl->profiles);
  impl->goals =
      std::make_unique<engine::GoalService>(impl->store(), *impl->profiles, *impl->events,
                                            *impl->segments, *impl->channels, *impl->clock);
  impl->experiments = std::make_unique<engine::ExperimentService>(
      impl->store(), *impl->profiles, *impl->goals, *impl->channels, *impl->clock);
  engine::JourneyService::Hooks hooks;
  const engine::JourneyReaders readers{*impl->clock,    impl->store(),
                                       *impl->profiles, *impl->segments,
                                       *impl->funnels,  *impl->delivery,
                                       *impl->goals,    *impl->experiments,
                                       *impl->channels, impl->next_best_actions.get()};
  hooks.environment = [readers](const engine::JourneyService& journeys) {
    return std::make_unique<engine::JourneyEnvironment>(readers, journeys);
  };
  hooks.references = [refs = engine::JourneyReferences(impl->store(), *impl->segments,
                                                       *impl->delivery)] { return refs.Checks(); };
  hooks.record_goal_credits = [raw](const std::unordered_set<uint64_t>& profiles)
                                  NO_THREAD_SAFETY_ANALYSIS {
                                    // Called by the journey service with its mutex held.
                                    return raw->goals->RecordCredits(*raw->journeys, profiles);
                                  };
  hooks.load_splits = [raw]() NO_THREAD_SAFETY_ANALYSIS {
    return raw->journeys->splits().LoadAll(*raw->experiments,
                                           *raw->journeys);  // with the journeys mutex held
  };
  hooks.update_splits = [raw]() NO_THREAD_SAFETY_ANALYSIS {
    return raw->journeys->splits().Update(*raw->experiments,
                                          *raw->journeys);  // with the journeys mutex held
  };
  SP_ASSIGN_OR_RETURN(
      impl->journeys,
      engine::JourneyService::Open(impl->store(), *impl->profiles, *impl->events, *impl->delivery,
                                   *impl->settings, *impl->clock, std::move(hooks),
                                   {.partitions = options.journey_partitions,
                                    .queue_payloads = options.journey_queue_payloads}));
  impl->journey_ready_lag_ms = options.journey_ready_lag_ms;
  impl->settings->AddObserver([journeys = impl->journeys.get()](const engine::Settings& settings) {
    journeys->OnSettings(settings);
  });
  impl->replay = std::make_unique<engine::ReplayService>(readers, *impl->journeys);
  SP_RETURN_IF_ERROR(impl->journeys->Start());
  impl->definitions = std::make_unique<engine::DefinitionService>(
      impl->store(), *impl->funnels, *impl->segments, *impl->delivery, *impl->journeys,
      *impl->settings, [raw] { return raw->journeys->References(); });
  impl->definitions->AddKind(  // tracking plans: the catalog service's kind
      DefinitionKind::kTrackingPlan,
      {.check = &engine::CatalogService::CheckPlan,
       .apply = [c = impl->catalog.get()](
                    std::string_view text,
                    std::string_view note) { return c->ApplyPlan(text, note); },
       .removed = [c = impl->catalog.get()](std::string_view id) { c->PlanRemoved(id); }});
  // From now on commits and segment changes reach the runtime (what was committed before is
  // caught up from the cursor by Open).
  engine::JourneyService* journeys = impl->journeys.get();
  impl->events->SetCommitObserver(
      [journeys, catalog = impl->catalog.get()](const std::vector<Event>& committed) {
        catalog->OnCommitted(committed);
        journeys->OnCommitted(committed);
      });
  impl->segments->SetChangeObserver(
      [journeys](const SegmentId& segment) { journeys->OnSegmentChanged(segment); });
  // ---- privacy: the services told to forget an erased person, in order (one line each), the
  // event removal and the purge.
  engine::PrivacyService::Hooks privacy;
  using Forgotten = Result<PersonForgotten>;
  using engine::Person;
  privacy.forget = {
      {"journeys", [raw](const Person& p) { return raw->journeys->ForgetPerson(p); }, {}},
      {"delivery",
       {},
       [raw](std::span<const Person> ps) { return raw->delivery->ForgetPeople(ps); }},
      {"segments",
       {},
       [raw](std::span<const Person> ps) { return raw->segments->ForgetPeople(ps); }},
      {"dead_letters",
       {},
       [raw](std::span<const Person> ps) { return raw->events->ForgetDeadLetters(ps); }},
      {"channels",
       [raw](const Person& p) { return Forgotten(raw->channels->ForgetPerson(p)); },
       {}},
  };
  privacy.remove_events = [events = impl->events.get()](std::vector<uint64_t> seqs,
                                                        std::span<const ProfileId> profiles) {
    return events->RemoveEventsOf(std::move(seqs), profiles);
  };
  privacy.purge = [store = impl->storage.get()] { return store->Purge(); };
  impl->privacy = std::make_unique<engine::PrivacyService>(
      impl->store(), *impl->profiles, *impl->regulations, *impl->clock, std::move(privacy));
  SP_RETURN_IF_ERROR(impl->privacy->Resume());  // regulations a crash interrupted complete here
  SP_RETURN_IF_ERROR(OpenAlerts(*impl));        // alerts: incidents and step health
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

// ---- segments ----------------------------------------------------------------------------------

Result<SegmentList> Engine::ListSegments() const { return impl_->segments->List(); }
Result<SegmentView> Engine::Segment(const SegmentId& segment) const {
  return impl_->segments->Get(segment);
}
Result<ProfileSegments> Engine::SegmentsOf(std::string_view profile) const {
  return impl_->segments->SegmentsOf(profile);
}
Result<SegmentImport> Engine::ImportSegment(const SegmentId& segment,
                                            const std::vector<std::string>& ids,
                                            std::string_view note, bool add) {
  return impl_->audit->Recorded(
      "segment.import", "segment/" + segment.value(),
      impl_->segments->Import(segment, ids, note, add), [](const SegmentImport& r) {
        return nlohmann::json{{"version", r.version}, {"add", r.add}, {"members", r.members}};
      });
}

// ---- profiles ----------------------------------------------------------------------------------

Result<ProfileReport> Engine::Profile(std::string_view id) const {
  return impl_->profile_reports->Profile(id);
}
Result<ProfileEventList> Engine::ProfileEvents(std::string_view id, size_t limit) const {
  return impl_->profile_reports->Events(id, limit);
}

// ---- funnels ------------------------------------------------------------------------------------

Result<FunnelReport> Engine::Funnel(const FunnelQuery& query) const {
  SP_ASSIGN_OR_RETURN(FunnelReport report, impl_->funnels->Report(query));
  report.retention = impl_->retention->NoteFor(report.from);  // privacy: retention
  return report;
}
Result<FunnelPeople> Engine::FunnelPeople(const FunnelPeopleQuery& query) const {
  return impl_->funnels->People(query);
}
Result<SavedFunnelPeople> Engine::SaveFunnelPeople(const FunnelPeopleQuery& query,
                                                   const SegmentId& segment) {
  return impl_->audit->Recorded(
      "funnel.save_people", "segment/" + segment.value(),
      impl_->funnels->SavePeople(query, segment), [](const SavedFunnelPeople& r) {
        return nlohmann::json{{"version", r.version}, {"members", r.members}, {"note", r.note}};
      });
}
Result<FunnelLastStep> Engine::LastCompletedStep(const FunnelId& funnel,
                                                 std::string_view profile) const {
  return impl_->funnels->LastStep(funnel, profile);
}
Result<FunnelStuck> Engine::FunnelStuck(const FunnelStuckQuery& query) const {
  return impl_->funnels->Stuck(query);
}

// ---- goals
// ---------------------------------------------------------------------------------------

Result<GoalReport> Engine::GoalReport(std::string_view journey,
                                      const GoalReportQuery& query) const {
  SP_ASSIGN_OR_RETURN(signpost::GoalReport report,
                      impl_->goals->Report(*impl_->journeys, journey, query));
  report.retention = impl_->retention->NoteFor(report.from);  // privacy: retention
  return report;
}

// ---- privacy: retention
// --------------------------------------------------------------------------

Result<RetentionReport> Engine::EnforceRetention() {
  // The sweep records what it removed ("retention.sweep"); this records that an operator ran it.
  return impl_->audit->Recorded(
      "retention.run", "", impl_->retention->Enforce(/*purge=*/true), [](const RetentionReport& r) {
        return nlohmann::json{{"events_removed", r.events_removed}, {"purged", r.purged}};
      });
}
Status Engine::RunRetentionDue() { return impl_->retention->RunDue(); }
Result<GoalPeople> Engine::GoalPeople(std::string_view journey,
                                      const GoalReportQuery& query) const {
  return impl_->goals->People(*impl_->journeys, journey, query);
}

// ---- experiments
// ---------------------------------------------------------------------------------

Result<ExperimentList> Engine::Experiments() const {
  return impl_->experiments->List(*impl_->journeys);
}
Result<SplitReport> Engine::Experiment(std::string_view journey, std::string_view step) const {
  return impl_->experiments->Report(*impl_->journeys, journey, step);
}
Result<ChannelStepReport> Engine::ChannelReport(std::string_view journey,
                                                std::string_view step) const {
  return impl_->experiments->ChannelReport(*impl_->journeys, journey, step);
}
Result<HoldoutLiftReport> Engine::HoldoutLift(std::string_view journey,
                                              const HoldoutLiftQuery& query) const {
  return impl_->experiments->HoldoutLift(*impl_->journeys, journey, query);
}
Result<MoneyReport> Engine::JourneyMoney(std::string_view journey, const MoneyQuery& query) const {
  return impl_->experiments->Money(*impl_->journeys, journey, query);
}

// ---- delivery and tracking ---------------------------------------------------------------------

Result<OutboxView> Engine::Outbox(size_t limit) const { return impl_->delivery->Outbox(limit); }
Status Engine::DeliverDue() { return impl_->delivery->DeliverDue(); }
Status Engine::TrackOpen(std::string_view token) { return impl_->delivery->TrackOpen(token); }
Result<std::string> Engine::TrackClick(std::string_view token) {
  return impl_->delivery->TrackClick(token);
}
Result<bool> Engine::Unsubscribe(std::string_view token) {
  ActingAs actor("recipient (one-click unsubscribe)");
  auto r = impl_->delivery->Unsubscribe(token, /*record=*/true);
  // A bad token, or a repeat that changed nothing, leaves no entry (a link cannot fill the log).
  if (r.status().code() == Code::kInvalidArgument) return r.status();
  if (r.ok() && !r->changed) return false;
  // The journey, step and channel only: the audit log holds no personal data.
  nlohmann::json detail;
  if (r.ok())
    detail = {{"journey", r->journey},
              {"step", r->step},
              {"channel", r->channel},
              {"consent", r->consent},
              {"changed", r->changed}};
  impl_->audit->Record("delivery.unsubscribe",
                       r.ok() ? fmt::format("journey/{}", r->journey) : "unsubscribe", detail,
                       r.status());
  if (!r.ok()) return r.status();
  return r->changed;
}
Result<std::string> Engine::CheckUnsubscribe(std::string_view token) {
  SP_ASSIGN_OR_RETURN(engine::Unsubscribe u, impl_->delivery->Unsubscribe(token, false));
  return u.consent;
}

// engine.h keeps Engine::impl_ private and has no test hook; an explicit instantiation may name a
// private member, which gives ImplOf its pointer-to-member without changing the public header.
using ImplMember = std::unique_ptr<Engine::Impl> Engine::*;
ImplMember EngineImplMember();
template <ImplMember P>
struct ExposeImpl {
  friend ImplMember EngineImplMember() { return P; }
};
template struct ExposeImpl<&Engine::impl_>;

Engine::Impl& ImplOf(Engine& engine) { return *(engine.*EngineImplMember()); }

// ---- keys -------------------------------------------------------------------------------------

namespace {
ApiKeyInfo KeyInfo(const store::ApiKey& k) {
  return {.token = k.token,
          .kind = k.kind,
          .name = k.name,
          .created_at = k.created_at,
          .revoked = k.revoked};
}
}  // namespace

Result<ApiKeyInfo> Engine::CreateKey(std::string_view kind, std::string_view name) {
  auto created = impl_->store().keys().Create(kind, name, impl_->clock->NowMs());
  Result<ApiKeyInfo> out =
      created.ok() ? Result<ApiKeyInfo>(KeyInfo(*created)) : Result<ApiKeyInfo>(created.status());
  return impl_->audit->Recorded(
      "keys.create", fmt::format("{} key {}", kind, name), out, [](const ApiKeyInfo& k) {
        return nlohmann::json{{"prefix", k.token.substr(0, std::min<size_t>(k.token.size(), 12))}};
      });
}

Result<std::vector<ApiKeyInfo>> Engine::ListKeys() const {
  std::vector<ApiKeyInfo> out;
  for (const auto& k : impl_->store().keys().List()) out.push_back(KeyInfo(k));
  return out;
}

Status Engine::RevokeKey(std::string_view token_or_prefix) {
  auto revoked = impl_->store().keys().Revoke(token_or_prefix, impl_->clock->NowMs());
  // The target is the prefix only: a whole token must not be kept beside the keys.
  const std::string prefix(token_or_prefix.substr(0, std::min<size_t>(token_or_prefix.size(), 12)));
  impl_->audit->Record(
      "keys.revoke", revoked.ok() ? revoked->kind + " key " + revoked->name : prefix,
      revoked.ok() ? nlohmann::json{{"prefix", prefix}} : nlohmann::json(), revoked.status());
  return revoked.status();
}

bool Engine::CheckKey(std::string_view token, std::string_view kind) const {
  return !token.empty() && impl_->store().keys().Check(token, kind);
}

uint64_t Engine::EventCount() const { return impl_->store().EventCount(); }

const Clock& Engine::clock() const { return *impl_->clock; }

namespace {

// Whether the journey runtime keeps up: FailedPrecondition naming the partition furthest behind
// when its oldest input waits longer than the bound (back-pressure made visible); ok otherwise.
Status JourneysCaughtUp(const Engine::Impl& impl) {
  if (!impl.journeys) return Status::Ok();
  const engine::JourneyService::Backlog b = impl.journeys->backlog();
  if (b.oldest_ms > impl.journey_ready_lag_ms) {
    return Status::FailedPrecondition(fmt::format(
        "journeys are behind: partition {} has {} inputs waiting, the oldest for {} ms (more "
        "than {} ms)",
        b.partition, b.queued, b.oldest_ms, impl.journey_ready_lag_ms));
  }
  return Status::Ok();
}

}  // namespace

Status Engine::Ready() const {
  if (!impl_->events) return Status::FailedPrecondition("the store is closed");
  SP_RETURN_IF_ERROR(impl_->events->LastWriteError());
  return JourneysCaughtUp(*impl_);
}

std::vector<ReadinessCheck> Engine::Readiness() const {
  std::vector<ReadinessCheck> out;
  const bool open = impl_->events != nullptr;
  out.push_back({"store_open", open, open ? "the store is open" : "the store is closed"});
  if (!open) return out;
  const Status write = impl_->events->LastWriteError();
  out.push_back({"durable_writes", write.ok(),
                 write.ok() ? "the last durable write succeeded" : write.message()});
  const Status journeys = JourneysCaughtUp(*impl_);
  out.push_back({"journeys_caught_up", journeys.ok(),
                 journeys.ok() ? fmt::format("no journey input waits longer than {} ms",
                                             impl_->journey_ready_lag_ms)
                               : journeys.message()});
  return out;
}

// ---- ingest and dead letters ------------------------------------------------------------------

Result<IngestOutcome> Engine::IngestHttp(std::string_view endpoint, std::string_view body,
                                         std::string_view auth_key) {
  return impl_->events->IngestHttp(endpoint, body, auth_key,
                                   [this](std::string_view key) { return CheckKey(key, "write"); });
}

// What the audit log keeps of an import.
static nlohmann::json ImportAuditDetail(const ImportSummary& s) {
  return nlohmann::json{{"accepted", s.outcome.accepted},
                        {"duplicates", s.outcome.duplicates},
                        {"rejected", s.outcome.rejections.size()}};
}

Result<ImportSummary> Engine::Import(const std::string& path, ImportFormat format,
                                     const std::function<void(const ImportProgress&)>& progress) {
  return impl_->audit->Recorded("import", "file " + path,
                                impl_->events->Import(path, format, progress), ImportAuditDetail);
}

Result<ImportSummary> Engine::ImportUpload(const std::string& path, const std::string& name,
                                           ImportFormat format) {
  return impl_->audit->Recorded("import", "file " + name,
                                impl_->events->Import(path, format, nullptr, name),
                                ImportAuditDetail);
}

Result<IngestOutcome> Engine::IngestEvents(std::vector<Event> events) {
  return impl_->events->IngestEvents(std::move(events));
}

Result<IngestOutcome> Engine::ReimportDeadLetters(const std::vector<uint64_t>& ids) {
  return impl_->audit->Recorded(
      "deadletters.reimport", ids.empty() ? std::string("all") : fmt::format("{} ids", ids.size()),
      impl_->events->ReimportDeadLetters(ids), [](const IngestOutcome& o) {
        return nlohmann::json{{"accepted", o.accepted},
                              {"duplicates", o.duplicates},
                              {"rejected", o.rejections.size()}};
      });
}

Result<AuditTrail> Engine::Audit(const AuditQuery& query) const {
  return impl_->audit->List(query);
}

std::string Engine::AdminActor(std::string_view token) const {
  return impl_->audit->AdminActor(token);
}

Result<DeadLetterList> Engine::ListDeadLetters(size_t limit) const {
  return impl_->events->DeadLetters(limit);
}

std::string Engine::MetricsText() const {
  const Impl& m = *impl_;
  const engine::EventService::Counters c = m.events->counters();
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help, uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, v);
  };
  metric("signpost_events_accepted_total", "counter", "Events stored since start.", c.accepted);
  metric("signpost_events_duplicate_total", "counter",
         "Events dropped as duplicates of a stored messageId.", c.duplicates);
  metric("signpost_events_rejected_total", "counter", "Events refused (kept as dead letters).",
         c.rejected);
  metric("signpost_requests_refused_total", "counter",
         "Ingest requests refused whole (over a limit or unreadable).", c.refused_requests);
  metric("signpost_requests_unauthenticated_total", "counter",
         "Ingest requests without a valid write key.", c.unauthenticated);
  metric("signpost_identity_merges_refused_total", "counter",
         "Identity links refused because they would merge two userIds.", c.refused_merges);
  metric("signpost_events_stored", "gauge", "Events in the store.", m.store().EventCount());
  // ---- privacy
  metric("signpost_events_refused_erased_total", "counter",
         "Events refused because an identity was erased (at or before its erase time).",
         m.regulations->refused_erased());
  metric("signpost_events_refused_suppressed_total", "counter",
         "Events refused because an identity is suppressed.", m.regulations->refused_suppressed());
  metric("signpost_identities_suppressed", "gauge", "Identities suppressed now.",
         m.regulations->suppressed_count());
  metric("signpost_identities_tombstoned", "gauge", "Erased identities (keyed hashes) kept.",
         m.regulations->tombstone_count());
  metric("signpost_dead_letters", "gauge", "Dead letters in the store.",
         m.store().dead_letters().count());
  m.events->ReadIndex([&](const analytics::EventIndex& index, const analytics::PropertySource*) {
    metric("signpost_index_events", "gauge", "Events in the analytics index.", index.EventCount());
    metric("signpost_index_bytes", "gauge", "Bytes held by the analytics index core columns.",
           index.MemoryBytes());
  });
  if (m.delivery) out += m.delivery->counters().MetricsText();
  if (m.alerts) out += m.alerts->MetricsText();  // alerts: open incidents by kind
  if (m.journeys) {
    const engine::JourneyService::Metrics jm = m.journeys->metrics();
    const auto& statuses = jm.statuses;
    uint64_t live = 0, in_progress = 0;
    for (const auto& [id, st] : statuses) {
      live += st.state == journeys::Lifecycle::kLive ? 1 : 0;
      in_progress += st.in_progress;
    }
    metric("signpost_journeys_live", "gauge", "Journeys in the live state.", live);
    metric("signpost_journey_profiles_in_progress", "gauge",
           "Profiles inside a journey now (all journeys).", in_progress);
    metric("signpost_journey_profiles_known", "gauge", "Profiles with journey state.", jm.profiles);
    metric("signpost_journey_queue", "gauge", "Committed events waiting for the journey runtime.",
           jm.queued);
    uint64_t lag = 0;
    for (const auto& pm : jm.partitions) lag = std::max(lag, pm.lag_events);
    metric("signpost_journey_lag_events", "gauge",
           "Committed sequence numbers the journey runtime has not yet made durable (the "
           "partition furthest behind).",
           lag);
    out += engine::JourneyPartitionMetricsText(jm);
    metric("signpost_journey_poison_events_total", "counter",
           "Events the journey runtime could not handle and set aside (dead letters with source "
           "journeys), and failed timers, merges or segment changes; alert when it rises.",
           jm.poison_events);
    out +=
        "# HELP signpost_journey_entries_total Entries into each journey, re-entries included.\n"
        "# TYPE signpost_journey_entries_total counter\n";
    for (const auto& [id, st] : statuses)
      out += fmt::format("signpost_journey_entries_total{{journey=\"{}\"}} {}\n",
                         PromLabelValue(id.value()), st.entries);
    out +=
        "# HELP signpost_journey_completed_total Profiles that completed each journey.\n"
        "# TYPE signpost_journey_completed_total counter\n";
    for (const auto& [id, st] : statuses)
      out += fmt::format("signpost_journey_completed_total{{journey=\"{}\"}} {}\n",
                         PromLabelValue(id.value()), st.completed);
  }
  return out;
}

}  // namespace signpost
