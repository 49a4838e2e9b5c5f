#include "segments/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <set>
#include <vector>

#include "segments/rule_evaluator.h"

namespace signpost::segments {

namespace {

// The segment references of `rule` with the rule that names them.
void RefRules(const Rule& rule, std::vector<const Rule*>* out) {
  if (rule.kind == Rule::Kind::kSegment) out->push_back(&rule);
  for (const auto& c : rule.children) RefRules(c, out);
}

}  // namespace

SegmentCatalog::SegmentCatalog(std::function<bool(const SegmentId&)> is_static)
    : is_static_(std::move(is_static)) {}

Status SegmentCatalog::CheckLocked(const SegmentDefinition& def) const {
  // The rule segments as they would be after adding `def`: `def` replaces its old version.
  auto refs_of = [&](const SegmentId& segment) {
    std::vector<SegmentId> refs;
    if (segment == def.id) {
      ReferencesOf(def.rule, &refs);
    } else if (auto it = rules_.find(segment); it != rules_.end()) {
      ReferencesOf(it->second->rule, &refs);
    }
    return refs;
  };
  // A path from `from` back to def.id, when one exists (depth-first; `seen` stops revisits).
  std::set<SegmentId> seen;
  std::function<bool(const SegmentId&, std::vector<SegmentId>*)> reaches =
      [&](const SegmentId& from, std::vector<SegmentId>* path) {
        path->push_back(from);
        if (from == def.id) return true;
        if (seen.insert(from).second) {
          for (const auto& next : refs_of(from)) {
            if (reaches(next, path)) return true;
          }
        }
        path->pop_back();
        return false;
      };
  std::vector<const Rule*> refs;
  RefRules(def.rule, &refs);
  for (const Rule* r : refs) {
    const std::string where = fmt::format("{} (line {})", r->field, r->line);
    const bool is_rule = r->segment == def.id || rules_.count(r->segment) != 0;
    if (!is_rule && !(is_static_ && is_static_(r->segment))) {
      return Status::InvalidArgument(fmt::format(
          "{}: unknown segment '{}'; apply a `kind: segment` definition with that id first, or "
          "save a static segment of that name",
          where, r->segment));
    }
    std::vector<SegmentId> path = {def.id};
    if (is_rule && reaches(r->segment, &path)) {
      std::string cycle;
      for (const auto& p : path) cycle += (cycle.empty() ? "" : " -> ") + p.value();
      return Status::InvalidArgument(fmt::format(
          "{}: segment '{}' refers back to '{}' ({}); segments may not refer to each other in a "
          "cycle: remove one of these references",
          where, r->segment, def.id, cycle));
    }
  }
  return Status::Ok();
}

Status SegmentCatalog::Check(const SegmentDefinition& def) const {
  std::shared_lock lock(mu_);
  return CheckLocked(def);
}

Status SegmentCatalog::Put(SegmentDefinition def) {
  std::unique_lock lock(mu_);
  SP_RETURN_IF_ERROR(CheckLocked(def));
  SegmentId id = def.id;
  rules_[id] = std::make_shared<const SegmentDefinition>(std::move(def));
  return Status::Ok();
}

void SegmentCatalog::Remove(const SegmentId& segment) {
  std::unique_lock lock(mu_);
  rules_.erase(segment);
}

void SegmentCatalog::Load(std::vector<SegmentDefinition> defs) {
  std::unique_lock lock(mu_);
  for (auto& d : defs) {
    SegmentId id = d.id;
    rules_[id] = std::make_shared<const SegmentDefinition>(std::move(d));
  }
}

bool SegmentCatalog::IsRule(const SegmentId& segment) const {
  std::shared_lock lock(mu_);
  return rules_.find(segment) != rules_.end();
}

std::shared_ptr<const SegmentDefinition> SegmentCatalog::Get(const SegmentId& segment) const {
  std::shared_lock lock(mu_);
  auto it = rules_.find(segment);
  return it == rules_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const SegmentDefinition>> SegmentCatalog::List() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const SegmentDefinition>> out;
  out.reserve(rules_.size());
  for (const auto& [id, def] : rules_) out.push_back(def);
  return out;
}

Result<bool> SegmentCatalog::IsMember(const SegmentId& segment, const ProfileFacts& facts,
                                      TimeMs at) const {
  std::shared_lock lock(mu_);
  if (rules_.find(segment) == rules_.end()) {
    return Status::NotFound(fmt::format("segment '{}' is not a rule segment", segment));
  }
  RuleEvaluator eval(
      [this](const SegmentId& n) -> const Rule* {
        auto it = rules_.find(n);
        return it == rules_.end() ? nullptr : &it->second->rule;
      },
      facts, at);
  return eval.InSegment(segment);
}

Result<std::optional<TimeMs>> SegmentCatalog::NextTimeChange(const SegmentId& segment,
                                                             const ProfileFacts& facts,
                                                             TimeMs at) const {
  std::shared_lock lock(mu_);
  std::optional<TimeMs> next;
  std::set<SegmentId> seen;
  // Depth-first over the rule tree and the rule segments it refers to (each once): bounded by the
  // catalog's rules, and rules nest at most kMaxDepth levels.
  std::vector<const Rule*> stack;
  if (auto it = rules_.find(segment); it != rules_.end()) {
    seen.insert(segment);
    stack.push_back(&it->second->rule);
  }
  while (!stack.empty()) {
    const Rule& r = *stack.back();
    stack.pop_back();
    if (r.kind == Rule::Kind::kFunnel && !r.stuck_for.empty()) {
      SP_ASSIGN_OR_RETURN(FunnelFact f, facts.FunnelAt(r.funnel, at));
      if (f.last_step > 0) {
        std::optional<TimeMs> flip = StuckFlip(r, f.last_step_at, at);
        if (flip && (!next || *flip < *next)) next = flip;
      }
    }
    if (r.kind == Rule::Kind::kSegment && seen.insert(r.segment).second) {
      if (auto it = rules_.find(r.segment); it != rules_.end()) stack.push_back(&it->second->rule);
    }
    for (const auto& c : r.children) stack.push_back(&c);
  }
  return next;
}

Triggers SegmentCatalog::TriggersOf(const SegmentId& segment) const {
  std::shared_lock lock(mu_);
  Triggers t;
  std::set<SegmentId> seen;
  std::set<std::string, std::less<>> events;
  std::function<void(const Rule&)> visit = [&](const Rule& r) {
    switch (r.kind) {
      case Rule::Kind::kEvent:
        events.insert(r.event);
        if (r.within) t.time = true;
        break;
      case Rule::Kind::kTrait:
        t.traits = true;
        break;
      case Rule::Kind::kFunnel:
        if (std::find(t.funnels.begin(), t.funnels.end(), r.funnel) == t.funnels.end())
          t.funnels.push_back(r.funnel);
        if (!r.stuck_for.empty()) t.time = true;  // being stuck begins (or ends) by time alone
        break;
      case Rule::Kind::kSegment:
        if (!seen.insert(r.segment).second) break;
        if (auto it = rules_.find(r.segment); it != rules_.end()) {
          visit(it->second->rule);
        } else {
          t.is_static = true;
        }
        break;
      default:
        break;
    }
    for (const auto& c : r.children) visit(c);
  };
  if (auto it = rules_.find(segment); it != rules_.end()) {
    seen.insert(segment);
    visit(it->second->rule);
  }
  t.events.assign(events.begin(), events.end());
  return t;
}

}  // namespace signpost::segments
