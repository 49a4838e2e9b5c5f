#include "analytics/funnel_kernel.h"

#include <bit>
#include <map>

namespace signpost::analytics {

namespace {

uint64_t Bit(int i) { return uint64_t{1} << i; }

// Events that break a strict chain when they match no step: what the profile did (track, page,
// screen); identify/alias/group calls are bookkeeping and never break it.
bool BreaksChain(uint8_t type) {
  auto t = static_cast<EventType>(type);
  return t == EventType::kTrack || t == EventType::kPage || t == EventType::kScreen;
}

Status AddMatcher(const EventIndex& index, const rules::EventMatcher& m, uint64_t bit,
                  bool exclusion, const PropertySource* source, FunnelPlan* plan) {
  uint32_t name = index.NameId(m.event);
  if (name == EventIndex::kNoName) return Status::Ok();  // no event has it: never matches
  if (m.where.empty()) {
    (exclusion ? plan->name_excl : plan->name_steps)[name] |= bit;
    return Status::Ok();
  }
  CompiledMatcher cm;
  cm.bit = bit;
  cm.name = name;
  for (const rules::Condition& c : m.where) {
    SP_ASSIGN_OR_RETURN(const PropertyColumn* col, index.Column(c.path, source));
    cm.conditions.emplace_back(col, &c);
  }
  plan->name_has_conditional[name] = 1;
  (exclusion ? plan->excl_matchers : plan->step_matchers).push_back(std::move(cm));
  plan->simple = false;
  return Status::Ok();
}

bool MatcherHolds(const CompiledMatcher& m, int64_t ref) {
  for (const auto& [col, cond] : m.conditions) {
    if (!cond->Matches(col->Get(ref))) return false;
  }
  return true;
}

}  // namespace

Result<FunnelPlan> CompilePlan(const EventIndex& index, const FunnelDefinition& def,
                               const PropertySource* source) {
  SP_RETURN_IF_ERROR(ValidateFunnel(def));
  FunnelPlan plan;
  plan.steps = static_cast<int>(def.steps.size());
  plan.order = def.order;
  plan.entry = def.entry;
  plan.window = def.window;
  plan.rank_of_step.assign(plan.steps, -1);
  for (int i = 0; i < plan.steps; ++i) {
    plan.all_mask |= Bit(i);
    if (!def.steps[i].optional) {
      plan.required_mask |= Bit(i);
      plan.rank_of_step[i] = plan.required++;
      plan.step_of_rank.push_back(i);
    }
  }
  for (int i = 0; i < plan.steps; ++i) {
    uint64_t cand = 0;
    for (int k = i + 1; k < plan.steps; ++k) {
      cand |= Bit(k);
      if (!def.steps[k].optional) break;
    }
    plan.cand_after[i] = cand;
  }
  plan.name_steps.assign(index.NameCount(), 0);
  plan.name_excl.assign(index.NameCount(), 0);
  plan.name_has_conditional.assign(index.NameCount(), 0);
  for (int i = 0; i < plan.steps; ++i) {
    const FunnelStep& step = def.steps[i];
    for (const rules::EventMatcher& m : step.any_of) {
      SP_RETURN_IF_ERROR(AddMatcher(index, m, Bit(i), false, source, &plan));
    }
    if (step.status) {
      SP_ASSIGN_OR_RETURN(const PropertyColumn* col, index.Column(step.status->path, source));
      plan.status_steps.push_back(CompiledStatus{Bit(i), col, &*step.status});
      plan.simple = false;
    }
  }
  for (size_t e = 0; e < def.exclusions.size(); ++e) {
    const Exclusion& ex = def.exclusions[e];
    plan.exclusions.push_back(
        CompiledExclusion{static_cast<int>(e), ex.from_step - 1, ex.to_step - 1});
    SP_RETURN_IF_ERROR(
        AddMatcher(index, ex.matcher, Bit(static_cast<int>(e)), true, source, &plan));
  }
  for (const rules::PropertyPath& path : def.hold_constant) {
    SP_ASSIGN_OR_RETURN(const PropertyColumn* col, index.Column(path, source));
    plan.hold.push_back(col);
    plan.simple = false;
  }
  return plan;
}

void PrepareProfile(const FunnelPlan& plan, const ProfileView& view, PreparedProfile* out) {
  const size_t n = view.size;
  out->view = view;
  out->mask.resize(n);
  const uint64_t* table = plan.name_steps.data();
  uint64_t* mask = out->mask.data();
  for (size_t i = 0; i < n; ++i) mask[i] = table[view.name[i]];
  if (!plan.exclusions.empty()) {
    out->excl.resize(n);
    for (size_t i = 0; i < n; ++i) out->excl[i] = plan.name_excl[view.name[i]];
  }
  if (plan.simple && plan.excl_matchers.empty()) return;
  if (!plan.step_matchers.empty() || !plan.excl_matchers.empty()) {
    for (size_t i = 0; i < n; ++i) {
      if (!plan.name_has_conditional[view.name[i]]) continue;
      const int64_t ref = view.RefAt(i);
      for (const CompiledMatcher& m : plan.step_matchers) {
        if (m.name == view.name[i] && (mask[i] & m.bit) == 0 && MatcherHolds(m, ref))
          mask[i] |= m.bit;
      }
      for (const CompiledMatcher& m : plan.excl_matchers) {
        if (m.name == view.name[i] && (out->excl[i] & m.bit) == 0 && MatcherHolds(m, ref)) {
          out->excl[i] |= m.bit;
        }
      }
    }
  }
  // Status steps: the event at which the trait took a matching value, having not matched before
  // (the previous known value of the trait did not match, or there was none).
  for (const CompiledStatus& st : plan.status_steps) {
    bool was = false;
    for (size_t i = 0; i < n; ++i) {
      rules::ValueRef v = st.column->Get(view.RefAt(i));
      if (v.kind == rules::ValueKind::kMissing) continue;
      bool now = st.condition->Matches(v);
      if (now && !was) mask[i] |= st.bit;
      was = now;
    }
  }
  if (!plan.hold.empty()) {
    // Small per-profile ids for the held value tuple; 0 when any held path is missing.
    out->hold.assign(n, 0);
    std::vector<std::vector<rules::ValueRef>> seen;
    std::vector<rules::ValueRef> tuple(plan.hold.size());
    for (size_t i = 0; i < n; ++i) {
      bool missing = false;
      for (size_t h = 0; h < plan.hold.size(); ++h) {
        tuple[h] = plan.hold[h]->Get(view.RefAt(i));
        missing |= tuple[h].kind == rules::ValueKind::kMissing;
      }
      if (missing) continue;
      uint32_t id = 0;
      for (size_t k = 0; k < seen.size() && id == 0; ++k) {
        if (seen[k] == tuple) id = static_cast<uint32_t>(k + 1);
      }
      if (id == 0) {
        seen.push_back(tuple);
        id = static_cast<uint32_t>(seen.size());
      }
      out->hold[i] = id;
    }
  }
}

bool CountsByBestLevel(const FunnelPlan& plan) {
  return plan.order == OrderMode::kOrdered && plan.entry == EntryMode::kAnyAttempt && plan.simple &&
         plan.required == plan.steps && plan.exclusions.empty() && plan.hold.empty() &&
         plan.excl_matchers.empty();
}

bool RunAttempt(const FunnelPlan& plan, const PreparedProfile& p, int start, Attempt* a,
                bool* ran_out) {
  const size_t n = p.view.size;
  const TimeMs* ts = p.view.ts;
  const uint64_t* mask = p.mask.data();
  const TimeMs end = ts[start] + plan.window;  // inclusive
  const uint32_t held = plan.hold.empty() ? 0 : p.hold[start];
  a->start = start;
  a->level = 1;
  a->filled = 1;
  a->pos[0] = start;
  a->level_pos[0] = start;
  size_t j = static_cast<size_t>(start) + 1;
  if (plan.order == OrderMode::kAny) {
    for (; j < n && ts[j] <= end; ++j) {
      uint64_t m = mask[j] & ~a->filled;
      if (held != 0 && p.hold[j] != held) m = 0;
      if (m == 0) continue;
      int k = std::countr_zero(m);
      a->filled |= Bit(k);
      a->pos[k] = static_cast<int32_t>(j);
      if ((plan.required_mask >> k) & 1) a->level_pos[a->level++] = static_cast<int32_t>(j);
      if (a->filled == plan.all_mask) break;
    }
  } else {
    const bool strict = plan.order == OrderMode::kStrict;
    int cur = 0;
    for (; j < n && ts[j] <= end; ++j) {
      uint64_t m = mask[j];
      if (held != 0 && p.hold[j] != held) m = 0;
      uint64_t hit = m & plan.cand_after[cur];
      if (hit != 0) {
        int k = 63 - std::countl_zero(hit);
        a->filled |= Bit(k);
        a->pos[k] = static_cast<int32_t>(j);
        if ((plan.required_mask >> k) & 1) a->level_pos[a->level++] = static_cast<int32_t>(j);
        cur = k;
        if (plan.cand_after[cur] == 0) break;
      } else if (strict && ((m >> cur) & 1) == 0 && BreaksChain(p.view.type[j])) {
        break;
      }
    }
  }
  *ran_out = j >= n;
  if (plan.exclusions.empty()) return true;
  for (const CompiledExclusion& e : plan.exclusions) {
    if (((a->filled >> e.from_step) & 1) == 0) continue;
    size_t lo = static_cast<size_t>(a->pos[e.from_step]);
    size_t hi;
    if ((a->filled >> e.to_step) & 1) {
      hi = static_cast<size_t>(a->pos[e.to_step]);
    } else {
      hi = lo + 1;
      while (hi < n && ts[hi] <= end) ++hi;
    }
    for (size_t q = lo + 1; q < hi; ++q) {
      if ((p.excl[q] >> e.bit) & 1) return false;
    }
  }
  return true;
}

}  // namespace signpost::analytics
