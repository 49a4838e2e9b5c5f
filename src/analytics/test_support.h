// Test helpers shared by the analytics tests (header-only, tests only): an in-memory
// PropertySource over a list of events.
#pragma once

#include <vector>

#include "analytics/event_index.h"

namespace signpost::analytics::testing {

// Serves the properties/context/traits of `events` (not owned; must outlive the source).
class VectorPropertySource final : public PropertySource {
 public:
  explicit VectorPropertySource(const std::vector<Event>* events) : events_(events) {}
  Status Scan(rules::PropertyScope scope,
              const std::function<void(uint64_t, std::string_view)>& visit) const override {
    ++scans_;
    for (const Event& e : *events_) {
      const std::string& json = scope == rules::PropertyScope::kProperties ? e.properties
                                : scope == rules::PropertyScope::kContext  ? e.context
                                                                           : e.traits;
      visit(e.seq, json);
    }
    return Status::Ok();
  }
  int scans() const { return scans_; }

 private:
  const std::vector<Event>* events_;
  mutable int scans_ = 0;
};

inline Event TrackEvent(uint64_t seq, TimeMs ts, std::string name, std::string properties = "{}") {
  Event e;
  e.type = EventType::kTrack;
  e.seq = seq;
  e.timestamp = ts;
  e.event = std::move(name);
  e.properties = std::move(properties);
  return e;
}

}  // namespace signpost::analytics::testing
