// Programme replays and what-ifs: their reports written as JSON (the requests are read in
// replay_request_json.cc).
#include "base/time.h"
#include "wire/fields.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

json ToJson(const ProgrammeReplayReport& r) {
  json journeys = json::array();
  for (const ReplayReport& j : r.journeys) journeys.push_back(ToJson(j));
  return {{"from", FormatIso8601(r.from)}, {"to", FormatIso8601(r.to)},
          {"events_read", r.events_read},  {"events_used", r.events_used},
          {"would_send", r.would_send},    {"journeys", journeys}};
}

json ToJson(const ReplayComparison& c) {
  json out = {{"journey", c.journey},
              {"from", FormatIso8601(c.from)},
              {"to", FormatIso8601(c.to)},
              {"a", ToJson(c.a)},
              {"b", ToJson(c.b)},
              {"rate_difference", nullptr},
              {"difference_interval", nullptr}};
  if (c.rate_difference) out["rate_difference"] = Finite(*c.rate_difference);
  if (c.difference_interval) out["difference_interval"] = IntervalJson(*c.difference_interval);
  return out;
}

}  // namespace signpost::wire
