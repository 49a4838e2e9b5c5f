#include "analytics/step_drivers.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "analytics/funnel_kernel.h"
#include "analytics/profile_scan.h"
#include "base/system_events.h"

namespace signpost::analytics {

namespace {

enum class DriverKind : uint8_t { kProperty, kTrait, kSegment, kMessage };

// A candidate other than a bare event name, as the workers key it: value payloads are a column's
// number or string id, so no text is built per event.
struct DriverKey {
  DriverKind kind;
  uint8_t kind1 = 0, kind2 = 0;  // rules::ValueKind of the values
  uint32_t name = 0;             // event name id (property)
  uint32_t column = 0;           // property / trait / segment index
  double v1 = 0, v2 = 0;         // value payloads (number, bool or string id)
  bool operator==(const DriverKey& o) const {
    return kind == o.kind && kind1 == o.kind1 && kind2 == o.kind2 && name == o.name &&
           column == o.column && v1 == o.v1 && v2 == o.v2;
  }
};

struct DriverKeyHash {
  size_t operator()(const DriverKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.kind) * 0x9E3779B97F4A7C15ull;
    auto mix = [&h](uint64_t v) { h = (h ^ v) * 0xBF58476D1CE4E5B9ull + (h >> 31); };
    uint64_t b1, b2;
    std::memcpy(&b1, &k.v1, 8);
    std::memcpy(&b2, &k.v2, 8);
    mix(k.kind1 | (uint64_t{k.kind2} << 8) | (uint64_t{k.column} << 16));
    mix(k.name);
    mix(b1);
    mix(b2);
    return h;
  }
};

double PayloadOf(const rules::ValueRef& v) {
  return v.kind == rules::ValueKind::kString ? static_cast<double>(v.string_id) : v.number;
}

struct DriverTally {
  rules::ValueRef first, second;  // the values, for rendering
  uint64_t converted = 0, dropped = 0;
  uint32_t stamp = UINT32_MAX;  // the last slot counted
};

// One worker's counts.
struct DriverPartial {
  uint64_t reached = 0, converted = 0;
  std::vector<uint64_t> name_converted, name_dropped;
  std::vector<uint32_t> name_stamp;
  std::unordered_map<DriverKey, DriverTally, DriverKeyHash> other;
};

}  // namespace

