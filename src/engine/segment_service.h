// SegmentService: every segment — static lists (saved funnel people, imported ids) and rule
// segments (`kind: segment` definitions, evaluated on demand as of a time; see
// src/segments/README.md) — and the membership questions the journey, funnel and goal services
// ask. A change to a segment (a rule applied, a list saved or imported) is handed to the change
// observer (the journey service: suppression exits, join-later entries).
//
// Thread-safety: every method may be called from any thread. Apply and list writes are serialized
// (apply_mu_: check, store and add as one step); membership reads run concurrently with them (the
// catalog is safe for that).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/funnel_definition.h"
#include "base/mutex.h"
#include "engine/event_service.h"
#include "engine/person.h"
#include "identity/profile_store.h"
#include "segments/catalog.h"
#include "segments/profile_facts.h"
#include "signpost/clock.h"
#include "signpost/reports.h"
#include "store/store.h"

namespace signpost::engine {

class SegmentService {
 public:
  using ChangeObserver = std::function<void(const SegmentId& segment)>;

  // Loads the rule segments from the store. Every reference outlives the service.
  static Result<std::unique_ptr<SegmentService>> Open(store::Store& store,
                                                      const identity::ProfileStore& profiles,
                                                      const EventService& events,
                                                      const Clock& clock);
  // Set once, before any change can matter to the observer.
  void SetChangeObserver(ChangeObserver observer) EXCLUDES(observer_mu_);

  // ---- membership ---------------------------------------------------------------------------
  // Whether segment `name` exists (rule definition or static list).
  bool Exists(const SegmentId& segment) const;
  // Membership of `profile` in `name` at `at` (rule: evaluated as of `at`; static: latest list).
  // kNotFound for an unknown segment; storage errors as they come.
  Result<bool> InSegment(const SegmentId& segment, ProfileId profile, TimeMs at) const;
  // Facts of `profile` read lazily from the store and cached (events once, traits once, each
  // static list once), so asking many segments for one profile is cheap. They see the profile's
  // identities as of this call. Must not outlive the service; one thread at a time.
  std::unique_ptr<segments::ProfileFacts> FactsOf(ProfileId profile) const;
  // The first time after `at` at which time passing alone changes `segment`'s membership for the
  // profile of `facts` (a `funnel:` rule's `stuck_for`); nullopt when none (or a static list).
  Result<std::optional<TimeMs>> NextTimeChange(const SegmentId& segment,
                                               const segments::ProfileFacts& facts,
                                               TimeMs at) const;
  // InSegment reusing facts from FactsOf.
  Result<bool> InSegment(const SegmentId& segment, const segments::ProfileFacts& facts,
                         TimeMs at) const;
  // What can change membership of `name`: a rule's triggers, {is_static} for a static list,
  // empty for an unknown name.
  segments::Triggers TriggersOf(const SegmentId& segment) const;
  // The profiles in `name` now (a rule evaluated at the clock's now), sorted, merged profiles
  // once.
  Result<std::vector<ProfileId>> Members(const SegmentId& segment) const;

  // ---- changes --------------------------------------------------------------------------------
  // Validates and stores a `kind: segment` definition (no cycles, not the name of a static list).
  Result<AppliedDefinition> Apply(std::string_view text, std::string_view note) EXCLUDES(apply_mu_);
  // Deletes rule segment `segment` (every version) and tells the observer; the caller
  // (DefinitionService::Delete) made sure nothing refers to it.
  Status Remove(const SegmentId& segment) EXCLUDES(apply_mu_);
  // Stores `identities` as the next version of static list `segment` and tells the observer.
  Result<uint64_t> SaveList(const SegmentId& segment, const std::vector<std::string>& identities,
                            std::string_view note) EXCLUDES(apply_mu_);
  // See Engine::ImportSegment.
  Result<SegmentImport> Import(const SegmentId& segment, const std::vector<std::string>& ids,
                               std::string_view note, bool add) EXCLUDES(apply_mu_);

  // Forgets the parsed funnel definitions that step segments (`funnel:` rules) read: a funnel was
  // applied or deleted (DefinitionService). Any thread.
  void FunnelsChanged() EXCLUDES(funnels_mu_);

  // ---- views (typed reports of signpost/reports.h; see Engine::ListSegments and after)
  // -----------
  Result<SegmentList> List() const;
  Result<SegmentView> Get(const SegmentId& segment) const;
  Result<ProfileSegments> SegmentsOf(std::string_view profile) const;

  // ---- privacy: one person (the end of segment_service.cc) ---------------------------------
  // Fills `out->static_lists` (every version of every list holding one of their identities) and
  // `out->segments` (every segment, rule or static, they are in now, evaluated at the clock's now).
  Status ExportPerson(const Person& person, PersonExport* out) const;
  // Forgets `person` (an erasure): every version of every static list that holds one of their
  // identities is rewritten without them (serialized with saves and imports). Rule segments hold
  // nothing: they are evaluated from the events on demand, and no membership is cached beyond one
  // call's ProfileFacts. Fills static_lists and static_versions; idempotent.
  Result<PersonForgotten> ForgetPerson(const Person& person) EXCLUDES(apply_mu_);
  // The same for several people (a regulation's chunk): one pass over the static lists for them
  // all; the counts are those of forgetting them one by one (a version holding two of them
  // counts twice).
  Result<PersonForgotten> ForgetPeople(std::span<const Person> people) EXCLUDES(apply_mu_);

 private:
  class StoreProfileFacts;
  SegmentService(store::Store& store, const identity::ProfileStore& profiles,
                 const EventService& events, const Clock& clock);
  bool StaticExists(const SegmentId& segment) const;
  // Every profile with at least one event: from the index when loaded, else by a scan.
  Result<std::vector<ProfileId>> AllProfiles() const;
  Result<std::vector<ProfileId>> RuleMembers(const SegmentId& segment, TimeMs at) const;
  void Changed(const SegmentId& segment) EXCLUDES(observer_mu_);
  // The latest stored version of funnel `funnel`, parsed once and kept until FunnelsChanged (a
  // missing or unparsable funnel is not kept): what `funnel:` rules and their triggers read on
  // every event of a journey's segment check. kNotFound for an unknown funnel.
  Result<std::shared_ptr<const analytics::FunnelDefinition>> Funnel(const FunnelId& funnel) const
      EXCLUDES(funnels_mu_);

  store::Store& store_;
  const identity::ProfileStore& profiles_;
  const EventService& events_;
  const Clock& clock_;
  segments::SegmentCatalog catalog_;
  Mutex apply_mu_;  // Apply, SaveList, Import: check, store and add as one step
  Mutex observer_mu_;
  ChangeObserver observer_ GUARDED_BY(observer_mu_);
  mutable Mutex funnels_mu_;
  mutable std::map<FunnelId, std::shared_ptr<const analytics::FunnelDefinition>, std::less<>>
      funnels_ GUARDED_BY(funnels_mu_);
};

}  // namespace signpost::engine
