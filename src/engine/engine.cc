// Engine: opening, keys, metrics, and the index kept in step with the store.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/engine_delivery.h"
#include "engine/engine_impl.h"
#include "engine/engine_journeys.h"
#include "engine/engine_segments.h"

namespace signpost {

Status StorePropertySource::Scan(
    analytics::PropertyScope scope,
    const std::function<void(uint64_t, std::string_view)>& visit) const {
  return store_.ScanEvents(0, [&](const Event& e) {
    switch (scope) {
      case analytics::PropertyScope::kProperties:
        visit(e.seq, e.properties);
        break;
      case analytics::PropertyScope::kContext:
        visit(e.seq, e.context);
        break;
      case analytics::PropertyScope::kTraits:
        visit(e.seq, e.traits);
        break;
    }
    return true;
  });
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::Impl::Impl() = default;
Engine::Impl::~Impl() = default;

Engine::~Engine() {
  if (!impl_) return;
  // The journeys and delivery threads record events through the commit queue: stop them first,
  // then drain pending commits before the store closes.
  impl_->CloseJourneys();
  impl_->CloseDelivery();
  impl_->commits.reset();
}

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  if (options.data_dir.empty())
    return Status::InvalidArgument("data_dir: empty; pass the data folder with --data DIR");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->clock = options.clock ? options.clock : &impl->system_clock;
  impl->limits = {options.max_event_bytes, options.max_batch_bytes, options.max_batch_events};
  impl->limits.max_future_skew_ms = options.max_future_skew_ms;
  store::StoreOptions so;
  so.dir = options.data_dir;
  so.sync = options.sync;
  SP_ASSIGN_OR_RETURN(impl->profiles, identity::ProfileStore::Open(so));
  impl->properties = std::make_unique<StorePropertySource>(impl->store());
  impl->merges_applied = impl->profiles->merge_count();
  if (options.load_index) SP_RETURN_IF_ERROR(impl->LoadIndex());
  Impl* raw = impl.get();
  impl->commits = std::make_unique<engine::CommitQueue>(
      [raw](std::vector<Event>& events, std::vector<std::string>& refused) {
        return raw->Commit(events, refused);
      });
  SP_RETURN_IF_ERROR(impl->OpenSegments());
  SP_RETURN_IF_ERROR(impl->OpenDelivery());
  SP_RETURN_IF_ERROR(impl->OpenJourneys());
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Status Engine::Impl::LoadIndex() {
  std::unique_lock lock(index_mu);
  Status s = store().ScanEvents(0, [&](const Event& e) {
    index.Add(profiles->ProfileOf(e.PrimaryIdentity()), e);
    return true;
  });
  SP_RETURN_IF_ERROR(s);
  index.Seal();
  index_loaded = true;
  spdlog::info("analytics index: {} events, {} profiles, {:.1f} bytes/event", index.EventCount(),
               index.ProfileCount(),
               index.EventCount() ? double(index.MemoryBytes()) / double(index.EventCount()) : 0.0);
  return Status::Ok();
}

Status Engine::Impl::Commit(std::vector<Event>& events, std::vector<std::string>& refused) {
  SP_ASSIGN_OR_RETURN(store::AppendResult r, profiles->Append(events));
  accepted += r.accepted;
  duplicates += r.duplicates;
  refused_merges += r.refused_merges.size();
  for (auto& line : r.refused_merges) refused.push_back(std::move(line));
  if (index_loaded) {
    std::unique_lock lock(index_mu);
    SP_RETURN_IF_ERROR(UpdateIndex(events));
  }
  OnCommitted(events);
  return Status::Ok();
}

Status Engine::Impl::UpdateIndex(const std::vector<Event>& events) {
  for (const identity::MergeRecord& merge : profiles->MergesAfter(merges_applied)) {
    Status s = index.MergeProfiles(merge.from, merge.to);
    // A profile that never had events is not in the index: nothing to move.
    if (!s.ok() && s.code() != Code::kNotFound) return s;
    merges_applied = merge.ordinal;
  }
  for (const Event& e : events) {
    if (e.seq != 0) index.Add(profiles->ProfileOf(e.PrimaryIdentity()), e);
  }
  return Status::Ok();
}

// ---- keys -------------------------------------------------------------------------------------

namespace {
nlohmann::json KeyJson(const store::ApiKey& k) {
  return {{"token", k.token},
          {"kind", k.kind},
          {"name", k.name},
          {"created_at", k.created_at},
          {"revoked", k.revoked}};
}
}  // namespace

Result<nlohmann::json> Engine::CreateKey(std::string_view kind, std::string_view name) {
  SP_ASSIGN_OR_RETURN(store::ApiKey k,
                      impl_->store().keys().Create(kind, name, impl_->clock->NowMs()));
  return KeyJson(k);
}

Result<nlohmann::json> Engine::ListKeys() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : impl_->store().keys().List()) out.push_back(KeyJson(k));
  return out;
}

