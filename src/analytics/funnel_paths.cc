#include "analytics/funnel_paths.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analytics/funnel_kernel.h"
#include "analytics/profile_scan.h"

namespace signpost::analytics {

namespace {

// What a person did, as a path shows it: track, page and screen events (identify, alias and group
// calls are bookkeeping, as a strict chain treats them).
bool IsPathAction(uint8_t type) {
  const auto t = static_cast<EventType>(type);
  return t == EventType::kTrack || t == EventType::kPage || t == EventType::kScreen;
}

// One matcher of an any_of step, compiled against the index.
struct PathAlternativeMatcher {
  uint32_t name = EventIndex::kNoName;
  std::vector<std::pair<const PropertyColumn*, const rules::Condition*>> conditions;
};

struct AnyOfPlan {
  int step = 0;        // 0-based
  int next_rank = -1;  // rank of the next required step after it; -1: none
  std::vector<PathAlternativeMatcher> matchers;
};

struct OptionalPlan {
  int step = 0;        // 0-based
  int after_rank = 0;  // rank of the required step before it
};

struct SequenceTally {
  uint64_t people = 0, converted = 0;
};

struct AlternativeTally {
  uint64_t people = 0, converted = 0, completed = 0;
};

struct OptionalTally {
  uint64_t with = 0, with_completed = 0, without = 0, without_completed = 0;
};

// One worker's counts.
struct PathPartial {
  uint64_t reached = 0, converted = 0;
  uint64_t untracked = 0, untracked_converted = 0;
  // Key: the name ids (4 bytes each, native order) then one byte, 1 when truncated.
  std::unordered_map<std::string, SequenceTally> sequences;
  std::vector<uint64_t> any_of_people;
  std::vector<std::vector<AlternativeTally>> alternatives;
  std::vector<OptionalTally> optional;
};

// "Data Imported where properties.rows > 0 and properties.kind in [a, b]".
std::string AlternativeLabel(const rules::EventMatcher& m) {
  std::string out = m.event;
  for (size_t i = 0; i < m.where.size(); ++i) {
    const rules::Condition& c = m.where[i];
    out += i == 0 ? " where " : " and ";
    out += c.path.text;
    if (c.op == rules::Op::kExists) {
      out += c.exists ? " exists" : " does not exist";
      continue;
    }
    out += std::string(" ") + rules::OpName(c.op) + " ";
    if (c.op == rules::Op::kIn) out += "[";
    for (size_t v = 0; v < c.values.size(); ++v) out += (v == 0 ? "" : ", ") + c.values[v].text;
    if (c.op == rules::Op::kIn) out += "]";
  }
  return out;
}

double PathRatio(uint64_t k, uint64_t n) {
  return n == 0 ? 0.0 : static_cast<double>(k) / static_cast<double>(n);
}

uint32_t NameAt(const std::string& key, size_t i) {
  uint32_t nm;
  std::memcpy(&nm, key.data() + 4 * i, 4);
  return nm;
}

}  // namespace

Result<FunnelPathsReport> CountFunnelPaths(const EventIndex& index, const FunnelDefinition& def,
                                           const FunnelOptions& options, const PathOptions& po,
                                           const PropertySource* source) {
  if (po.max_length < 1 || po.max_length > kMaxPathLength)
    return Status::InvalidArgument("max_length: give 1 to " + std::to_string(kMaxPathLength));
  if (po.top < 1 || po.top > kMaxPathTop)
    return Status::InvalidArgument("top: give 1 to " + std::to_string(kMaxPathTop));
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  if (options.from) plan.from = *options.from;
  if (options.to) plan.to = *options.to;
  if (plan.from > plan.to) return Status::InvalidArgument("from is after to; give from <= to");
  const int step = po.step;
  if (step < 1 || step > plan.steps || plan.rank_of_step[step - 1] < 0 ||
      plan.rank_of_step[step - 1] + 1 >= plan.required) {
    return Status::InvalidArgument("step: " + std::to_string(step) +
                                   " must name a required step before the last required one");
  }
  const int rank = plan.rank_of_step[step - 1];

  // The next required rank after each step (-1: none).
  std::vector<int> next_rank(plan.steps, -1);
  for (int i = plan.steps - 1, r = -1; i >= 0; --i) {
    next_rank[i] = r;
    if (plan.rank_of_step[i] >= 0) r = plan.rank_of_step[i];
  }
  std::vector<AnyOfPlan> any_of;
  for (int i = 0; i < plan.steps; ++i) {
    const FunnelStep& s = def.steps[i];
    if (s.any_of.size() < 2) continue;
    AnyOfPlan ap;
    ap.step = i;
    ap.next_rank = next_rank[i];
    for (const rules::EventMatcher& m : s.any_of) {
      PathAlternativeMatcher pm;
      pm.name = index.NameId(m.event);
      if (pm.name != EventIndex::kNoName) {
        for (const rules::Condition& c : m.where) {
          SP_ASSIGN_OR_RETURN(const PropertyColumn* col, index.Column(c.path, source));
          pm.conditions.emplace_back(col, &c);
        }
      }
      ap.matchers.push_back(std::move(pm));
    }
    any_of.push_back(std::move(ap));
  }
  std::vector<OptionalPlan> optional;
  for (int i = 1, after = 0; i < plan.steps; ++i) {
    if (plan.rank_of_step[i] >= 0) {
      after = plan.rank_of_step[i];
    } else if (next_rank[i] >= 0) {
      optional.push_back({i, after});
    }
  }

  const std::vector<uint8_t> mask = SegmentMask(index, options);
  const int threads = std::max(1, options.threads);
  std::vector<PathPartial> part(threads);
  for (PathPartial& p : part) {
    p.any_of_people.assign(any_of.size(), 0);
    for (const AnyOfPlan& ap : any_of) p.alternatives.emplace_back(ap.matchers.size());
    p.optional.assign(optional.size(), {});
  }
  std::vector<PreparedProfile> prepared(threads);
  std::vector<Attempt> scratch(2 * threads);
  std::vector<std::string> keys(threads);
  const size_t max_length = static_cast<size_t>(po.max_length);
  ForEachProfileView(index, mask, threads, [&](int t, uint32_t, const ProfileView& view) {
    PrepareProfile(plan, view, &prepared[t]);
    PathPartial& out = part[t];
    ForEachCountedAttempt(
        plan, prepared[t], true, &scratch[2 * t], &scratch[2 * t + 1], [&](const Attempt& a) {
          const bool completed = a.level == plan.required;
          for (size_t x = 0; x < any_of.size(); ++x) {
            const AnyOfPlan& ap = any_of[x];
            if (((a.filled >> ap.step) & 1) == 0) continue;
            const size_t ev = static_cast<size_t>(a.pos[ap.step]);
            for (size_t m = 0; m < ap.matchers.size(); ++m) {
              const PathAlternativeMatcher& pm = ap.matchers[m];
              if (pm.name != view.name[ev]) continue;
              bool holds = true;
              for (const auto& [col, cond] : pm.conditions)
                holds = holds && cond->Matches(col->Get(view.RefAt(ev)));
              if (!holds) continue;
              AlternativeTally& tally = out.alternatives[x][m];
              ++out.any_of_people[x];
              ++tally.people;
              tally.converted += ap.next_rank >= 0 && a.level >= ap.next_rank + 1 ? 1 : 0;
              tally.completed += completed ? 1 : 0;
              break;  // the first matcher that holds takes the event
            }
          }
          for (size_t o = 0; o < optional.size(); ++o) {
            if (a.level < optional[o].after_rank + 1) continue;
            OptionalTally& tally = out.optional[o];
            if ((a.filled >> optional[o].step) & 1) {
              ++tally.with;
              tally.with_completed += completed ? 1 : 0;
            } else {
              ++tally.without;
              tally.without_completed += completed ? 1 : 0;
            }
          }
          if (a.level < rank + 1) return;
          const bool converted = a.level >= rank + 2;
          ++out.reached;
          out.converted += converted ? 1 : 0;
          const size_t begin = static_cast<size_t>(a.level_pos[rank]) + 1;
          size_t end = view.size;
          if (converted) {
            end = static_cast<size_t>(a.level_pos[rank + 1]);
          } else {
            const TimeMs last = view.ts[a.start] + plan.window;
            end = static_cast<size_t>(std::upper_bound(view.ts + begin, view.ts + view.size, last) -
                                      view.ts);
          }
          std::string& key = keys[t];
          key.clear();
          size_t length = 0;
          bool more = false;
          uint32_t previous = EventIndex::kNoName;
          for (size_t i = begin; i < end; ++i) {
            if (!IsPathAction(view.type[i])) continue;
            const uint32_t nm = view.name[i];
            if (po.collapse_repeats && nm == previous) continue;
            if (length == max_length) {
              more = true;
              break;
            }
            key.append(reinterpret_cast<const char*>(&nm), 4);
            previous = nm;
            ++length;
          }
          key.push_back(more ? 1 : 0);
          auto it = out.sequences.find(key);
          if (it == out.sequences.end()) {
            if (out.sequences.size() >= po.max_distinct) {
              ++out.untracked;
              out.untracked_converted += converted ? 1 : 0;
              return;
            }
            it = out.sequences.emplace(key, SequenceTally{}).first;
          }
          ++it->second.people;
          it->second.converted += converted ? 1 : 0;
        });
  });

  FunnelPathsReport r;
  r.funnel = def.id;
  r.version = options.definition_version;
  r.step = step;
  r.step_name = def.steps[step - 1].name;
  r.next_step = plan.step_of_rank[rank + 1] + 1;
  r.next_name = def.steps[r.next_step - 1].name;
  r.goal_step = plan.step_of_rank[plan.required - 1] + 1;
  r.goal_name = def.steps[r.goal_step - 1].name;
  r.max_length = po.max_length;
  r.top = po.top;
  r.collapse_repeats = po.collapse_repeats;

  // Sequences: merged by key (name ids are the index's, the same in every worker).
  std::unordered_map<std::string, SequenceTally> merged = std::move(part[0].sequences);
  for (size_t t = 0; t < part.size(); ++t) {
    const PathPartial& p = part[t];
    r.reached += p.reached;
    r.converted += p.converted;
    r.untracked += p.untracked;
    if (t == 0) continue;
    for (const auto& [key, tally] : p.sequences) {
      SequenceTally& cell = merged[key];
      cell.people += tally.people;
      cell.converted += tally.converted;
    }
  }
  r.rate = PathRatio(r.converted, r.reached);
  r.distinct = merged.size();
  // The top sequences by people, ties by the events' text. Names compare by their rank in text
  // order, so keys are ordered without building text, and only the top ones are rendered.
  std::vector<uint32_t> rank_of_name(index.NameCount());
  {
    std::vector<uint32_t> by_text(index.NameCount());
    for (uint32_t i = 0; i < by_text.size(); ++i) by_text[i] = i;
    std::sort(by_text.begin(), by_text.end(),
              [&index](uint32_t a, uint32_t b) { return index.Name(a) < index.Name(b); });
    for (uint32_t i = 0; i < by_text.size(); ++i) rank_of_name[by_text[i]] = i;
  }
  using Entry = std::pair<const std::string, SequenceTally>;
  std::vector<const Entry*> order;
  order.reserve(merged.size());
  for (const Entry& entry : merged) order.push_back(&entry);
  auto before = [&rank_of_name](const Entry* x, const Entry* y) {
    if (x->second.people != y->second.people) return x->second.people > y->second.people;
    const size_t nx = (x->first.size() - 1) / 4, ny = (y->first.size() - 1) / 4;
    for (size_t i = 0; i < nx && i < ny; ++i) {
      const uint32_t a = rank_of_name[NameAt(x->first, i)], b = rank_of_name[NameAt(y->first, i)];
      if (a != b) return a < b;
    }
    if (nx != ny) return nx < ny;
    return x->first.back() < y->first.back();
  };
  const size_t kept = std::min(order.size(), static_cast<size_t>(po.top));
  std::partial_sort(order.begin(), order.begin() + kept, order.end(), before);
  for (size_t k = 0; k < kept; ++k) {
    const auto& [key, tally] = *order[k];
    PathSequence s;
    const size_t n = (key.size() - 1) / 4;
    for (size_t i = 0; i < n; ++i) s.events.push_back(index.Name(NameAt(key, i)));
    s.more = key.back() != 0;
    s.people = tally.people;
    s.converted = tally.converted;
    r.sequences.push_back(std::move(s));
  }
  r.other.people = r.reached;
  r.other.converted = r.converted;
  for (PathSequence& s : r.sequences) {
    s.share = PathRatio(s.people, r.reached);
    s.conversion = PathRatio(s.converted, s.people);
    r.other.people -= s.people;
    r.other.converted -= s.converted;
  }
  r.other.share = PathRatio(r.other.people, r.reached);
  r.other.conversion = PathRatio(r.other.converted, r.other.people);

  for (size_t x = 0; x < any_of.size(); ++x) {
    const AnyOfPlan& ap = any_of[x];
    const FunnelStep& s = def.steps[ap.step];
    AnyOfBreakdown b;
    b.step = ap.step + 1;
    b.name = s.name;
    b.optional = s.optional;
    if (ap.next_rank >= 0) {
      b.next_step = plan.step_of_rank[ap.next_rank] + 1;
      b.next_name = def.steps[b.next_step - 1].name;
    }
    for (const PathPartial& p : part) b.people += p.any_of_people[x];
    for (size_t m = 0; m < ap.matchers.size(); ++m) {
      PathAlternative alt;
      alt.label = AlternativeLabel(s.any_of[m]);
      alt.event = s.any_of[m].event;
      for (const PathPartial& p : part) {
        alt.people += p.alternatives[x][m].people;
        alt.converted += p.alternatives[x][m].converted;
        alt.completed += p.alternatives[x][m].completed;
      }
      alt.share = PathRatio(alt.people, b.people);
      alt.conversion = PathRatio(alt.converted, alt.people);
      alt.completion = PathRatio(alt.completed, alt.people);
      b.alternatives.push_back(std::move(alt));
    }
    r.any_of.push_back(std::move(b));
  }
  for (size_t o = 0; o < optional.size(); ++o) {
    OptionalStepEffect e;
    e.step = optional[o].step + 1;
    e.name = def.steps[optional[o].step].name;
    e.after_step = plan.step_of_rank[optional[o].after_rank] + 1;
    e.after_name = def.steps[e.after_step - 1].name;
    for (const PathPartial& p : part) {
      e.with += p.optional[o].with;
      e.with_completed += p.optional[o].with_completed;
      e.without += p.optional[o].without;
      e.without_completed += p.optional[o].without_completed;
    }
    e.rate_with = PathRatio(e.with_completed, e.with);
    e.rate_without = PathRatio(e.without_completed, e.without);
    e.difference = e.rate_with - e.rate_without;
    r.optional.push_back(std::move(e));
  }
  return r;
}

}  // namespace signpost::analytics
