#include "engine/privacy_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "store/coding.h"

namespace signpost::engine {

namespace {

// Keys of the privacy column family this service owns (regulations.cc owns the tombstones,
// suppressions and the secret): the job of a running regulation (with its ids), the record of
// every regulation (counts only), and the purge marker (no ids).
constexpr std::string_view kJobPrefix = "job/";
constexpr std::string_view kRecordPrefix = "reg/";
constexpr std::string_view kPurgeKey = "purge";
// Ids handled per chunk: one tombstone write, one event removal, one identity write each.
constexpr size_t kChunkIds = 256;

std::string PrivacyKey(std::string_view prefix, uint64_t id) {
  std::string key(prefix);
  store::PutFixed64BE(key, id);
  return key;
}

void EncodeReport(const RegulationReport& r, std::string& out) {
  store::PutVarint64(out, static_cast<uint64_t>(r.type));
  store::PutLengthPrefixed(out, r.state);
  store::PutSignedVarint64(out, r.created_at);
  store::PutSignedVarint64(out, r.finished_at);
  for (uint64_t v : {r.subjects, r.found, r.profiles_erased, r.identities_erased, r.events_erased,
                     r.identities_suppressed, r.identities_unsuppressed, uint64_t{r.purged}}) {
    store::PutVarint64(out, v);
  }
  store::PutVarint64(out, r.services.size());
  for (const auto& s : r.services) store::PutLengthPrefixed(out, s);
  const PersonForgotten& f = r.forgotten;
  for (uint64_t v :
       {f.journey_exits, f.journey_states, f.queued_inputs, f.outbox_cancelled, f.outbox_deleted,
        f.static_lists, f.static_versions, f.dead_letters, uint64_t{f.bandits_reloaded}}) {
    store::PutVarint64(out, v);
  }
}

bool DecodeReport(std::string_view& in, RegulationReport& r) {
  uint64_t type = 0, purged = 0, services = 0;
  std::string_view state;
  if (!store::GetVarint64(in, type) || type > 3 || !store::GetLengthPrefixed(in, state) ||
      !store::GetSignedVarint64(in, r.created_at) || !store::GetSignedVarint64(in, r.finished_at)) {
    return false;
  }
  for (uint64_t* v :
       {&r.subjects, &r.found, &r.profiles_erased, &r.identities_erased, &r.events_erased,
        &r.identities_suppressed, &r.identities_unsuppressed, &purged}) {
    if (!store::GetVarint64(in, *v)) return false;
  }
  if (!store::GetVarint64(in, services) || services > 64) return false;
  r.services.clear();
  for (uint64_t i = 0; i < services; ++i) {
    std::string_view s;
    if (!store::GetLengthPrefixed(in, s)) return false;
    r.services.emplace_back(s);
  }
  PersonForgotten& f = r.forgotten;
  uint64_t bandits = 0;
  for (uint64_t* v :
       {&f.journey_exits, &f.journey_states, &f.queued_inputs, &f.outbox_cancelled,
        &f.outbox_deleted, &f.static_lists, &f.static_versions, &f.dead_letters, &bandits}) {
    if (!store::GetVarint64(in, *v)) return false;
  }
  f.bandits_reloaded = bandits != 0;
  r.type = static_cast<RegulationType>(type);
  r.state = state;
  r.purged = purged != 0;
  return true;
}

bool Deletes(RegulationType t) {
  return t == RegulationType::kDelete || t == RegulationType::kSuppressWithDelete;
}
bool Suppresses(RegulationType t) {
  return t == RegulationType::kSuppress || t == RegulationType::kSuppressWithDelete;
}

Status CheckRequest(const RegulationRequest& request) {
  if (request.ids.empty()) return Status::InvalidArgument("ids: empty; name at least one person");
  if (request.ids.size() > kMaxRegulationIds) {
    return Status::InvalidArgument(
        fmt::format("ids: {} ids is more than {} per regulation; split them into several",
                    request.ids.size(), kMaxRegulationIds));
  }
  for (size_t i = 0; i < request.ids.size(); ++i) {
    const std::string& id = request.ids[i];
    if (id.empty()) return Status::InvalidArgument(fmt::format("ids[{}]: empty; give an id", i));
    if (id.size() > kMaxRegulationIdBytes) {
      return Status::InvalidArgument(
          fmt::format("ids[{}]: {} bytes is longer than {}", i, id.size(), kMaxRegulationIdBytes));
    }
    if (std::any_of(id.begin(), id.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 32; }))
      return Status::InvalidArgument(
          fmt::format("ids[{}]: a control character; give the id as sent to signpost", i));
  }
  return Status::Ok();
}

}  // namespace

