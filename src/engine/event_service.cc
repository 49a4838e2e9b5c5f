// EventService: opening, the commit function, the index kept in step with the store. The ingest
// paths (HTTP, import, dead letters) are in event_service_ingest.cc.
#include "engine/event_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/index_rebuild.h"

namespace signpost::engine {

Status StorePropertySource::Scan(
    rules::PropertyScope scope,
    const std::function<void(uint64_t, std::string_view)>& visit) const {
  return store_.ScanEvents(0, [&](const Event& e) {
    switch (scope) {
      case rules::PropertyScope::kProperties:
        visit(e.seq, e.properties);
        break;
      case rules::PropertyScope::kContext:
        visit(e.seq, e.context);
        break;
      case rules::PropertyScope::kTraits:
        visit(e.seq, e.traits);
        break;
    }
    return true;
  });
}

EventService::EventService(const EngineOptions& options, store::Store& store,
                           identity::ProfileStore& profiles, const Clock& clock)
    : options_(options),
      store_(store),
      profiles_(profiles),
      clock_(clock),
      limits_{options.max_event_bytes, options.max_batch_bytes, options.max_batch_events},
      properties_(store) {
  limits_.max_future_skew_ms = options.max_future_skew_ms;
}

EventService::~EventService() { commits_.reset(); }

Result<std::unique_ptr<EventService>> EventService::Open(const EngineOptions& options,
                                                         store::Store& store,
                                                         identity::ProfileStore& profiles,
                                                         SettingsService& settings,
                                                         const Clock& clock) {
  std::unique_ptr<EventService> s(new EventService(options, store, profiles, clock));
  if (options.load_index) SP_RETURN_IF_ERROR(s->LoadIndex());
  // ---- privacy: minimisation
  SP_ASSIGN_OR_RETURN(s->minimise_, Minimiser::Open(store, settings.Current().privacy));
  settings.AddObserver(
      [m = s->minimise_.get()](const Settings& now) { m->Configure(now.privacy); });
  SP_RETURN_IF_ERROR(s->minimise_->SweepDeadLetters(clock.NowMs(), /*force=*/true));
  EventService* raw = s.get();
  s->commits_ = std::make_unique<CommitQueue>(
      [raw](std::vector<Event>& events, std::vector<std::string>& refused) {
        return raw->Commit(events, refused);
      });
  return s;
}

Status EventService::LoadIndex() {
  WriterLock lock(index_mu_);
  merges_applied_ = profiles_.merge_count();
  SP_RETURN_IF_ERROR(RebuildIndex(store_, profiles_, index_));  // engine/index_rebuild.h
  index_loaded_ = true;
  spdlog::info(
      "analytics index: {} events, {} profiles, {:.1f} bytes/event", index_.EventCount(),
      index_.ProfileCount(),
      index_.EventCount() ? double(index_.MemoryBytes()) / double(index_.EventCount()) : 0.0);
  return Status::Ok();
}

Status EventService::Commit(std::vector<Event>& events, std::vector<std::string>& refused) {
  minimise_->Apply(events);  // privacy: before anything is stored
  {
    MutexLock write(write_mu_);
    SP_ASSIGN_OR_RETURN(store::AppendResult r,
                        AppendAdmitted(regulations_.load(), profiles_, events));
    accepted_ += r.accepted;
    duplicates_ += r.duplicates;
    refused_merges_ += r.refused_merges.size();
    for (auto& line : r.refused_merges) refused.push_back(std::move(line));
    if (index_loaded_) {
      WriterLock lock(index_mu_);
      SP_RETURN_IF_ERROR(UpdateIndex(events, r.profiles));
    }
  }
  // Called under observer_mu_, so clearing the observer (the engine closing) waits for a call in
  // progress: the observer is never called after it is cleared.
  MutexLock lock(observer_mu_);
  if (observer_) observer_(events);
  return Status::Ok();
}

Status EventService::UpdateIndex(const std::vector<Event>& events,
                                 const std::vector<ProfileId>& profiles) {
  for (const identity::MergeRecord& merge : profiles_.MergesAfter(merges_applied_)) {
    Status s = index_.MergeProfiles(merge.from, merge.to);
    // A profile that never had events is not in the index: nothing to move.
    if (!s.ok() && s.code() != Code::kNotFound) return s;
    merges_applied_ = merge.ordinal;
  }
  const size_t accepted = static_cast<size_t>(
      std::count_if(events.begin(), events.end(), [](const Event& e) { return e.seq != 0; }));
  if (profiles.size() == accepted) {  // resolved by the append: no second lookup per event
    size_t next = 0;
    for (const Event& e : events) {
      if (e.seq != 0) index_.Add(profiles[next++], e);
    }
    return Status::Ok();
  }
  for (const Event& e : events) {
    if (e.seq != 0) index_.Add(profiles_.ProfileOf(e.PrimaryIdentity()), e);
  }
  return Status::Ok();
}

Status EventService::RemoveEvents(std::vector<uint64_t> seqs, const store::EraseHook& hook,
                                  uint64_t* removed) {
  MutexLock write(write_mu_);
  SP_RETURN_IF_ERROR(store_.EraseEvents(seqs, hook, removed));
  if (index_loaded_) {
    WriterLock lock(index_mu_);
    // Every given seq, also those the store had erased before: the index follows the store.
    index_.RemoveEvents(seqs);
  }
  return Status::Ok();
}

void EventService::SetCommitObserver(CommitObserver observer) {
  MutexLock lock(observer_mu_);
  observer_ = std::move(observer);
}

Status EventService::LastWriteError() const {
  if (!commits_) return Status::FailedPrecondition("the store is closed");
  Status s = commits_->last_error();
  if (s.ok()) return s;
  return Status(s.code(), "the last write failed: " + s.message());
}

Status EventService::RequireIndex() const {
  if (!index_loaded_)
    return Status::FailedPrecondition("the analytics index is not loaded in this process");
  return Status::Ok();
}

EventService::Counters EventService::counters() const {
  return {accepted_.load(),       duplicates_.load(),      rejected_.load(),
          refused_merges_.load(), unauthenticated_.load(), refused_requests_.load()};
}

Result<IngestOutcome> EventService::RecordSystemEvents(std::vector<Event> events) {
  if (events.empty()) return IngestOutcome{};
  return commits_->Submit(std::move(events)).get();
}

Status EventService::KeepRejections(const std::vector<Rejection>& rejections,
                                    std::string_view source) {
  if (rejections.empty()) return Status::Ok();
  rejected_ += rejections.size();
  SP_RETURN_IF_ERROR(store_.AddDeadLetters(rejections, source, clock_.NowMs()).status());
  return minimise_->SweepDeadLetters(clock_.NowMs());  // privacy: at most once an hour
}

Status EventService::ScreenEvents(std::vector<Event>& events, std::string_view source,
                                  std::vector<Rejection>& rejections) {
  if (!screen_ || events.empty()) return Status::Ok();
  std::vector<Rejection> refused = screen_(events, source);
  if (refused.empty()) return Status::Ok();
  SP_RETURN_IF_ERROR(KeepRejections(refused, "tracking_plan"));
  for (auto& r : refused) rejections.push_back(std::move(r));
  return Status::Ok();
}

Result<IngestOutcome> EventService::Submit(ingest::ParsedEvents parsed, std::string_view source) {
  SP_RETURN_IF_ERROR(KeepRejections(parsed.rejections, source));
  std::vector<Rejection> refused;  // tracking plans: kept under their own source
  SP_RETURN_IF_ERROR(ScreenEvents(parsed.events, source, refused));
  for (auto& r : refused) parsed.rejections.push_back(std::move(r));
  IngestOutcome out;
  if (!parsed.events.empty()) {
    SP_ASSIGN_OR_RETURN(out, commits_->Submit(std::move(parsed.events)).get());
  }
  out.rejections = std::move(parsed.rejections);
  return out;
}

}  // namespace signpost::engine
