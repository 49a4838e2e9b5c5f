// PrivacyService: privacy regulations (RegulationRequest, docs/CONTRACT.md privacy): DELETE erases
// each person the ids name (the profile and every linked identity, engine::Person) from every
// service, the events, the identity layer and, after a purge, every file of the data folder;
// SUPPRESS refuses their later events; SUPPRESS_WITH_DELETE does both; UNSUPPRESS lifts a
// suppression. What stays in force afterwards (tombstones, suppressions) is Regulations'.
//
// Durable and idempotent: a regulation is recorded (with the ids needed to resume) before any work;
// then, chunk by chunk of people: tombstones / suppressions installed, the services told to forget
// (Hooks::forget), the events removed (Hooks::remove_events), the identity records erased; the job
// record (the only record that holds the ids) is deleted in the same write that leaves a purge
// marker (no ids), then the store is purged (Hooks::purge) and the marker removed. Killed at any
// point, Resume (called by Engine::Open) completes it: every step may run twice.
//
// Thread-safety: every public method may be called from any thread; regulations run one at a time
// (run_mu_), reads of a regulation's record run concurrently with them.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "engine/person.h"
#include "engine/regulations.h"
#include "identity/profile_store.h"
#include "signpost/clock.h"
#include "signpost/queries.h"
#include "signpost/reports.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::engine {

class PrivacyService {
 public:
  // A service that holds something about people, told to forget each erased one.
  struct Forgetter {
    std::string service;  // its name in the report ("journeys", "delivery", ...)
    // Idempotent; returns what it removed (PersonForgotten), added up in the report.
    std::function<Result<PersonForgotten>(const Person&)> forget;
    // When set, used instead of `forget`: forgets every person of a chunk at once (one pass over
    // what the service holds), returning the same counts as `forget` one by one.
    std::function<Result<PersonForgotten>(std::span<const Person>)> forget_all;
  };
  struct Hooks {
    // Told in order about each erased person, before their events and identity records go.
    std::vector<Forgetter> forget;
    // Removes the events of these seqs, which belong to these profiles, from the store and the
    // analytics index.
    std::function<Status(std::vector<uint64_t>, std::span<const ProfileId>)> remove_events;
    // Makes removed bytes leave every file (flush, forced compaction, new WAL and manifest).
    std::function<Status()> purge;
  };

  // `store`, `profiles`, `regulations` and `clock` outlive the service.
  PrivacyService(store::Store& store, identity::ProfileStore& profiles, Regulations& regulations,
                 const Clock& clock, Hooks hooks);

  // Completes every regulation a crash interrupted, then a purge left pending. Called once by
  // Engine::Open after every service is open. Errors as Run.
  Status Resume() EXCLUDES(run_mu_);

  // Records `request` durably, carries it out, purges; returns what it did. `progress` (may be
  // empty) is called on this thread after each chunk of ids. kInvalidArgument naming `ids[i]` for
  // an empty id, one over kMaxRegulationIdBytes or one with a control character, and `ids` when
  // there are none or more than kMaxRegulationIds. kIoError when the store fails (the regulation
  // then completes at the next open).
  Result<RegulationReport> Run(const RegulationRequest& request,
                               const std::function<void(const RegulationProgress&)>& progress)
      EXCLUDES(run_mu_);

  // The record of regulation `id` (counts, state; no ids). kNotFound for an unknown id.
  Result<RegulationReport> Get(uint64_t id) const;

 private:
  struct Job;
  // Carries out `job` from its recorded position, then finishes it (job record deleted, purge).
  Result<RegulationReport> Execute(Job& job,
                                   const std::function<void(const RegulationProgress&)>& progress)
      REQUIRES(run_mu_);
  // One chunk of ids [begin, end) of `job`.
  Status ExecuteChunk(Job& job, size_t begin, size_t end) REQUIRES(run_mu_);
  Status Purge() REQUIRES(run_mu_);

  store::Store& store_;
  identity::ProfileStore& profiles_;
  Regulations& regulations_;
  const Clock& clock_;
  const Hooks hooks_;
  Mutex run_mu_;
};

}  // namespace signpost::engine