struct PrivacyService::Job {
  RegulationRequest request;
  RegulationReport report;
  uint64_t next = 0;  // ids [0, next) are done

  std::string Encode() const {
    std::string out;
    EncodeReport(report, out);
    store::PutVarint64(out, static_cast<uint64_t>(request.subject));
    store::PutVarint64(out, next);
    store::PutVarint64(out, request.ids.size());
    for (const auto& id : request.ids) store::PutLengthPrefixed(out, id);
    return out;
  }
  bool Decode(std::string_view in) {
    uint64_t subject = 0, n = 0;
    if (!DecodeReport(in, report) || !store::GetVarint64(in, subject) || subject > 2 ||
        !store::GetVarint64(in, next) || !store::GetVarint64(in, n) || n > kMaxRegulationIds) {
      return false;
    }
    request.type = report.type;
    request.subject = static_cast<SubjectType>(subject);
    request.ids.clear();
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view id;
      if (!store::GetLengthPrefixed(in, id)) return false;
      request.ids.emplace_back(id);
    }
    return in.empty() && next <= n;
  }
};

PrivacyService::PrivacyService(store::Store& store, identity::ProfileStore& profiles,
                               Regulations& regulations, const Clock& clock, Hooks hooks)
    : store_(store),
      profiles_(profiles),
      regulations_(regulations),
      clock_(clock),
      hooks_(std::move(hooks)) {}

Result<RegulationReport> PrivacyService::Run(
    const RegulationRequest& request,
    const std::function<void(const RegulationProgress&)>& progress) {
  SP_RETURN_IF_ERROR(CheckRequest(request));
  MutexLock lock(run_mu_);
  SP_ASSIGN_OR_RETURN(auto last, store_.db().Last(store::Cf::kPrivacy, kRecordPrefix));
  Job job;
  job.request = request;
  job.report.id = last ? store::DecodeFixed64BE(last->first.data() + kRecordPrefix.size()) + 1 : 1;
  job.report.type = request.type;
  job.report.state = "running";
  job.report.created_at = clock_.NowMs();
  job.report.subjects = request.ids.size();
  if (Deletes(request.type)) {
    for (const auto& f : hooks_.forget) job.report.services.push_back(f.service);
  }
  // Recorded before any work: from here on the regulation completes, even across a crash.
  store::Batch batch = store_.db().NewBatch();
  std::string record;
  EncodeReport(job.report, record);
  batch.Put(store::Cf::kPrivacy, PrivacyKey(kRecordPrefix, job.report.id), record);
  batch.Put(store::Cf::kPrivacy, PrivacyKey(kJobPrefix, job.report.id), job.Encode());
  SP_RETURN_IF_ERROR(store_.db().Write(batch, /*sync=*/true));
  // (Engine::Regulate records it in the audit log, counts only: engine_privacy.cc.)
  return Execute(job, progress);
}

Status PrivacyService::Resume() {
  MutexLock lock(run_mu_);
  std::vector<Job> jobs;
  Status bad;
  SP_RETURN_IF_ERROR(store_.db().Scan(
      store::Cf::kPrivacy, kJobPrefix, kJobPrefix,
      [&](std::string_view key, std::string_view value) {
        Job job;
        if (key.size() != kJobPrefix.size() + 8 || !job.Decode(value)) {
          bad = Status::Corruption("a privacy regulation job record is unreadable");
          return false;
        }
        job.report.id = store::DecodeFixed64BE(key.data() + kJobPrefix.size());
        jobs.push_back(std::move(job));
        return true;
      }));
  SP_RETURN_IF_ERROR(bad);
  for (Job& job : jobs) {
    spdlog::warn("privacy: completing regulation {} ({}), interrupted after {} of {} ids",
                 job.report.id, RegulationTypeName(job.request.type), job.next,
                 job.request.ids.size());
    SP_RETURN_IF_ERROR(Execute(job, {}).status());
  }
  SP_ASSIGN_OR_RETURN(auto marker, store_.db().Get(store::Cf::kPrivacy, kPurgeKey));
  if (marker) {
    spdlog::warn("privacy: purging what an interrupted regulation removed");
    SP_RETURN_IF_ERROR(Purge());
  }
  return Status::Ok();
}

