// EventCatalog: what the committed events look like, aggregated in memory with bounded cardinality:
// each (type, name) with its count, first and last seen (event time), volume per hour over the
// last 8 weeks (a ring), and — read from the events it profiles — its property paths (dotted,
// at most 4 levels) with their JSON types per day (a 16-day ring) and overall, a few example
// values, and its sources (`context.library`). Tracking-plan violations are counted here too.
//
// Cost: every event costs a hash lookup and a few counters; its JSON is read (simdjson) only for
// the first `profile_budget_per_day` events of its name each day (event time) and then 1 in
// `profile_every`, so a busy name costs about 1/N of a parse per event. Bounds: past `max_events`
// distinct (type, name) an event is only counted in `events_over_cap`; past `max_properties` paths
// of a name a new path is only counted in that name's `properties_over_cap`; at most
// `max_fields_per_event` fields of one event are read. Drift detection (schema_drift.h) reads the
// rings through `events()`.
//
// Thread-safety: not thread-safe; the owner (engine::CatalogService) serializes every call.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "signpost/clock.h"
#include "signpost/event.h"
#include "signpost/event_catalog.h"

namespace signpost::analytics {

struct CatalogLimits {
  size_t max_events = 1000;           // distinct (type, name)
  size_t max_properties = 256;        // distinct paths per (type, name)
  size_t max_depth = 4;               // path levels read ("properties.a.b.c.d")
  size_t max_fields_per_event = 256;  // fields of one event read
  uint32_t profile_budget_per_day = 1024;
  uint32_t profile_every = 32;
  size_t max_sources = 8;
  size_t max_violations = 64;  // distinct (plan, property, rule) per event
};

// JSON types in the order the rings keep them.
inline constexpr std::array<const char*, 6> kCatalogTypes = {"string", "number", "boolean",
                                                             "object", "array",  "null"};
constexpr size_t kCatalogTypeCount = kCatalogTypes.size();
constexpr int64_t kCatalogHours = 8 * 7 * 24;  // the hourly ring: 8 weeks
constexpr int64_t kCatalogDays = 16;           // the daily rings of profiled events

// A ring of counters indexed by an absolute slot number (hour or day since the epoch): it keeps
// the last `N` slots up to the latest one added; older slots read 0, adding one older is ignored.
template <class T, int64_t N>
class SlotRing {
 public:
  // The counter of slot `at`, advancing the ring when `at` is newer; nullptr when too old.
  T* At(int64_t at) {
    if (slots_.empty()) {
      slots_.assign(static_cast<size_t>(N), T{});
      head_ = at;
    }
    if (at > head_) {
      const int64_t clear = std::min<int64_t>(at - head_, N);
      for (int64_t i = 1; i <= clear; ++i) slots_[Index(head_ + i)] = T{};
      head_ = at;
    }
    if (at <= head_ - N) return nullptr;
    return &slots_[Index(at)];
  }
  // The counter of slot `at` without advancing (T{} outside the ring).
  T Get(int64_t at) const {
    if (slots_.empty() || at > head_ || at <= head_ - N) return T{};
    return slots_[Index(at)];
  }
  int64_t head() const { return head_; }
  bool empty() const { return slots_.empty(); }

 private:
  static size_t Index(int64_t at) { return static_cast<size_t>(((at % N) + N) % N); }
  std::vector<T> slots_;
  int64_t head_ = 0;
};

using TypeCounts = std::array<uint32_t, kCatalogTypeCount>;

struct CatalogPathStats {
  std::array<uint64_t, kCatalogTypeCount> types{};  // profiled occurrences by type
  std::array<TimeMs, kCatalogTypeCount> type_first{}, type_last{};
  TimeMs first_seen = 0, last_seen = 0;
  SlotRing<TypeCounts, kCatalogDays> by_day;  // profiled occurrences by day and type
  std::vector<std::string> examples;
  uint64_t seen() const;
};

struct CatalogEventStats {
  EventType type = EventType::kTrack;
  std::string name;
  uint64_t count = 0, profiled = 0;
  TimeMs first_seen = 0, last_seen = 0;
  SlotRing<uint32_t, kCatalogHours> by_hour;         // every event
  SlotRing<uint32_t, kCatalogDays> profiled_by_day;  // profiled events by day
  int64_t budget_day = 0;                            // the day profiled_today counts
  uint32_t profiled_today = 0;
  std::unordered_map<std::string, CatalogPathStats> paths;
  uint64_t paths_over_cap = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> sources;  // (library, version)
  std::map<std::string, CatalogViolation> violations;               // by plan + property + rule
};

class EventCatalog {
 public:
  explicit EventCatalog(CatalogLimits limits = {});

  // Counts one committed event (seq != 0; others are ignored).
  void Observe(const Event& e);
  // Counts a tracking-plan violation of an item of (type, name) received at `at`.
  void RecordViolation(EventType type, std::string_view name, const CatalogViolation& v);
  // Paths whose example values are never kept and are shown masked ("properties.email").
  void SetSensitive(std::set<std::string, std::less<>> paths);

  // The catalog as of `now`, filtered by `query`; `plans` names the events each plan lists.
  EventCatalogReport Report(TimeMs now, const CatalogQuery& query,
                            const std::map<std::string, std::vector<std::string>>& plans) const;

  // Every (type, name) kept, for drift detection, keyed by EventKey (unordered).
  const std::unordered_map<std::string, CatalogEventStats>& events() const { return events_; }
  // The key of (type, name) in events(): the type's number as one byte, then the name.
  static std::string EventKey(EventType type, std::string_view name);
  const CatalogLimits& limits() const { return limits_; }
  uint64_t events_over_cap() const { return events_over_cap_; }

 private:
  CatalogEventStats* Entry(EventType type, std::string_view name);
  void Profile(const Event& e, CatalogEventStats& stats);
  void ReadObject(simdjson::dom::object object, std::string& path, size_t depth, TimeMs at,
                  CatalogEventStats& stats, size_t& fields);

  CatalogLimits limits_;
  std::unordered_map<std::string, CatalogEventStats> events_;
  std::string key_, path_;  // scratch: no allocation per event once grown
  uint64_t events_over_cap_ = 0;
  std::set<std::string, std::less<>> sensitive_;
  simdjson::dom::parser parser_;
};

}  // namespace signpost::analytics
