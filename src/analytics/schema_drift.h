// Schema drift: findings read from an EventCatalog's rings as of `now` (the injected clock), each
// naming the definitions that read what drifted. Pure: the same catalog, time and definitions give
// the same findings, and a finding's key and first_detected stay the same while it holds, so a
// caller (the alerts service) can deduplicate on the key.
//
// The rules (days are UTC days of event time; "recent" is today when today has at least
// `min_recent` profiled events of the name, else yesterday and today; "baseline" is the 7 days
// before yesterday):
// - event_stopped: an event seen on at least 3 days of the 7 before its last arrival, at a mean
//   rate r per hour over those 7 days, has not arrived for a gap in which at least
//   `stop_expected` (10) events were expected (r × gap; P(no event) < 5e-5 for a Poisson count),
//   and for at least an hour. first_detected: last seen + the time at which 10 were expected.
// - likely_rename: an event that stopped, or collapsed (its last 24 hours below 20% of its mean
//   day in the baseline, that mean at least 10), and a new event (first seen in the last 7 days, a
//   day or more after the old one) of the same type with a similar name: equal once lower-cased
//   with everything but letters and digits removed, or within an edit distance of a fifth of its
//   length. The new event is the suggestion; the stop and the new event are not reported again.
//   first_detected: the new event's first arrival.
// - new_event: first seen in the last 7 days, while the catalog holds events at least a day older.
// - type_change: a property whose recent occurrences are at least 20% of a JSON type that was
//   under 1% of its baseline occurrences (baseline ≥ 20, recent ≥ 5). first_detected: the start
//   of the first day of the last 8 on which that type reached 20%.
// - property_missing: a property present on ≥ 80% of the baseline's profiled events (≥ 20) of its
//   name and on < 20% of the recent ones (≥ 10). first_detected: the start of the first day of the
//   run of days, up to today, on which it was under 20%.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "analytics/event_catalog.h"
#include "signpost/event_catalog.h"

namespace signpost::analytics {

// What one definition reads: an event name ("" = an identify's traits) and the property paths it
// reads on it ("properties.plan", "traits.email").
struct DefinitionRead {
  DriftAffected who;
  std::string event;
  std::vector<std::string> properties;
};

struct DriftOptions {
  uint64_t min_recent = 10;   // profiled events of a name for "today" alone to be the recent window
  double stop_expected = 10;  // events expected in the silence before a stop is reported
  DurationMs new_within = 7 * kDayMs;
};

// The findings of `catalog` as of `now`, by kind then key.
std::vector<DriftFinding> EvaluateDrift(const EventCatalog& catalog, TimeMs now,
                                        const std::vector<DefinitionRead>& reads,
                                        const DriftOptions& options = {});

// "emailverified" for "Email Verified" and "email_verified": lower-cased letters and digits.
std::string NormalizedEventName(std::string_view name);

}  // namespace signpost::analytics
