#include "segments/rule_evaluator.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace signpost::segments {

RuleEvaluator::RuleEvaluator(std::function<const Rule*(const SegmentId&)> rule_of,
                             const ProfileFacts& facts, TimeMs at)
    : rule_of_(std::move(rule_of)), facts_(facts), at_(at) {}

Result<bool> RuleEvaluator::InSegment(const SegmentId& segment) {
  if (auto it = memo_.find(segment); it != memo_.end()) return it->second;
  const Rule* rule = rule_of_(segment);
  bool in = false;
  if (rule != nullptr) {
    SP_ASSIGN_OR_RETURN(in, Holds(*rule));
  } else {
    in = facts_.InStaticSegment(segment);
  }
  memo_.emplace(segment, in);
  return in;
}

Result<bool> RuleEvaluator::Holds(const Rule& rule) {
  switch (rule.kind) {
    case Rule::Kind::kEvent:
      return EventHolds(rule);
    case Rule::Kind::kTrait:
      return TraitsHold(rule);
    case Rule::Kind::kSegment:
      return InSegment(rule.segment);
    case Rule::Kind::kFunnel:
      return FunnelHolds(rule);
    case Rule::Kind::kNot: {
      SP_ASSIGN_OR_RETURN(bool in, Holds(rule.children[0]));
      return !in;
    }
    case Rule::Kind::kAll:
    case Rule::Kind::kAny: {
      const bool want = rule.kind == Rule::Kind::kAny;  // the answer that ends the list early
      for (const auto& c : rule.children) {
        SP_ASSIGN_OR_RETURN(bool in, Holds(c));
        if (in == want) return want;
      }
      return !want;
    }
  }
  return false;
}

Result<bool> RuleEvaluator::EventHolds(const Rule& rule) {
  // Counting past the largest threshold cannot change any test's answer.
  int64_t enough = 0;
  for (const auto& c : rule.count) enough = std::max(enough, c.n + 1);
  const TimeMs from = rule.within ? at_ - *rule.within : std::numeric_limits<TimeMs>::min();
  int64_t count = 0;
  SP_RETURN_IF_ERROR(
      facts_.ForEachEvent(rule.event, from, at_, [&](TimeMs, std::string_view props) {
        rules::JsonScopes scopes;
        scopes.properties = props;
        if (rule.where.empty() || matcher_.Matches(rule.where, scopes)) ++count;
        return count < enough;
      }));
  return std::all_of(rule.count.begin(), rule.count.end(),
                     [count](const CountTest& c) { return c.Holds(count); });
}

Result<bool> RuleEvaluator::FunnelHolds(const Rule& rule) {
  SP_ASSIGN_OR_RETURN(FunnelFact f, facts_.FunnelAt(rule.funnel, at_));
  if (rule.reached > 0 && f.last_step < rule.reached) return false;
  if (rule.not_reached > 0 && f.last_step >= rule.not_reached) return false;
  for (const auto& [op, d] : rule.stuck_for) {
    if (f.last_step == 0) return false;  // stuck needs a step completed
    const DurationMs stuck = at_ - f.last_step_at;
    const bool holds = op == rules::Op::kGt   ? stuck > d
                       : op == rules::Op::kGe ? stuck >= d
                       : op == rules::Op::kLt ? stuck < d
                                              : stuck <= d;
    if (!holds) return false;
  }
  return true;
}

std::optional<TimeMs> StuckFlip(const Rule& rule, TimeMs last_step_at, TimeMs at) {
  std::optional<TimeMs> next;
  for (const auto& [op, d] : rule.stuck_for) {
    // stuck = t - last_step_at crosses d at t = last_step_at + d: > and <= flip just after it.
    const TimeMs flip = last_step_at + d + (op == rules::Op::kGt || op == rules::Op::kLe ? 1 : 0);
    if (flip > at && (!next || flip < *next)) next = flip;
  }
  return next;
}

bool RuleEvaluator::TraitsHold(const Rule& rule) {
  std::string scratch;
  for (const auto& c : rule.traits) {
    rules::ValueRef v = ValueOfJson(facts_.TraitAt(c.path.keys[0], at_), scratch);
    if (!c.Matches(v)) return false;
  }
  return true;
}

rules::ValueRef ValueOfJson(const std::optional<std::string>& text, std::string& scratch) {
  using rules::ValueKind;
  rules::ValueRef v;
  if (!text) return v;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return v;
  if (j.is_null()) {
    v.kind = ValueKind::kNull;
  } else if (j.is_boolean()) {
    v.kind = ValueKind::kBool;
    v.number = j.get<bool>() ? 1 : 0;
  } else if (j.is_number()) {
    v.kind = ValueKind::kNumber;
    v.number = j.get<double>();
  } else {
    v.kind = ValueKind::kString;
    scratch = j.is_string() ? j.get<std::string>() : j.dump();
    v.text = scratch;
  }
  return v;
}

}  // namespace signpost::segments
