#include "analytics/funnel_query.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <map>
#include <unordered_map>

#include "analytics/funnel_kernel.h"
#include "analytics/profile_scan.h"
#include "analytics/step_projection.h"

namespace signpost::analytics {

namespace {

// Time-to-convert bucket edges: 0, 1m, 5m, 15m, 1h, 6h, 1d, 3d, 7d, 14d, 30d (and beyond).
const std::vector<DurationMs>& HistogramEdges() {
  static const std::vector<DurationMs> edges = {
      0,      kMinuteMs,  5 * kMinuteMs, 15 * kMinuteMs, kHourMs,    6 * kHourMs,
      kDayMs, 3 * kDayMs, 7 * kDayMs,    14 * kDayMs,    30 * kDayMs};
  return edges;
}

size_t BucketOf(DurationMs d) {
  const auto& e = HistogramEdges();
  return static_cast<size_t>(std::upper_bound(e.begin(), e.end(), d) - e.begin()) - 1;
}

TimeMs FloorTo(TimeMs t, DurationMs unit, DurationMs offset) {
  TimeMs x = t - offset;
  TimeMs q = x / unit;
  if (x % unit != 0 && x < 0) --q;
  return q * unit + offset;
}

// 1970-01-05 was a Monday.
TimeMs TrendBucket(TrendUnit unit, TimeMs t) {
  return unit == TrendUnit::kDay ? FloorTo(t, kDayMs, 0) : FloorTo(t, 7 * kDayMs, 4 * kDayMs);
}

// Per-step counts of one group of attempts.
struct Counts {
  std::vector<uint64_t> level_hist;  // attempts by required steps reached (index 1..R)
  std::vector<uint64_t> optional;    // attempts that filled each optional step
  void Init(const FunnelPlan& plan) {
    level_hist.assign(plan.required + 1, 0);
    optional.assign(plan.steps, 0);
  }
  void Add(const FunnelPlan& plan, const Attempt& a) {
    ++level_hist[a.level];
    uint64_t opt = a.filled & ~plan.required_mask;
    while (opt != 0) {
      ++optional[std::countr_zero(opt)];
      opt &= opt - 1;
    }
  }
  void Merge(const Counts& o) {
    for (size_t i = 0; i < level_hist.size(); ++i) level_hist[i] += o.level_hist[i];
    for (size_t i = 0; i < optional.size(); ++i) optional[i] += o.optional[i];
  }
  // Attempts that reached required rank r (0-based) or beyond.
  uint64_t Reached(int r) const {
    uint64_t n = 0;
    for (size_t l = static_cast<size_t>(r) + 1; l < level_hist.size(); ++l) n += level_hist[l];
    return n;
  }
  // Per-step counts in definition order.
  std::vector<uint64_t> PerStep(const FunnelPlan& plan) const {
    std::vector<uint64_t> out(plan.steps);
    for (int i = 0; i < plan.steps; ++i) {
      out[i] = plan.rank_of_step[i] >= 0 ? Reached(plan.rank_of_step[i]) : optional[i];
    }
    return out;
  }
};

struct Partial {
  Counts counts;
  std::vector<std::vector<DurationMs>> gaps;  // by required rank (1..R-1)
  std::vector<uint64_t> ttc;
  std::unordered_map<TimeMs, std::pair<uint64_t, uint64_t>> trend;
  std::unordered_map<std::string, Counts> breakdown;
};

// What the report pass needs besides the plan.
struct ReportContext {
  const FunnelOptions* options = nullptr;
  const PropertyColumn* breakdown = nullptr;
  bool breakdown_is_trait = false;
};

std::string BreakdownValue(const FunnelPlan& plan, const ReportContext& ctx,
                           const PreparedProfile& p, const Attempt& a) {
  int at;
  switch (ctx.options->attribution.kind) {
    case Attribution::kFirst:
      at = a.start;
      break;
    case Attribution::kLast:
      at = a.level_pos[a.level - 1];
      break;
    default: {
      int step = ctx.options->attribution.step - 1;
      at = ((a.filled >> step) & 1) ? a.pos[step] : -1;
    }
  }
  rules::ValueRef v;
  if (at >= 0) {
    if (ctx.breakdown_is_trait) {
      // The value the trait had at that moment: the latest event at or before it that set it.
      for (int i = at; i >= 0 && v.kind == rules::ValueKind::kMissing; --i) {
        v = ctx.breakdown->Get(p.view.RefAt(static_cast<size_t>(i)));
      }
    } else {
      v = ctx.breakdown->Get(p.view.RefAt(static_cast<size_t>(at)));
    }
  }
  return rules::RenderValue(v);
}

// Same, with the profile's step masks prepared.
template <class Fn>
void ForEachProfile(const EventIndex& index, const FunnelPlan& plan,
                    const std::vector<uint8_t>& segment, int threads, Fn&& fn) {
  std::vector<PreparedProfile> prepared(std::max(1, threads));
  ForEachProfileView(index, segment, threads, [&](int t, uint32_t slot, const ProfileView& view) {
    PrepareProfile(plan, view, &prepared[t]);
    fn(t, slot, prepared[t]);
  });
}

// Per-thread counts, each on its own cache lines: reach[k] = profiles whose best chain reached
// step k + 1; hist[l] = profiles at level l (the paths that compute levels).
struct alignas(64) LevelHist {
  uint64_t reach[StepProjection::kMaxSteps + 1] = {};
  uint64_t hist[StepProjection::kMaxSteps + 1] = {};
};

// Whether the step projection can count this plan (BestLevel's rules, at most 7 steps).
bool Projectable(const FunnelPlan& plan) {
  return plan.steps <= StepProjection::kMaxSteps && plan.window < (int64_t{1} << 60);
}

// Level counts by the one-pass kernel over the step projection (see Projectable): the
// projection's profiles whose sealed rows are whole (ReachInChunk), the wide ones on the sealed
// columns, and the profiles with delta rows (or merged) through their merged views.
Counts ProjectedLevelCounts(const EventIndex& index, const StepProjection* proj,
                            const FunnelPlan& plan, const std::vector<uint8_t>& segment,
                            int threads) {
  const bool touched = index.HasDelta();
  const std::vector<uint32_t>& delta_slots = index.DeltaSlots();  // groups the delta first
  const bool filter = touched || !segment.empty();
  auto skip = [&](uint32_t slot) {
    return (!segment.empty() && !segment[slot]) || (touched && index.SlotTouched(slot));
  };
  std::vector<LevelHist> hist(std::max(1, threads));
  const uint32_t* slots = proj->Slots();
  const uint32_t profiles = proj->ProfileCount();
  ForEachChunk(proj->ChunkCount(), 1, threads, [&](int t, uint64_t c, uint64_t) {
    uint8_t skipped[StepProjection::kChunk];
    if (filter) {
      const uint32_t p0 = static_cast<uint32_t>(c) * StepProjection::kChunk;
      const uint32_t p1 = std::min(profiles, p0 + StepProjection::kChunk);
      for (uint32_t p = p0; p < p1; ++p) skipped[p - p0] = skip(slots[p]) ? 1 : 0;
    }
    ReachInChunk(plan, *proj, static_cast<uint32_t>(c), filter ? skipped : nullptr, hist[t].reach);
  });
  const uint64_t* off = index.SealedOffsets();
  const TimeMs* ts = index.SealedTimestamps();
  const uint32_t* name = index.SealedNames();
  for (uint32_t s : proj->wide()) {
    if (!filter || !skip(s))
      ++hist[0].hist[BestLevel(plan, ts + off[s], name + off[s], off[s + 1] - off[s])];
  }
  if (!delta_slots.empty()) {
    std::vector<ViewScratch> scratch(hist.size());
    ForEachChunk(delta_slots.size(), kProfileChunk, threads, [&](int t, uint64_t b, uint64_t e) {
      for (uint64_t i = b; i < e; ++i) {
        const uint32_t s = delta_slots[i];
        if (!segment.empty() && !segment[s]) continue;
        ProfileView v = index.View(s, &scratch[t]);
        ++hist[t].hist[BestLevel(plan, v.ts, v.name, v.size)];
      }
    });
  }
  Counts out;
  out.Init(plan);
  for (const LevelHist& h : hist) {
    for (int l = 1; l <= plan.required; ++l)
      out.level_hist[l] += h.hist[l] + h.reach[l - 1] - h.reach[l];
  }
  return out;
}

// Sealed slots handed to a thread at a time by ColumnLevelCounts (about 10k events each).
constexpr uint32_t kColumnChunk = 1024;

// Level counts by the one-pass kernel on the sealed columns (ColumnCounter, see Projectable): the
// sealed slots whose rows are whole in chunks, the profiles with delta rows (or merged) through
// their merged views.
Counts ColumnLevelCounts(const EventIndex& index, const FunnelPlan& plan,
                         const std::vector<uint8_t>& segment, int threads) {
  const bool touched = index.HasDelta();
  const std::vector<uint32_t>& delta_slots = index.DeltaSlots();  // groups the delta first
  const bool filter = touched || !segment.empty();
  std::vector<LevelHist> hist(std::max(1, threads));
  std::vector<ColumnCounter::Scratch> scratch(hist.size());
  const ColumnCounter counter(plan, index);
  ForEachChunk(index.SealedSlots(), kColumnChunk, threads, [&](int t, uint64_t b, uint64_t e) {
    uint8_t skipped[kColumnChunk];
    if (filter) {
      for (uint64_t s = b; s < e; ++s) {
        const auto slot = static_cast<uint32_t>(s);
        skipped[s - b] =
            (!segment.empty() && !segment[slot]) || (touched && index.SlotTouched(slot)) ? 1 : 0;
      }
    }
    counter.Count(static_cast<uint32_t>(b), static_cast<uint32_t>(e), filter ? skipped : nullptr,
                  &scratch[t], hist[t].reach);
  });
  if (!delta_slots.empty()) {
    std::vector<ViewScratch> views(hist.size());
    ForEachChunk(delta_slots.size(), kProfileChunk, threads, [&](int t, uint64_t b, uint64_t e) {
      for (uint64_t i = b; i < e; ++i) {
        const uint32_t s = delta_slots[i];
        if (!segment.empty() && !segment[s]) continue;
        ProfileView v = index.View(s, &views[t]);
        ++hist[t].hist[BestLevel(plan, v.ts, v.name, v.size)];
      }
    });
  }
  Counts out;
  out.Init(plan);
  for (const LevelHist& h : hist) {
    for (int l = 1; l <= plan.required; ++l)
      out.level_hist[l] += h.hist[l] + h.reach[l - 1] - h.reach[l];
  }
  return out;
}

// Test hook: false makes BestLevelCounts count on the sealed columns every time.
std::atomic<bool> projection_allowed{true};

// Level counts by the one-pass kernel (see CountsByBestLevel).
Counts BestLevelCounts(const EventIndex& index, const FunnelPlan& plan,
                       const std::vector<uint8_t>& segment, int threads) {
  if (Projectable(plan)) {
    // From the second run of a step set on (the projection); the first counts on the columns.
    if (projection_allowed.load(std::memory_order_relaxed)) {
      if (auto proj = index.StepProjectionIfRepeated(plan.name_steps, threads))
        return ProjectedLevelCounts(index, proj.get(), plan, segment, threads);
    }
    return ColumnLevelCounts(index, plan, segment, threads);
  }
  std::vector<Counts> partial(std::max(1, threads));
  for (auto& c : partial) c.Init(plan);
  ForEachProfileView(index, segment, threads, [&](int t, uint32_t, const ProfileView& v) {
    ++partial[t].level_hist[BestLevel(plan, v.ts, v.name, v.size)];
  });
  for (size_t t = 1; t < partial.size(); ++t) partial[0].Merge(partial[t]);
  partial[0].level_hist[0] = 0;
  return partial[0];
}

TimingStats Timing(std::vector<DurationMs>& v) {
  TimingStats s;
  s.samples = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  s.median_ms = v[(n + 1) / 2 - 1];
  s.p90_ms = v[(9 * n + 9) / 10 - 1];
  double sum = 0;
  for (DurationMs d : v) sum += static_cast<double>(d);
  s.mean_ms = sum / static_cast<double>(n);
  return s;
}

double Ratio(uint64_t a, uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

// Counts only, with `window` instead of the definition's: for completion-within windows.
Counts CountPass(const EventIndex& index, FunnelPlan plan, DurationMs window,
                 const std::vector<uint8_t>& segment, int threads) {
  plan.window = window;
  if (CountsByBestLevel(plan)) return BestLevelCounts(index, plan, segment, threads);
  std::vector<Counts> partial(std::max(1, threads));
  for (auto& c : partial) c.Init(plan);
  std::vector<Attempt> scratch(2 * partial.size());
  ForEachProfile(index, plan, segment, threads, [&](int t, uint32_t, const PreparedProfile& p) {
    ForEachCountedAttempt(plan, p, false, &scratch[2 * t], &scratch[2 * t + 1],
                          [&](const Attempt& a) { partial[t].Add(plan, a); });
  });
  for (size_t t = 1; t < partial.size(); ++t) partial[0].Merge(partial[t]);
  return partial[0];
}

Status ApplyRange(const FunnelOptions& options, FunnelPlan* plan) {
  if (options.from) plan->from = *options.from;
  if (options.to) plan->to = *options.to;
  if (plan->from > plan->to) {
    return Status::InvalidArgument("from is after to; give from <= to");
  }
  return Status::Ok();
}

}  // namespace

void AllowStepProjectionForTesting(bool allowed) { projection_allowed.store(allowed); }

Result<FunnelReport> RunFunnel(const EventIndex& index, const FunnelDefinition& def,
                               const FunnelOptions& options, const PropertySource* source) {
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  SP_RETURN_IF_ERROR(ApplyRange(options, &plan));
  if (options.attribution.kind == Attribution::kStep &&
      (options.attribution.step < 1 || options.attribution.step > plan.steps)) {
    return Status::InvalidArgument("attribution step:" + std::to_string(options.attribution.step) +
                                   " is out of range; the funnel has " +
                                   std::to_string(plan.steps) + " steps");
  }
  ReportContext ctx;
  ctx.options = &options;
  if (!options.breakdown.empty()) {
    auto path = rules::ParsePropertyPath(options.breakdown);
    if (!path.ok()) return Status::InvalidArgument("breakdown: " + path.status().message());
    SP_ASSIGN_OR_RETURN(ctx.breakdown, index.Column(*path, source));
    ctx.breakdown_is_trait = path->scope == rules::PropertyScope::kTraits;
  }
  const int threads = std::max(1, options.threads);
  const std::vector<uint8_t> segment = SegmentMask(index, options);

  std::vector<Partial> partial(threads);
  const bool trend = options.trend != TrendUnit::kNone;
  const bool fast =
      CountsByBestLevel(plan) && !options.timings && !trend && ctx.breakdown == nullptr;
  for (auto& p : partial) {
    p.counts.Init(plan);
    if (options.timings) {
      p.gaps.resize(plan.required);
      p.ttc.assign(HistogramEdges().size(), 0);
    }
  }
  std::vector<Attempt> scratch(2 * threads);
  if (fast) partial[0].counts = BestLevelCounts(index, plan, segment, threads);
  if (!fast)
    ForEachProfile(index, plan, segment, threads, [&](int t, uint32_t, const PreparedProfile& p) {
      Partial& out = partial[t];
      ForEachCountedAttempt(
          plan, p, false, &scratch[2 * t], &scratch[2 * t + 1], [&](const Attempt& a) {
            out.counts.Add(plan, a);
            const TimeMs* ts = p.view.ts;
            if (options.timings) {
              for (int r = 1; r < a.level; ++r)
                out.gaps[r].push_back(ts[a.level_pos[r]] - ts[a.level_pos[r - 1]]);
              if (a.level == plan.required)
                ++out.ttc[BucketOf(ts[a.level_pos[a.level - 1]] - ts[a.start])];
            }
            if (trend) {
              auto& cell = out.trend[TrendBucket(options.trend, ts[a.start])];
              ++cell.first;
              cell.second += a.level == plan.required ? 1 : 0;
            }
            if (ctx.breakdown != nullptr) {
              auto [it, fresh] = out.breakdown.try_emplace(BreakdownValue(plan, ctx, p, a));
              if (fresh) it->second.Init(plan);
              it->second.Add(plan, a);
            }
          });
    });
  Partial& all = partial[0];
  for (int t = 1; t < threads; ++t) {
    Partial& o = partial[t];
    all.counts.Merge(o.counts);
    for (size_t r = 0; r < all.gaps.size(); ++r)
      all.gaps[r].insert(all.gaps[r].end(), o.gaps[r].begin(), o.gaps[r].end());
    for (size_t b = 0; b < all.ttc.size(); ++b) all.ttc[b] += o.ttc[b];
    for (auto& [k, v] : o.trend) {
      auto& cell = all.trend[k];
      cell.first += v.first;
      cell.second += v.second;
    }
    for (auto& [k, v] : o.breakdown) {
      auto [it, fresh] = all.breakdown.try_emplace(k);
      if (fresh) it->second.Init(plan);
      it->second.Merge(v);
    }
  }

  FunnelReport r;
  r.definition_id = def.id;
  r.definition_version = options.definition_version;
  r.name = def.name;
  r.unit = plan.entry == EntryMode::kEachAttempt ? "attempts" : "profiles";
  r.order = OrderModeName(plan.order);
  r.entry = EntryModeName(plan.entry);
  r.window = plan.window;
  r.from = options.from;
  r.to = options.to;
  r.segment = options.segment.has_value();
  r.segment_size = options.segment ? options.segment->size() : 0;
  const Counts& c = all.counts;
  r.entered = c.Reached(0);
  r.completed = c.Reached(plan.required - 1);
  r.conversion = Ratio(r.completed, r.entered);
  int prev_rank = 0;
  for (int i = 0; i < plan.steps; ++i) {
    StepStats s;
    s.name = def.steps[i].name;
    s.optional = def.steps[i].optional;
    const int rank = plan.rank_of_step[i];
    if (rank >= 0) {
      s.count = c.Reached(rank);
      s.conversion_from_previous =
          rank == 0 ? (s.count > 0 ? 1.0 : 0.0) : Ratio(s.count, c.Reached(rank - 1));
      s.dropped = rank + 1 < plan.required ? c.level_hist[rank + 1] : 0;
      if (options.timings && rank > 0) s.time_from_previous = Timing(all.gaps[rank]);
      prev_rank = rank;
    } else {
      s.count = c.optional[i];
      s.conversion_from_previous = Ratio(s.count, c.Reached(prev_rank));
    }
    s.conversion_from_first = Ratio(s.count, r.entered);
    s.dropoff_rate = Ratio(s.dropped, s.count);
    r.steps.push_back(std::move(s));
  }
  if (options.timings) {
    r.time_to_convert.edges = HistogramEdges();
    r.time_to_convert.counts = all.ttc;
  }
  for (DurationMs w : options.completion_windows) {
    if (w <= 0)
      return Status::InvalidArgument("completion_windows: each window must be positive, e.g. 7d");
    Counts cw = CountPass(index, plan, w, segment, threads);
    CompletionWithin cwr;
    cwr.window = w;
    cwr.entered = cw.Reached(0);
    cwr.completed = cw.Reached(plan.required - 1);
    cwr.rate = Ratio(cwr.completed, cwr.entered);
    r.completion.push_back(cwr);
  }
  if (trend) {
    r.trend_unit = options.trend == TrendUnit::kDay ? "day" : "week";
    std::map<TimeMs, std::pair<uint64_t, uint64_t>> sorted(all.trend.begin(), all.trend.end());
    for (const auto& [start, cell] : sorted) {
      r.trend.push_back(TrendPoint{start, cell.first, cell.second, Ratio(cell.second, cell.first)});
    }
  }
  if (ctx.breakdown != nullptr) {
    r.breakdown_by = options.breakdown;
    r.attribution = options.attribution.kind == Attribution::kFirst ? "first"
                    : options.attribution.kind == Attribution::kLast
                        ? "last"
                        : "step:" + std::to_string(options.attribution.step);
    std::vector<std::pair<std::string, Counts>> groups(all.breakdown.begin(), all.breakdown.end());
    std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
      uint64_t x = a.second.Reached(0), y = b.second.Reached(0);
      return x != y ? x > y : a.first < b.first;
    });
    const size_t top = static_cast<size_t>(std::max(0, options.top));
    Counts other;
    other.Init(plan);
    bool has_other = false;
    for (size_t g = 0; g < groups.size(); ++g) {
      if (g < top) {
        BreakdownRow row;
        row.value = groups[g].first;
        row.counts = groups[g].second.PerStep(plan);
        row.conversion =
            Ratio(groups[g].second.Reached(plan.required - 1), groups[g].second.Reached(0));
        r.breakdown.push_back(std::move(row));
      } else {
        other.Merge(groups[g].second);
        has_other = true;
      }
    }
    if (has_other) {
      r.breakdown.push_back(BreakdownRow{
          "other", other.PerStep(plan), Ratio(other.Reached(plan.required - 1), other.Reached(0))});
    }
  }
  return r;
}

