#include "segments/segment_definition.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>

#include "base/duration.h"
#include "rules/where.h"

namespace signpost::segments {

namespace {

using rules::Op;

constexpr int kMaxDepth = 32;

// " (line N)", or "" for a node that is not in the document (Mark() would throw).
std::string LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return "";
  return fmt::format(" (line {})", node.Mark().line + 1);
}

// A scalar that is present (IsScalar() throws on a key the map lacks).
bool IsText(const YAML::Node& node) { return node.IsDefined() && node.IsScalar(); }

Status Bad(const std::string& field, const YAML::Node& node, const std::string& what) {
  return Status::InvalidArgument(field + LineOf(node) + ": " + what);
}

// Adds the line of `node` to an error from the shared where parser.
Status WithLine(Status s, const YAML::Node& node) {
  if (s.ok()) return s;
  return Status::InvalidArgument(s.message() + LineOf(node));
}

Status AllowedKeys(const YAML::Node& map, const std::string& field,
                   const std::set<std::string>& allowed) {
  return WithLine(rules::KeysAllowed(map, field, allowed, false), map);
}

Result<std::vector<CountTest>> ParseCount(const YAML::Node& node, const std::string& field) {
  const std::string fix =
      "write e.g. `count: { gte: 1 }` (gte, gt, lte, lt, eq, ne with a whole number)";
  if (!node.IsMap() || node.size() == 0) return Bad(field, node, "expected a map; " + fix);
  std::vector<CountTest> out;
  for (const auto& kv : node) {
    std::string op_text = kv.first.Scalar();
    std::string f = field + "." + op_text;
    std::optional<Op> op = rules::ParseOp(op_text);
    if (!op || (*op != Op::kEq && *op != Op::kNe && *op != Op::kLt && *op != Op::kLe &&
                *op != Op::kGt && *op != Op::kGe)) {
      return Bad(f, kv.first, "unknown count operator '" + op_text + "'; " + fix);
    }
    if (!kv.second.IsScalar()) return Bad(f, kv.second, "expected a whole number; " + fix);
    const std::string& t = kv.second.Scalar();
    CountTest c;
    c.op = *op;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), c.n);
    if (ec != std::errc() || end != t.data() + t.size() || c.n < 0) {
      return Bad(f, kv.second, "'" + t + "' is not a whole number >= 0; " + fix);
    }
    out.push_back(c);
  }
  return out;
}

// `trait: { plan: pro, seats: { gte: 5 } }`: names are trait names ("traits." optional).
Status ParseTraits(const YAML::Node& node, const std::string& field,
                   std::vector<rules::Condition>* out) {
  if (!node.IsMap() || node.size() == 0) {
    return Bad(field, node,
               "expected a map of trait name to condition, e.g. `trait: { plan: pro }`");
  }
  for (const auto& kv : node) {
    std::string name = kv.first.Scalar();
    if (name.rfind("traits.", 0) == 0) name = name.substr(7);
    const std::string f = field + "." + name;
    auto path = rules::ParsePropertyPath("traits." + name);
    if (!path.ok() || name.empty()) {
      return Bad(f, kv.first,
                 "not a trait name; write it dotted without `traits.`, e.g. address.city");
    }
    // The trait's flattened name is one key (traits are stored flattened: "address.city").
    path->keys = {name};
    const YAML::Node& cond = kv.second;
    if (cond.IsMap()) {
      for (const auto& op : cond) {
        auto c = rules::ParseCondition(*path, op.first.Scalar(), op.second, f);
        if (!c.ok()) return WithLine(c.status(), op.first);
        out->push_back(std::move(c).value());
      }
    } else {
      auto c = rules::ParseCondition(*path, cond.IsSequence() ? "in" : "=", cond, f);
      if (!c.ok()) return WithLine(c.status(), cond);
      out->push_back(std::move(c).value());
    }
  }
  return Status::Ok();
}

Result<Rule> ParseRule(const YAML::Node& node, const std::string& field, int depth);