Result<RegulationReport> PrivacyService::Execute(
    Job& job, const std::function<void(const RegulationProgress&)>& progress) {
  const size_t total = job.request.ids.size();
  while (job.next < total) {
    const size_t end = std::min(total, size_t(job.next) + kChunkIds);
    SP_RETURN_IF_ERROR(ExecuteChunk(job, job.next, end));
    job.next = end;
    if (job.next < total) {  // the position, so a resume starts here (the last chunk: below)
      store::Batch batch = store_.db().NewBatch();
      batch.Put(store::Cf::kPrivacy, PrivacyKey(kJobPrefix, job.report.id), job.Encode());
      SP_RETURN_IF_ERROR(store_.db().Write(batch, /*sync=*/true));
    }
    if (progress) progress({job.next, total});
  }
  // The job record (the ids) goes in the same write that leaves the purge marker (no ids): a
  // crash after it purges again at the next open.
  job.report.state = "done";
  job.report.finished_at = clock_.NowMs();
  const bool purge = Deletes(job.request.type);
  store::Batch batch = store_.db().NewBatch();
  std::string record;
  EncodeReport(job.report, record);
  batch.Put(store::Cf::kPrivacy, PrivacyKey(kRecordPrefix, job.report.id), record);
  batch.Delete(store::Cf::kPrivacy, PrivacyKey(kJobPrefix, job.report.id));
  if (purge) batch.Put(store::Cf::kPrivacy, kPurgeKey, "");
  SP_RETURN_IF_ERROR(store_.db().Write(batch, /*sync=*/true));
  if (purge) {
    SP_RETURN_IF_ERROR(Purge());
    job.report.purged = static_cast<bool>(hooks_.purge);
    record.clear();
    EncodeReport(job.report, record);
    store::Batch done = store_.db().NewBatch();
    done.Put(store::Cf::kPrivacy, PrivacyKey(kRecordPrefix, job.report.id), record);
    SP_RETURN_IF_ERROR(store_.db().Write(done, /*sync=*/true));
  }
  if (Suppresses(job.request.type))
    job.report.refused_events = regulations_.RefusedUnder(job.report.id);
  return job.report;
}

Status PrivacyService::Purge() {
  if (hooks_.purge) SP_RETURN_IF_ERROR(hooks_.purge());
  store::Batch batch = store_.db().NewBatch();
  batch.Delete(store::Cf::kPrivacy, kPurgeKey);
  return store_.db().Write(batch, /*sync=*/false);  // lost on a crash: the next open purges again
}

