#include "analytics/funnel_definition.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>

#include "base/duration.h"
#include "rules/consent_rule.h"
#include "rules/where.h"

namespace signpost::analytics {

using rules::Condition;
using rules::EventMatcher;
using rules::KeysAllowed;
using rules::OperatorList;
using rules::ParseCondition;
using rules::ParseMatcher;
using rules::ParseOp;
using rules::ParsePropertyPath;
using rules::ScalarAt;

namespace {

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument(field + ": " + what);
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

Result<FunnelStep> ParseStep(const YAML::Node& node, const std::string& field) {
  FunnelStep step;
  if (node.IsScalar()) {  // `- Signed Up`
    step.name = node.Scalar();
    step.any_of.push_back(EventMatcher{step.name, {}});
    return step;
  }
  if (!node.IsMap()) return Bad(field, "expected a step: { name, event | any_of | trait }");
  SP_RETURN_IF_ERROR(KeysAllowed(node, field,
                                 {"name", "event", "where", "any_of", "optional", "trait"},
                                 node["trait"].IsDefined()));
  int kinds = (node["event"] ? 1 : 0) + (node["any_of"] ? 1 : 0) + (node["trait"] ? 1 : 0);
  if (kinds != 1) {
    return Bad(field,
               "give exactly one of event (an event step), any_of (several paths) or "
               "trait (a status step)");
  }
  if (node["optional"]) {
    SP_ASSIGN_OR_RETURN(std::string v, ScalarAt(node["optional"], field + ".optional"));
    if (v != "true" && v != "false") return Bad(field + ".optional", "expected true or false");
    step.optional = v == "true";
  }
  if (node["event"]) {
    YAML::Node m;
    m["event"] = node["event"];
    if (node["where"]) m["where"] = node["where"];
    SP_ASSIGN_OR_RETURN(EventMatcher matcher, ParseMatcher(m, field));
    step.any_of.push_back(std::move(matcher));
  } else if (node["where"]) {
    return Bad(field + ".where", "belongs to an event step; put it inside each any_of item");
  }
  if (node["any_of"]) {
    const YAML::Node& list = node["any_of"];
    if (!list.IsSequence() || list.size() == 0) {
      return Bad(field + ".any_of", "expected a non-empty list of { event, where }");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      SP_ASSIGN_OR_RETURN(EventMatcher m,
                          ParseMatcher(list[i], field + ".any_of[" + std::to_string(i) + "]"));
      step.any_of.push_back(std::move(m));
    }
  }
  if (node["trait"]) {
    SP_ASSIGN_OR_RETURN(std::string trait, ScalarAt(node["trait"], field + ".trait"));
    auto path = ParsePropertyPath(trait.rfind("traits.", 0) == 0 ? trait : "traits." + trait);
    if (!path.ok()) return Bad(field + ".trait", path.status().message());
    int ops = 0;
    for (const auto& kv : node) {
      std::string key = kv.first.Scalar();
      if (!ParseOp(key).has_value()) continue;
      ++ops;
      SP_ASSIGN_OR_RETURN(Condition c, ParseCondition(*path, key, kv.second, field));
      step.status = std::move(c);
    }
    if (ops != 1) {
      return Bad(field,
                 "a status step needs one condition on the trait, e.g. "
                 "{ trait: plan, equals: pro } (operators: equals, " +
                     std::string(OperatorList()) + ")");
    }
  }
  if (node["name"]) {
    SP_ASSIGN_OR_RETURN(step.name, ScalarAt(node["name"], field + ".name"));
  } else if (!step.any_of.empty()) {
    step.name = step.any_of[0].event;
  } else {
    step.name = step.status->path.text;
  }
  return step;
}

Result<FunnelDefinition> ParseNode(const YAML::Node& root) {
  if (!root.IsMap()) return Bad("(document)", "expected a map with kind: funnel and steps");
  SP_RETURN_IF_ERROR(
      KeysAllowed(root, "(document)",
                  {"kind", "id", "name", "note", "window", "order", "entry", "hold_constant",
                   "steps", "exclusions", "version", "consent", "next_best_action"},
                  false));
  FunnelDefinition def;
  if (root["kind"]) {
    SP_ASSIGN_OR_RETURN(std::string kind, ScalarAt(root["kind"], "kind"));
    if (kind != "funnel")
      return Bad("kind", "is '" + kind + "'; a funnel definition has kind: funnel");
  }
  if (root["id"]) {
    SP_ASSIGN_OR_RETURN(std::string id, ScalarAt(root["id"], "id"));
    def.id = FunnelId(std::move(id));
  }
  if (root["name"]) {
    SP_ASSIGN_OR_RETURN(def.name, ScalarAt(root["name"], "name"));
  }
  if (root["note"]) {
    SP_ASSIGN_OR_RETURN(def.note, ScalarAt(root["note"], "note"));
  }
  if (root["window"]) {
    SP_ASSIGN_OR_RETURN(std::string w, ScalarAt(root["window"], "window"));
    auto d = ParseDuration(w);
    if (!d.ok()) return Bad("window", d.status().message());
    def.window = *d;
  }
  if (root["order"]) {
    SP_ASSIGN_OR_RETURN(std::string o, ScalarAt(root["order"], "order"));
    auto m = ParseOrderMode(o);
    if (!m.ok()) return Bad("order", m.status().message());
    def.order = *m;
  }
  if (root["entry"]) {
    SP_ASSIGN_OR_RETURN(std::string e, ScalarAt(root["entry"], "entry"));
    auto m = ParseEntryMode(e);
    if (!m.ok()) return Bad("entry", m.status().message());
    def.entry = *m;
  }
  if (root["hold_constant"]) {
    YAML::Node h = root["hold_constant"];
    if (h.IsScalar()) {
      YAML::Node seq(YAML::NodeType::Sequence);
      seq.push_back(h);
      h = seq;
    }
    if (!h.IsSequence()) return Bad("hold_constant", "expected a list of property paths");
    for (size_t i = 0; i < h.size(); ++i) {
      std::string f = "hold_constant[" + std::to_string(i) + "]";
      SP_ASSIGN_OR_RETURN(std::string p, ScalarAt(h[i], f));
      auto path = ParsePropertyPath(p);
      if (!path.ok()) return Bad(f, path.status().message());
      def.hold_constant.push_back(*path);
    }
  }
  if (!root["steps"] || !root["steps"].IsSequence()) {
    return Bad("steps", "missing; give a list of 1 to 64 steps");
  }
  const YAML::Node& steps = root["steps"];
  for (size_t i = 0; i < steps.size(); ++i) {
    SP_ASSIGN_OR_RETURN(FunnelStep s, ParseStep(steps[i], "steps[" + std::to_string(i) + "]"));
    def.steps.push_back(std::move(s));
  }
  if (root["consent"]) {  // privacy: tracking consent
    SP_ASSIGN_OR_RETURN(def.consent, rules::ParseConsentRequirement(root["consent"], "consent"));
  }
  if (root["next_best_action"]) {
    const YAML::Node& n = root["next_best_action"];
    const char* example = "e.g. next_best_action: { segments: [vip, trial], min_count: 30 }";
    if (!n.IsMap()) return Bad("next_best_action", std::string("expected a map; ") + example);
    SP_RETURN_IF_ERROR(KeysAllowed(n, "next_best_action", {"segments", "min_count"}, false));
    if (n["segments"]) {
      const YAML::Node& segs = n["segments"];
      if (!segs.IsSequence() || segs.size() > 20)
        return Bad("next_best_action.segments",
                   std::string("expected a list of up to 20 segment ids; ") + example);
      for (size_t i = 0; i < segs.size(); ++i) {
        const std::string f = "next_best_action.segments[" + std::to_string(i) + "]";
        SP_ASSIGN_OR_RETURN(std::string id, ScalarAt(segs[i], f));
        if (id.empty() || id.size() > 200) return Bad(f, "expected a segment id");
        def.nba_segments.emplace_back(std::move(id));
      }
    }
    if (n["min_count"]) {
      SP_ASSIGN_OR_RETURN(std::string m, ScalarAt(n["min_count"], "next_best_action.min_count"));
      char* end = nullptr;
      const unsigned long long v = std::strtoull(m.c_str(), &end, 10);
      if (m.empty() || *end != 0 || v < 1 || v > 1000000000ull)
        return Bad("next_best_action.min_count", "expected a whole number of people from 1");
      def.nba_min_count = v;
    }
  }
  if (root["exclusions"]) {
    const YAML::Node& ex = root["exclusions"];
    if (!ex.IsSequence()) return Bad("exclusions", "expected a list of { event, between: [i, j] }");
    for (size_t i = 0; i < ex.size(); ++i) {
      std::string f = "exclusions[" + std::to_string(i) + "]";
      if (!ex[i].IsMap()) return Bad(f, "expected { event, where, between: [i, j] }");
      SP_RETURN_IF_ERROR(KeysAllowed(ex[i], f, {"event", "where", "between"}, false));
      YAML::Node m;
      if (ex[i]["event"]) m["event"] = ex[i]["event"];
      if (ex[i]["where"]) m["where"] = ex[i]["where"];
      SP_ASSIGN_OR_RETURN(EventMatcher matcher, ParseMatcher(m, f));
      Exclusion e{std::move(matcher), 1, static_cast<int>(def.steps.size())};
      if (ex[i]["between"]) {
        const YAML::Node& b = ex[i]["between"];
        if (!b.IsSequence() || b.size() != 2) {
          return Bad(f + ".between", "expected two step numbers [i, j], 1-based, i < j");
        }
        try {
          e.from_step = b[0].as<int>();
          e.to_step = b[1].as<int>();
        } catch (const YAML::Exception&) {
          return Bad(f + ".between", "expected two step numbers [i, j], 1-based, i < j");
        }
      }
      def.exclusions.push_back(std::move(e));
    }
  }
  SP_RETURN_IF_ERROR(ValidateFunnel(def));
  return def;
}

}  // namespace

Status ValidateFunnel(const FunnelDefinition& def) {
  const int n = static_cast<int>(def.steps.size());
  if (n < 1 || n > kMaxSteps) {
    return Bad("steps", "has " + std::to_string(n) + " steps; a funnel has 1 to 64");
  }
  if (def.steps[0].optional)
    return Bad("steps[0].optional", "step 1 enters the funnel and cannot be optional");
  if (def.window <= 0) return Bad("window", "must be positive, e.g. 7d");
  for (int i = 0; i < n; ++i) {
    if (def.steps[i].name.empty()) {
      return Bad("steps[" + std::to_string(i) + "].name", "is empty; name the step");
    }
  }
  for (size_t i = 0; i < def.exclusions.size(); ++i) {
    const Exclusion& e = def.exclusions[i];
    if (e.from_step < 1 || e.to_step > n || e.from_step >= e.to_step) {
      return Bad("exclusions[" + std::to_string(i) + "].between",
                 "[" + std::to_string(e.from_step) + ", " + std::to_string(e.to_step) +
                     "] must be two step numbers 1 <= i < j <= " + std::to_string(n));
    }
  }
  return Status::Ok();
}

Result<FunnelDefinition> ParseFunnelDefinition(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
    return ParseNode(root);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("(document): not valid YAML or JSON at line " +
                                   std::to_string(e.mark.line + 1) + ", column " +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<FunnelDefinition> ParseAdHocFunnel(std::string_view steps) {
  FunnelDefinition def;
  size_t start = 0;
  while (true) {
    size_t gt = steps.find('>', start);
    std::string name = Trim(
        steps.substr(start, gt == std::string_view::npos ? std::string_view::npos : gt - start));
    if (name.empty()) {
      return Status::InvalidArgument("steps: step " + std::to_string(def.steps.size() + 1) +
                                     " is empty; write event names separated by '>', e.g. "
                                     "'Signed Up>Email Verified'");
    }
    FunnelStep s;
    s.name = name;
    s.any_of.push_back(EventMatcher{name, {}});
    def.steps.push_back(std::move(s));
    if (gt == std::string_view::npos) break;
    start = gt + 1;
  }
  def.id = FunnelId(steps);
  SP_RETURN_IF_ERROR(ValidateFunnel(def));
  return def;
}

}  // namespace signpost::analytics