Result<Rule> ParseEventRule(const YAML::Node& node, const std::string& field) {
  Rule r;
  r.kind = Rule::Kind::kEvent;
  r.field = field;
  r.line = node.Mark().line + 1;
  SP_RETURN_IF_ERROR(AllowedKeys(node, field, {"event", "where", "count", "within"}));
  if (!IsText(node["event"]) || node["event"].Scalar().empty()) {
    return Bad(field + ".event", node["event"],
               "expected an event name, e.g. `event: Order Completed`");
  }
  r.event = node["event"].Scalar();
  if (node["where"]) {
    SP_RETURN_IF_ERROR(
        WithLine(rules::ParseWhere(node["where"], field + ".where", &r.where), node["where"]));
    for (const auto& c : r.where) {
      if (c.path.scope != rules::PropertyScope::kProperties) {
        return Bad(field + ".where." + c.path.text, node["where"],
                   "segment event conditions read the event's properties only; write "
                   "properties.<name> (use `trait:` for the profile's traits)");
      }
    }
  }
  if (node["count"]) {
    SP_ASSIGN_OR_RETURN(r.count, ParseCount(node["count"], field + ".count"));
  } else {
    r.count.push_back(CountTest{});
  }
  if (node["within"]) {
    const YAML::Node& w = node["within"];
    if (!w.IsScalar())
      return Bad(field + ".within", w, "expected a duration such as 7d, 12h or 30m");
    auto d = ParseDuration(w.Scalar());
    if (!d.ok()) return Bad(field + ".within", w, d.status().message());
    if (*d <= 0)
      return Bad(field + ".within", w, "must be longer than 0s; omit `within` to mean ever");
    r.within = *d;
  }
  return r;
}

// A whole step number 1..64 of a funnel rule (`reached: 2`).
Result<int> ParseStepNumber(const YAML::Node& node, const std::string& field) {
  const std::string t = node.IsScalar() ? node.Scalar() : "";
  int n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || n < 1 || n > 64)
    return Bad(field, node, "expected a step number from 1 to 64, e.g. 2");
  return n;
}

// `funnel: { id: onboarding, reached: 2, not_reached: 3, stuck_for: { gt: 2d } }`.
Result<Rule> ParseFunnelRule(const YAML::Node& node, const std::string& field) {
  Rule r;
  r.kind = Rule::Kind::kFunnel;
  r.field = field + ".funnel";
  r.line = node.Mark().line + 1;
  SP_RETURN_IF_ERROR(AllowedKeys(node, field, {"funnel"}));
  const YAML::Node& f = node["funnel"];
  const std::string example =
      "e.g. `funnel: { id: onboarding, reached: 2, not_reached: 3, stuck_for: { gt: 2d } }`";
  if (!f.IsMap()) return Bad(r.field, f, "expected a map; " + example);
  SP_RETURN_IF_ERROR(AllowedKeys(f, r.field, {"id", "reached", "not_reached", "stuck_for"}));
  if (!IsText(f["id"]) || f["id"].Scalar().empty())
    return Bad(r.field + ".id", f["id"] ? f["id"] : f, "expected the id of a funnel; " + example);
  r.funnel = FunnelId(f["id"].Scalar());
  if (f["reached"]) {
    SP_ASSIGN_OR_RETURN(r.reached, ParseStepNumber(f["reached"], r.field + ".reached"));
  }
  if (f["not_reached"]) {
    SP_ASSIGN_OR_RETURN(r.not_reached, ParseStepNumber(f["not_reached"], r.field + ".not_reached"));
    if (r.not_reached <= r.reached)
      return Bad(r.field + ".not_reached", f["not_reached"],
                 "must be a later step than `reached` (no one could be in the segment)");
  }
  if (f["stuck_for"]) {
    const YAML::Node& s = f["stuck_for"];
    if (!s.IsMap() || s.size() == 0)
      return Bad(r.field + ".stuck_for", s, "expected e.g. `stuck_for: { gt: 2d }`");
    for (const auto& kv : s) {
      const std::string name = kv.first.Scalar();
      std::optional<rules::Op> op;
      if (name == "gt" || name == ">") op = rules::Op::kGt;
      if (name == "gte" || name == ">=") op = rules::Op::kGe;
      if (name == "lt" || name == "<") op = rules::Op::kLt;
      if (name == "lte" || name == "<=") op = rules::Op::kLe;
      if (!op)
        return Bad(r.field + ".stuck_for." + name, kv.first,
                   "expected gt, gte, lt or lte, e.g. `stuck_for: { gt: 2d }`");
      auto d = kv.second.IsScalar() ? ParseDuration(kv.second.Scalar())
                                    : Result<DurationMs>(Status::InvalidArgument("not a duration"));
      if (!d.ok() || *d < 0)
        return Bad(r.field + ".stuck_for." + name, kv.second,
                   "expected a duration such as 2d, 12h or 30m");
      r.stuck_for.emplace_back(*op, *d);
    }
  }
  if (r.reached == 0 && r.not_reached == 0 && r.stuck_for.empty())
    return Bad(r.field, f, "give at least one of reached, not_reached, stuck_for; " + example);
  return r;
}