Status Engine::RevokeKey(std::string_view token_or_prefix) {
  return impl_->store().keys().Revoke(token_or_prefix, impl_->clock->NowMs()).status();
}

bool Engine::CheckKey(std::string_view token, std::string_view kind) const {
  return !token.empty() && impl_->store().keys().Check(token, kind);
}

uint64_t Engine::EventCount() const { return impl_->store().EventCount(); }

const Clock& Engine::clock() const { return *impl_->clock; }

Status Engine::Ready() const {
  if (!impl_->commits) return Status::FailedPrecondition("the store is closed");
  Status s = impl_->commits->last_error();
  if (s.ok()) return s;
  return Status(s.code(), "the last write failed: " + s.message());
}

std::string Engine::MetricsText() const {
  const Impl& m = *impl_;
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help, uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, v);
  };
  metric("signpost_events_accepted_total", "counter", "Events stored since start.", m.accepted);
  metric("signpost_events_duplicate_total", "counter",
         "Events dropped as duplicates of a stored messageId.", m.duplicates);
  metric("signpost_events_rejected_total", "counter", "Events refused (kept as dead letters).",
         m.rejected);
  metric("signpost_requests_refused_total", "counter",
         "Ingest requests refused whole (over a limit or unreadable).", m.refused_requests);
  metric("signpost_requests_unauthenticated_total", "counter",
         "Ingest requests without a valid write key.", m.unauthenticated);
  metric("signpost_identity_merges_refused_total", "counter",
         "Identity links refused because they would merge two userIds.", m.refused_merges);
  metric("signpost_events_stored", "gauge", "Events in the store.", m.store().EventCount());
  metric("signpost_dead_letters", "gauge", "Dead letters in the store.",
         m.store().dead_letters().count());
  {
    std::shared_lock lock(m.index_mu);
    metric("signpost_index_events", "gauge", "Events in the analytics index.",
           m.index.EventCount());
    metric("signpost_index_bytes", "gauge", "Bytes held by the analytics index core columns.",
           m.index.MemoryBytes());
  }
  if (m.journeys) {
    JourneysPart& j = *m.journeys;
    uint64_t queued = 0, committed = 0;
    {
      std::lock_guard lock(j.queue_mu);
      queued = j.queue.size();
      committed = j.committed_seq;
    }
    uint64_t live = 0, in_progress = 0, profiles = 0, cursor = 0;
    std::vector<std::pair<std::string, journeys::JourneyStatus>> statuses;
    {
      std::lock_guard lock(j.mu);
      cursor = j.cursor;
      profiles = j.runtime->ProfileCount();
      for (const auto& id : j.runtime->JourneyIds()) {
        if (const journeys::JourneyStatus* st = j.runtime->StatusOf(id))
          statuses.emplace_back(id, *st);
      }
    }
    for (const auto& [id, st] : statuses) {
      live += st.state == journeys::Lifecycle::kLive ? 1 : 0;
      in_progress += st.in_progress;
    }
    metric("signpost_journeys_live", "gauge", "Journeys in the live state.", live);
    metric("signpost_journey_profiles_in_progress", "gauge",
           "Profiles inside a journey now (all journeys).", in_progress);
    metric("signpost_journey_profiles_known", "gauge", "Profiles with journey state.", profiles);
    metric("signpost_journey_queue", "gauge", "Committed events waiting for the journey runtime.",
           queued);
    metric("signpost_journey_lag_events", "gauge",
           "Committed sequence numbers the journey runtime has not yet made durable.",
           committed > cursor ? committed - cursor : 0);
    metric("signpost_journey_poison_events_total", "counter",
           "Events the journey runtime could not handle and set aside (dead letters with source "
           "journeys), and failed timers, merges or segment changes; alert when it rises.",
           j.poison_events.load());
    out +=
        "# HELP signpost_journey_entries_total Entries into each journey, re-entries included.\n"
        "# TYPE signpost_journey_entries_total counter\n";
    for (const auto& [id, st] : statuses)
      out += fmt::format("signpost_journey_entries_total{{journey=\"{}\"}} {}\n", id, st.entries);
    out +=
        "# HELP signpost_journey_completed_total Profiles that completed each journey.\n"
        "# TYPE signpost_journey_completed_total counter\n";
    for (const auto& [id, st] : statuses)
      out +=
          fmt::format("signpost_journey_completed_total{{journey=\"{}\"}} {}\n", id, st.completed);
  }
  return out;
}

}  // namespace signpost