Result<StepDriverCounts> CountStepDrivers(const EventIndex& index, const FunnelDefinition& def,
                                          const FunnelOptions& options, int step, bool to_goal,
                                          const DriverCandidates& cand,
                                          const PropertySource* source) {
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  if (options.from) plan.from = *options.from;
  if (options.to) plan.to = *options.to;
  if (plan.from > plan.to) return Status::InvalidArgument("from is after to; give from <= to");
  if (step < 1 || step > plan.steps || plan.rank_of_step[step - 1] < 0 ||
      plan.rank_of_step[step - 1] + 1 >= plan.required) {
    return Status::InvalidArgument("step: " + std::to_string(step) +
                                   " must name a required step before the last required one");
  }
  const int rank = plan.rank_of_step[step - 1];
  const int target = to_goal ? plan.required - 1 : rank + 1;

  std::vector<const PropertyColumn*> props, traits;
  for (const rules::PropertyPath& p : cand.properties) {
    SP_ASSIGN_OR_RETURN(const PropertyColumn* c, index.Column(p, source));
    props.push_back(c);
  }
  for (const rules::PropertyPath& p : cand.traits) {
    SP_ASSIGN_OR_RETURN(const PropertyColumn* c, index.Column(p, source));
    traits.push_back(c);
  }
  const uint32_t delivered =
      cand.messages ? index.NameId(system_events::kMessageDelivered) : EventIndex::kNoName;
  const PropertyColumn* journey_col = nullptr;
  const PropertyColumn* step_col = nullptr;
  if (delivered != EventIndex::kNoName) {
    SP_ASSIGN_OR_RETURN(auto journey, rules::ParsePropertyPath("properties.journey"));
    SP_ASSIGN_OR_RETURN(auto step_path, rules::ParsePropertyPath("properties.step"));
    SP_ASSIGN_OR_RETURN(journey_col, index.Column(journey, source));
    SP_ASSIGN_OR_RETURN(step_col, index.Column(step_path, source));
  }

  const std::vector<uint8_t> mask = SegmentMask(index, options);
  const int threads = std::max(1, options.threads);
  const uint32_t names = index.NameCount();
  std::vector<DriverPartial> part(threads);
  for (DriverPartial& p : part) {
    p.name_converted.assign(names, 0);
    p.name_dropped.assign(names, 0);
    p.name_stamp.assign(names, UINT32_MAX);
  }
  std::vector<PreparedProfile> prepared(threads);
  std::vector<Attempt> scratch(2 * threads);
  ForEachProfileView(index, mask, threads, [&](int t, uint32_t slot, const ProfileView& view) {
    PrepareProfile(plan, view, &prepared[t]);
    const PreparedProfile& p = prepared[t];
    DriverPartial& out = part[t];
    ForEachCountedAttempt(
        plan, p, true, &scratch[2 * t], &scratch[2 * t + 1], [&](const Attempt& a) {
          if (a.level < rank + 1) return;
          const bool converted = a.level >= target + 1;
          ++out.reached;
          out.converted += converted ? 1 : 0;
          const size_t begin = static_cast<size_t>(a.start);
          size_t end = view.size;
          if (converted) {
            end = static_cast<size_t>(a.level_pos[target]);
          } else {
            const TimeMs last = view.ts[begin] + plan.window;
            end = static_cast<size_t>(std::upper_bound(view.ts + begin, view.ts + view.size, last) -
                                      view.ts);
          }
          auto count = [&](const DriverKey& key, const rules::ValueRef& v1,
                           const rules::ValueRef& v2) {
            DriverTally& tally = out.other[key];
            if (tally.stamp == slot) return;
            if (tally.stamp == UINT32_MAX) {
              tally.first = v1;
              tally.second = v2;
            }
            tally.stamp = slot;
            ++(converted ? tally.converted : tally.dropped);
          };
          for (size_t i = begin; i < end; ++i) {
            const uint32_t nm = view.name[i];
            if (out.name_stamp[nm] != slot) {
              out.name_stamp[nm] = slot;
              ++(converted ? out.name_converted[nm] : out.name_dropped[nm]);
            }
            if (!props.empty() || nm == delivered) {
              const int64_t ref = view.RefAt(i);
              for (uint32_t c = 0; c < props.size(); ++c) {
                const rules::ValueRef v = props[c]->Get(ref);
                if (v.kind == rules::ValueKind::kMissing) continue;
                count({DriverKind::kProperty, static_cast<uint8_t>(v.kind), 0, nm, c, PayloadOf(v),
                       0},
                      v, {});
              }
              if (nm == delivered) {
                const rules::ValueRef j = journey_col->Get(ref), s = step_col->Get(ref);
                count({DriverKind::kMessage, static_cast<uint8_t>(j.kind),
                       static_cast<uint8_t>(s.kind), 0, 0, PayloadOf(j), PayloadOf(s)},
                      j, s);
              }
            }
          }
          const int at = a.level_pos[rank];
          for (uint32_t c = 0; c < traits.size(); ++c) {
            rules::ValueRef v;
            for (int i = at; i >= 0 && v.kind == rules::ValueKind::kMissing; --i)
              v = traits[c]->Get(view.RefAt(static_cast<size_t>(i)));
            if (v.kind == rules::ValueKind::kMissing) continue;
            count({DriverKind::kTrait, static_cast<uint8_t>(v.kind), 0, 0, c, PayloadOf(v), 0}, v,
                  {});
          }
          for (uint32_t c = 0; c < cand.segments.size(); ++c) {
            const auto& m = cand.segments[c].slots;
            if (slot < m.size() && m[slot]) count({DriverKind::kSegment, 0, 0, 0, c, 0, 0}, {}, {});
          }
        });
  });

  StepDriverCounts r;
  r.step = step - 1;
  r.target = plan.step_of_rank[target];
  for (const DriverPartial& p : part) {
    r.reached += p.reached;
    r.converted += p.converted;
  }
  const uint64_t dropped = r.reached - r.converted;
  auto candidate = [&](std::string kind, std::string event, std::string path, std::string value,
                       uint64_t cw, uint64_t dw) {
    StepDriver d;
    d.kind = std::move(kind);
    d.event = std::move(event);
    d.path = std::move(path);
    d.value = std::move(value);
    d.converted_with = cw;
    d.dropped_with = dw;
    d.converted_without = r.converted - cw;
    d.dropped_without = dropped - dw;
    return d;
  };
  for (uint32_t nm = 0; nm < names; ++nm) {
    uint64_t cw = 0, dw = 0;
    for (const DriverPartial& p : part) {
      cw += p.name_converted[nm];
      dw += p.name_dropped[nm];
    }
    if (cw + dw > 0) r.candidates.push_back(candidate("event", index.Name(nm), "", "", cw, dw));
  }
  // The other candidates merged by their rendered text (workers' string ids are the columns', so
  // equal values have equal keys; rendering once per distinct key).
  std::map<std::tuple<std::string, std::string, std::string, std::string>,
           std::pair<uint64_t, uint64_t>>
      merged;
  for (const DriverPartial& p : part) {
    for (const auto& [key, tally] : p.other) {
      std::string kind, event, path, value;
      switch (key.kind) {
        case DriverKind::kProperty:
          kind = "property";
          event = index.Name(key.name);
          path = props[key.column]->path().text;
          value = rules::RenderValue(tally.first);
          break;
        case DriverKind::kTrait:
          kind = "trait";
          path = traits[key.column]->path().text;
          value = rules::RenderValue(tally.first);
          break;
        case DriverKind::kSegment:
          kind = "segment";
          value = cand.segments[key.column].name;
          break;
        case DriverKind::kMessage:
          kind = "message";
          event = rules::RenderValue(tally.first) + "/" + rules::RenderValue(tally.second);
          break;
      }
      auto& cell = merged[{kind, event, path, value}];
      cell.first += tally.converted;
      cell.second += tally.dropped;
    }
  }
  // Properties and traits keep their most frequent max_values values per (kind, event, path)
  // (ties by value text); the rest are counted in values_dropped.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<std::tuple<std::string, std::string, std::string>,
           std::vector<std::pair<uint64_t, const Key*>>>
      groups;
  for (const auto& entry : merged) {
    const auto& [kind, event, path, value] = entry.first;
    if (kind == "property" || kind == "trait")
      groups[{kind, event, path}].push_back(
          {entry.second.first + entry.second.second, &entry.first});
  }
  std::set<const Key*> cut;
  const size_t keep = static_cast<size_t>(std::max(1, cand.max_values));
  for (auto& [group, values] : groups) {
    if (values.size() <= keep) continue;
    std::sort(values.begin(), values.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : *x.second < *y.second;
    });
    r.values_dropped += values.size() - keep;
    for (size_t i = keep; i < values.size(); ++i) cut.insert(values[i].second);
  }
  for (const auto& entry : merged) {
    if (cut.count(&entry.first) != 0) continue;
    const auto& [kind, event, path, value] = entry.first;
    r.candidates.push_back(
        candidate(kind, event, path, value, entry.second.first, entry.second.second));
  }
  std::sort(r.candidates.begin(), r.candidates.end(), [](const StepDriver& x, const StepDriver& y) {
    return std::tie(x.kind, x.event, x.path, x.value) < std::tie(y.kind, y.event, y.path, y.value);
  });
  return r;
}

}  // namespace signpost::analytics