Result<Rule> ParseList(const YAML::Node& node, Rule::Kind kind, const std::string& key,
                       const std::string& field, int depth) {
  Rule r;
  r.kind = kind;
  r.field = field + "." + key;
  r.line = node.Mark().line + 1;
  const YAML::Node& list = node[key];
  if (!list.IsSequence() || list.size() == 0) {
    return Bad(r.field, list,
               "expected a non-empty list of rules, e.g. `" + key +
                   ": [ { trait: { plan: pro } }, { segment: active } ]`");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    SP_ASSIGN_OR_RETURN(Rule child,
                        ParseRule(list[i], fmt::format("{}[{}]", r.field, i), depth + 1));
    r.children.push_back(std::move(child));
  }
  return r;
}

Result<Rule> ParseRule(const YAML::Node& node, const std::string& field, int depth) {
  if (depth > kMaxDepth) {
    return Bad(field, node,
               fmt::format("rules nest deeper than {} levels; flatten them or split "
                           "them into segments that refer to each other",
                           kMaxDepth));
  }
  const std::string forms =
      "write one of `event: <name>`, `trait: {...}`, `segment: <name>`, `funnel: {...}`, "
      "`all: [...]`, `any: [...]` or `not: {...}`";
  if (!node.IsMap()) return Bad(field, node, "expected a rule; " + forms);
  int forms_used = 0;
  for (const char* k : {"event", "trait", "segment", "all", "any", "not", "funnel"})
    forms_used += node[k] ? 1 : 0;
  if (forms_used != 1) {
    return Bad(field, node,
               forms_used == 0 ? "no rule here; " + forms
                               : "more than one rule in one map; put them in `all:` "
                                 "or `any:` lists");
  }
  if (node["event"]) return ParseEventRule(node, field);
  if (node["funnel"]) return ParseFunnelRule(node, field);
  Rule r;
  r.line = node.Mark().line + 1;
  if (node["all"] || node["any"]) {
    const bool all = static_cast<bool>(node["all"]);
    SP_RETURN_IF_ERROR(AllowedKeys(node, field, {all ? "all" : "any"}));
    return ParseList(node, all ? Rule::Kind::kAll : Rule::Kind::kAny, all ? "all" : "any", field,
                     depth);
  }
  if (node["trait"]) {
    SP_RETURN_IF_ERROR(AllowedKeys(node, field, {"trait"}));
    r.kind = Rule::Kind::kTrait;
    r.field = field + ".trait";
    SP_RETURN_IF_ERROR(ParseTraits(node["trait"], r.field, &r.traits));
    return r;
  }
  if (node["segment"]) {
    SP_RETURN_IF_ERROR(AllowedKeys(node, field, {"segment"}));
    r.kind = Rule::Kind::kSegment;
    r.field = field + ".segment";
    const YAML::Node& s = node["segment"];
    if (!s.IsScalar() || s.Scalar().empty()) {
      return Bad(r.field, s, "expected the name of a segment, e.g. `segment: churned`");
    }
    r.segment = SegmentId(s.Scalar());
    return r;
  }
  SP_RETURN_IF_ERROR(AllowedKeys(node, field, {"not"}));
  r.kind = Rule::Kind::kNot;
  r.field = field + ".not";
  SP_ASSIGN_OR_RETURN(Rule child, ParseRule(node["not"], r.field, depth + 1));
  r.children.push_back(std::move(child));
  return r;
}

std::string ConditionText(const rules::Condition& c) {
  std::string out = c.path.text + " " + rules::OpName(c.op);
  if (c.op == Op::kExists) return out + (c.exists ? " true" : " false");
  if (c.op == Op::kIn) {
    std::string list;
    for (const auto& v : c.values) list += (list.empty() ? "" : ", ") + v.text;
    return out + " [" + list + "]";
  }
  return out + " " + (c.values.empty() ? "" : c.values[0].text);
}

}  // namespace

