// SegmentCatalog: the current rule segments (`kind: segment` definitions) and their evaluation for
// one profile as of a time. Membership is evaluated on demand; nothing is materialized.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "segments/profile_facts.h"
#include "segments/segment_definition.h"

namespace signpost::segments {

// What can change a segment's membership for a profile (transitively through referenced segments).
struct Triggers {
  std::vector<std::string> events;  // event names whose arrival can change it (sorted, unique)
  bool traits = false;              // an identify (trait change) can change it
  bool time = false;                // time passing alone can change it (a `within` window)
  bool is_static = false;           // depends on a static list
  // Funnels whose step events (and, for status steps, trait changes) can change it; the engine,
  // which knows the funnels' definitions, adds those to `events` and `traits`.
  std::vector<FunnelId> funnels;
};

// Thread-safety: const methods may run concurrently with each other and with Put/Load (an internal
// reader-writer lock; Put, Remove and Load are exclusive).
class SegmentCatalog {
 public:
  // `is_static(segment)` says whether a static segment of that name exists (used by Put to accept
  // references to static lists); when empty, no static segment exists. It must be thread-safe.
  explicit SegmentCatalog(std::function<bool(const SegmentId&)> is_static = {});

  // Validates `def` against the segments already known (refs exist, no cycle) and adds/replaces it.
  // kInvalidArgument naming the field, the unknown name or the cycle, and the fix.
  Status Put(SegmentDefinition def);
  // The same checks as Put without adding.
  Status Check(const SegmentDefinition& def) const;
  // Forgets rule segment `segment` (deleted). Nothing else is checked: the caller made sure no
  // segment refers to it.
  void Remove(const SegmentId& segment);
  // Adds stored definitions without checking references (they were checked when applied; a static
  // list deleted since then reads as empty). Used when opening the engine.
  void Load(std::vector<SegmentDefinition> defs);

  bool IsRule(const SegmentId& segment) const;
  // The definition of rule segment `segment`; nullptr when unknown. Shared: valid after a later
  // Put.
  std::shared_ptr<const SegmentDefinition> Get(const SegmentId& segment) const;
  // Every rule segment, by id.
  std::vector<std::shared_ptr<const SegmentDefinition>> List() const;

  // Whether the profile is a member of rule segment `segment` at time `at`. Static names referenced
  // inside rules are answered by facts.InStaticSegment. kNotFound for an unknown name; a storage
  // error of facts.ForEachEvent as is.
  Result<bool> IsMember(const SegmentId& segment, const ProfileFacts& facts, TimeMs at) const;
  // What can change membership of `segment` (empty for an unknown one; {is_static} is not set
  // for an unknown one either: ask the caller's static store).
  Triggers TriggersOf(const SegmentId& segment) const;
  // The first time after `at` at which time passing alone can change the membership of `segment`
  // for this profile through a `funnel:` rule's `stuck_for` (read through referenced rule
  // segments); nullopt when none (or for an unknown segment). The journey runtime re-evaluates
  // the profile then, so someone stuck past the bound joins (or leaves) at that instant.
  Result<std::optional<TimeMs>> NextTimeChange(const SegmentId& segment, const ProfileFacts& facts,
                                               TimeMs at) const;

 private:
  using Map = std::map<SegmentId, std::shared_ptr<const SegmentDefinition>, std::less<>>;
  Status CheckLocked(const SegmentDefinition& def) const;

  std::function<bool(const SegmentId&)> is_static_;
  mutable std::shared_mutex mu_;
  Map rules_;
};

}  // namespace signpost::segments
