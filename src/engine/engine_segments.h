// The segments area's state inside Engine::Impl (see engine_segments.cc), and the membership
// functions other engine areas (the journey runtime, goals) call.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>

#include "engine/engine_impl.h"
#include "segments/catalog.h"
#include "segments/profile_facts.h"

namespace signpost {

// The rule segments, loaded at OpenSegments() and updated by ApplySegment.
struct SegmentsPart {
  explicit SegmentsPart(std::function<bool(std::string_view)> is_static)
      : catalog(std::move(is_static)) {}
  segments::SegmentCatalog catalog;
  std::mutex apply_mu;  // ApplySegment: check, store and add as one step
};

// Whether segment `name` exists (rule definition or static list). Thread-safe.
bool SegmentExists(const Engine::Impl& m, std::string_view name);
// Membership of `profile` in `name` at time `at` (rule: evaluated as of `at`; static: latest list).
// kNotFound for an unknown segment; storage errors as they come. Thread-safe.
Result<bool> InSegment(const Engine::Impl& m, std::string_view name, ProfileId profile, TimeMs at);
// Facts of `profile` read lazily from the store and cached (events once, traits once, each static
// list once), so asking many segments for one profile is cheap. The facts see the profile's
// identities as of this call. Owned by the caller; must not outlive `m`; one thread at a time.
std::unique_ptr<segments::ProfileFacts> FactsOf(const Engine::Impl& m, ProfileId profile);
// InSegment reusing facts from FactsOf.
Result<bool> InSegment(const Engine::Impl& m, std::string_view name,
                       const segments::ProfileFacts& facts, TimeMs at);
// What can change membership of `name`: a rule's triggers, {is_static} for a static list, empty for
// an unknown name. Thread-safe.
segments::Triggers SegmentTriggers(const Engine::Impl& m, std::string_view name);

}  // namespace signpost