namespace {

FunnelPerson PersonOf(const FunnelPlan& plan, const FunnelDefinition& def, const PreparedProfile& p,
                      const Attempt& a, ProfileId id, TimeMs now) {
  FunnelPerson person;
  person.profile = id;
  int step = plan.step_of_rank[a.level - 1];
  person.last_step = step + 1;
  person.last_step_name = def.steps[step].name;
  person.last_step_at = p.view.ts[a.level_pos[a.level - 1]];
  person.stuck_ms = now - person.last_step_at;
  return person;
}

}  // namespace

Result<std::vector<FunnelPerson>> FunnelPeople(const EventIndex& index, const FunnelDefinition& def,
                                               const FunnelOptions& options,
                                               const PeopleQuery& query,
                                               const PropertySource* source) {
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  SP_RETURN_IF_ERROR(ApplyRange(options, &plan));
  if ((query.completed > 0) == (query.dropped_at > 0)) {
    return Status::InvalidArgument("people: give exactly one of completed=K or dropped_at=K");
  }
  const int k = std::max(query.completed, query.dropped_at);
  if (k > plan.steps) {
    return Status::InvalidArgument("people: step " + std::to_string(k) +
                                   " is out of range; the funnel has " +
                                   std::to_string(plan.steps) + " steps");
  }
  const int rank = plan.rank_of_step[k - 1];
  if (query.dropped_at > 0 && (rank < 0 || rank + 1 >= plan.required)) {
    return Status::InvalidArgument("people: dropped_at=" + std::to_string(k) +
                                   " must name a required step before the last one");
  }
  const int threads = std::max(1, options.threads);
  const std::vector<uint8_t> segment = SegmentMask(index, options);
  std::vector<std::vector<FunnelPerson>> partial(threads);
  std::vector<Attempt> scratch(2 * threads);
  ForEachProfile(
      index, plan, segment, threads, [&](int t, uint32_t slot, const PreparedProfile& p) {
        ForEachCountedAttempt(
            plan, p, true, &scratch[2 * t], &scratch[2 * t + 1], [&](const Attempt& a) {
              bool keep;
              if (query.completed > 0) {
                keep = rank >= 0 ? a.level > rank : ((a.filled >> (k - 1)) & 1) != 0;
              } else {
                keep = a.level == rank + 1;
              }
              if (keep)
                partial[t].push_back(PersonOf(plan, def, p, a, index.SlotProfile(slot), query.now));
            });
      });
  std::vector<FunnelPerson> out;
  for (auto& v : partial) out.insert(out.end(), v.begin(), v.end());
  std::sort(out.begin(), out.end(), [](const FunnelPerson& a, const FunnelPerson& b) {
    return a.profile.value() < b.profile.value();
  });
  return out;
}