bool CountTest::Holds(int64_t count) const {
  switch (op) {
    case Op::kEq:
      return count == n;
    case Op::kNe:
      return count != n;
    case Op::kLt:
      return count < n;
    case Op::kLe:
      return count <= n;
    case Op::kGt:
      return count > n;
    case Op::kGe:
      return count >= n;
    default:
      return false;
  }
}

Result<SegmentDefinition> ParseSegmentDefinition(std::string_view text) {
  YAML::Node loaded;
  try {
    loaded = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("(document): not valid YAML or JSON at line {}, "
                    "column {}: {}",
                    e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  const YAML::Node& root = loaded;  // const: lookups never add keys
  if (!root.IsMap()) return Bad("(document)", root, "expected a map with kind, id and rule");
  SP_RETURN_IF_ERROR(
      AllowedKeys(root, "(document)", {"kind", "id", "name", "note", "description", "rule"}));
  if (!IsText(root["kind"]) || root["kind"].Scalar() != "segment") {
    return Bad("kind", root, "expected `kind: segment`");
  }
  SegmentDefinition def;
  if (!IsText(root["id"]) || root["id"].Scalar().empty()) {
    return Bad("id", root["id"] ? root["id"] : root,
               "missing; give the segment an id, e.g. `id: purchased-last-7d`");
  }
  def.id = SegmentId(root["id"].Scalar());
  if (def.id.value().find_first_of("/?#% \t") != std::string::npos) {
    return Bad("id", root["id"],
               "'" + def.id.value() +
                   "' has a space or one of / ? # %; use letters, "
                   "digits, - and _ (the id appears in URLs)");
  }
  def.name = def.id.value();
  if (root["name"]) {
    if (!root["name"].IsScalar()) return Bad("name", root["name"], "expected text");
    def.name = root["name"].Scalar();
  }
  for (const char* k : {"note", "description"}) {
    if (!root[k]) continue;
    if (!root[k].IsScalar()) return Bad(k, root[k], "expected text");
    def.note = root[k].Scalar();
  }
  if (!root["rule"]) {
    return Bad("rule", root, "missing; add e.g. `rule: { event: Order Completed, within: 7d }`");
  }
  SP_ASSIGN_OR_RETURN(def.rule, ParseRule(root["rule"], "rule", 0));
  return def;
}

void ReferencesOf(const Rule& rule, std::vector<SegmentId>* out) {
  if (rule.kind == Rule::Kind::kSegment) out->push_back(rule.segment);
  for (const auto& c : rule.children) ReferencesOf(c, out);
}

void FunnelsOf(const Rule& rule, std::vector<FunnelId>* out) {
  if (rule.kind == Rule::Kind::kFunnel) out->push_back(rule.funnel);
  for (const auto& c : rule.children) FunnelsOf(c, out);
}

SegmentRuleView RuleView(const Rule& rule) {
  using Kind = SegmentRuleView::Kind;
  SegmentRuleView out;
  switch (rule.kind) {
    case Rule::Kind::kEvent:
      out.kind = Kind::kEvent;
      out.event = rule.event;
      for (const auto& c : rule.where) out.where.push_back(ConditionText(c));
      for (const auto& c : rule.count)
        out.count.push_back(fmt::format("{} {}", rules::OpName(c.op), c.n));
      out.within = rule.within;
      break;
    case Rule::Kind::kTrait:
      out.kind = Kind::kTrait;
      for (const auto& c : rule.traits) out.traits.push_back(ConditionText(c));
      break;
    case Rule::Kind::kSegment:
      out.kind = Kind::kSegment;
      out.segment = rule.segment;
      break;
    case Rule::Kind::kNot:
      out.kind = Kind::kNot;
      break;
    case Rule::Kind::kAll:
      out.kind = Kind::kAll;
      break;
    case Rule::Kind::kAny:
      out.kind = Kind::kAny;
      break;
    case Rule::Kind::kFunnel:
      out.kind = Kind::kFunnel;
      out.funnel = rule.funnel;
      if (rule.reached > 0) out.funnel_tests.push_back(fmt::format("reached {}", rule.reached));
      if (rule.not_reached > 0)
        out.funnel_tests.push_back(fmt::format("not_reached {}", rule.not_reached));
      for (const auto& [op, d] : rule.stuck_for)
        out.funnel_tests.push_back(
            fmt::format("stuck_for {} {}", rules::OpName(op), FormatDuration(d)));
      break;
  }
  for (const auto& c : rule.children) out.children.push_back(RuleView(c));
  return out;
}

}  // namespace signpost::segments