Status PrivacyService::ExecuteChunk(Job& job, size_t begin, size_t end) {
  const RegulationType type = job.request.type;
  // Each id's identity forms (tombstoned or suppressed even when no profile has them, so a late
  // import cannot bring them in), and the people they name, once each.
  std::vector<std::string> forms;
  std::vector<Person> people;
  std::set<uint64_t> seen;
  for (size_t i = begin; i < end; ++i) {
    const std::string& id = job.request.ids[i];
    std::vector<std::string> mine;
    switch (job.request.subject) {
      case SubjectType::kUserId:
        mine.push_back(UserIdentity(id));
        break;
      case SubjectType::kAnonymousId:
        mine.push_back(AnonymousIdentity(id));
        break;
      case SubjectType::kIdentity:
        if (id.starts_with("user:") || id.starts_with("anon:")) {
          mine.push_back(id);
        } else {
          mine.push_back(UserIdentity(id));
          mine.push_back(AnonymousIdentity(id));
        }
        break;
    }
    ProfileId profile(0);
    for (const auto& form : mine) {
      profile = profiles_.ProfileOf(form);
      if (profile.value() != 0) break;
    }
    for (auto& form : mine) forms.push_back(std::move(form));
    if (profile.value() == 0) {
      if (job.report.not_found.size() < 1000) job.report.not_found.push_back(id);
      continue;
    }
    ++job.report.found;
    if (!seen.insert(profile.value()).second) continue;
    people.push_back({profile, profiles_.IdentitiesOf(profile)});
  }
  for (const Person& p : people)
    forms.insert(forms.end(), p.identities.begin(), p.identities.end());
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());

  if (type == RegulationType::kUnsuppress) {
    SP_ASSIGN_OR_RETURN(size_t lifted, regulations_.Unsuppress(forms));
    job.report.identities_unsuppressed += lifted;
    return Status::Ok();
  }
  if (Suppresses(type)) {
    SP_RETURN_IF_ERROR(regulations_.Suppress(forms, job.report.id, job.report.created_at));
    job.report.identities_suppressed += forms.size();
  }
  if (!Deletes(type)) return Status::Ok();
  // From here no event at or before the request's time is stored for them, whatever arrives.
  SP_RETURN_IF_ERROR(regulations_.Tombstone(forms, job.report.created_at));
  // Service by service, in order (each person is still forgotten by the earlier services first).
  for (const auto& f : hooks_.forget) {
    if (f.forget_all) {
      if (people.empty()) continue;
      auto forgotten = f.forget_all(people);
      if (!forgotten.ok()) {
        const Status& s = forgotten.status();
        return Status(s.code(),
                      fmt::format("{} could not forget {} profiles (from {}): {}", f.service,
                                  people.size(), people.front().profile.value(), s.message()));
      }
      job.report.forgotten += *forgotten;
      continue;
    }
    for (const Person& p : people) {
      auto forgotten = f.forget(p);
      if (!forgotten.ok()) {
        const Status& s = forgotten.status();
        return Status(s.code(), fmt::format("{} could not forget profile {}: {}", f.service,
                                            p.profile.value(), s.message()));
      }
      job.report.forgotten += *forgotten;
    }
  }
  std::vector<std::string> identities;
  std::vector<ProfileId> profiles;
  for (const Person& p : people) {
    identities.insert(identities.end(), p.identities.begin(), p.identities.end());
    profiles.push_back(p.profile);
  }
  if (!identities.empty() && hooks_.remove_events) {
    SP_ASSIGN_OR_RETURN(auto events, store_.EventsOf(identities, 0));
    std::vector<uint64_t> seqs;
    seqs.reserve(events.size());
    for (const Event& e : events) seqs.push_back(e.seq);
    std::sort(seqs.begin(), seqs.end());
    job.report.events_erased += seqs.size();
    if (!seqs.empty()) SP_RETURN_IF_ERROR(hooks_.remove_events(std::move(seqs), profiles));
  }
  SP_ASSIGN_OR_RETURN(auto erased, profiles_.Erase(profiles));
  job.report.profiles_erased += people.size();
  job.report.identities_erased += erased.size();
  // What the services recorded about them while they forgot (a journey's exit, at the clock's
  // now) is refused too: the erase time moves to now.
  return regulations_.Tombstone(forms, std::max(job.report.created_at, clock_.NowMs()));
}

Result<RegulationReport> PrivacyService::Get(uint64_t id) const {
  SP_ASSIGN_OR_RETURN(auto value,
                      store_.db().Get(store::Cf::kPrivacy, PrivacyKey(kRecordPrefix, id)));
  if (!value) return Status::NotFound(fmt::format("no regulation {}", id));
  RegulationReport r;
  std::string_view in = *value;
  if (!DecodeReport(in, r))
    return Status::Corruption(fmt::format("regulation {} is unreadable", id));
  r.id = id;
  if (Suppresses(r.type)) r.refused_events = regulations_.RefusedUnder(id);
  return r;
}

}  // namespace signpost::engine