Result<FunnelPerson> LastCompletedStep(const EventIndex& index, const FunnelDefinition& def,
                                       const FunnelOptions& options, ProfileId profile, TimeMs now,
                                       const PropertySource* source) {
  int64_t slot = index.SlotOf(profile);
  if (slot < 0)
    return Status::NotFound("profile " + std::to_string(profile.value()) + " has no events");
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  SP_RETURN_IF_ERROR(ApplyRange(options, &plan));
  ViewScratch scratch;
  PreparedProfile prepared;
  PrepareProfile(plan, index.View(static_cast<uint32_t>(slot), &scratch), &prepared);
  FunnelPerson person;
  person.profile = profile;
  Attempt a, b;
  ForEachCountedAttempt(plan, prepared, true, &a, &b, [&](const Attempt& best) {
    person = PersonOf(plan, def, prepared, best, profile, now);
  });
  return person;
}

Result<FunnelPosition> PositionAsOf(const EventIndex& index, const FunnelDefinition& def,
                                    const FunnelOptions& options, ProfileId profile, TimeMs at,
                                    const PropertySource* source) {
  FunnelPosition pos;
  SP_ASSIGN_OR_RETURN(FunnelPlan plan, CompilePlan(index, def, source));
  SP_RETURN_IF_ERROR(ApplyRange(options, &plan));
  if (const int64_t slot = index.SlotOf(profile); slot >= 0) {
    ViewScratch scratch;
    ProfileView view = index.View(static_cast<uint32_t>(slot), &scratch);
    // The view is ordered by (timestamp, arrival): keep the events up to `at` (inclusive).
    view.size = static_cast<size_t>(std::upper_bound(view.ts, view.ts + view.size, at) - view.ts);
    PreparedProfile prepared;
    PrepareProfile(plan, view, &prepared);
    Attempt a, b;
    ForEachCountedAttempt(plan, prepared, true, &a, &b, [&](const Attempt& best) {
      const FunnelPerson person = PersonOf(plan, def, prepared, best, profile, at);
      pos.last_step = person.last_step;
      pos.last_step_name = person.last_step_name;
      pos.last_step_at = person.last_step_at;
    });
  }
  for (size_t i = static_cast<size_t>(pos.last_step); i < def.steps.size(); ++i) {
    if (def.steps[i].optional) continue;
    pos.next_step = static_cast<int>(i) + 1;
    pos.next_step_name = def.steps[i].name;
    break;
  }
  return pos;
}

}  // namespace signpost::analytics
