// Retention reports and the retention note of funnel and goal reports, written as JSON.
#include "base/duration.h"
#include "base/time.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

json At(TimeMs t) { return {{"ms", t}, {"iso", FormatIso8601(t)}}; }

}  // namespace

json ToJson(const RetentionNote& note) {
  return {{"events_before", At(note.events_before)}, {"note", note.note}};
}

json ToJson(const RetentionReport& r) {
  json by_event = json::object();
  for (const auto& [name, period] : r.by_event) by_event[name] = FormatDuration(period);
  return {{"at", At(r.at)},
          {"events", FormatDuration(r.events)},
          {"by_event", std::move(by_event)},
          {"events_removed", r.events_removed},
          {"oldest_kept", r.oldest_kept ? At(*r.oldest_kept) : json(nullptr)},
          {"purged", r.purged}};
}

}  // namespace signpost::wire
