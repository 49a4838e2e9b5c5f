// ProfileFacts: what a segment rule needs to know about one profile, answered as of a time. The
// engine implements it over the store (src/engine/engine_segments.cc); tests implement it in
// memory. Implementations read lazily and cache, so one ProfileFacts answers many questions about
// one profile cheaply.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/status.h"

namespace signpost::segments {

// Where a profile stands in a stored funnel at one time (a `funnel:` rule).
struct FunnelFact {
  int last_step = 0;        // 1-based index of the last required step completed; 0 none
  TimeMs last_step_at = 0;  // when it was completed (0 when none)
};

class ProfileFacts {
 public:
  virtual ~ProfileFacts() = default;
  // The value of trait `name` ("plan", "address.city": dotted, without "traits.") as of `at`: the
  // last identify with timestamp <= at that set it, as JSON text ("\"pro\"", "3", "true"); nullopt
  // when unset.
  virtual std::optional<std::string> TraitAt(std::string_view name, TimeMs at) const = 0;
  // The profile's events named `event` with timestamp in [from, to], by (timestamp, seq):
  // fn(timestamp, properties JSON text); stops when fn returns false.
  virtual Status ForEachEvent(std::string_view event, TimeMs from, TimeMs to,
                              const std::function<bool(TimeMs, std::string_view)>& fn) const = 0;
  // Whether one of the profile's identities is in static segment `segment` (latest version).
  virtual bool InStaticSegment(const SegmentId& segment) const = 0;
  // The profile's position in stored funnel `funnel` as of `at`, from its events with timestamp
  // <= at only. kNotFound for an unknown funnel. Default: kNotFound (facts that know no funnels).
  virtual Result<FunnelFact> FunnelAt(const FunnelId& funnel, TimeMs at) const {
    return Status::NotFound("no funnel '" + funnel.value() + "'");
  }
};

}  // namespace signpost::segments
