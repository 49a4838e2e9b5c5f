#include "goals/goal_definition.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "base/system_events.h"
#include "rules/where.h"

namespace signpost::goals {

namespace {

using rules::Condition;
using rules::EventMatcher;

constexpr std::array<std::pair<GoalType, const char*>, 6> kTypes = {{
    {GoalType::kDrivePurchase, "drive_purchase"},
    {GoalType::kEngageCustomers, "engage_customers"},
    {GoalType::kIncreaseLoyalty, "increase_loyalty"},
    {GoalType::kOnboardNewPeople, "onboard_new_people"},
    {GoalType::kGeneralNotification, "general_notification"},
    {GoalType::kCustom, "custom"},
}};

constexpr std::string_view kOpened = "opened_any_message";
constexpr std::string_view kClicked = "clicked_any_message";

// "goal.met_when (line 4)": the field, with the YAML line when the node has one.
std::string At(const std::string& field, const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return field;
  return field + " (line " + std::to_string(node.Mark().line + 1) + ")";
}

Status Bad(const std::string& field, const YAML::Node& node, const std::string& what) {
  return Status::InvalidArgument(At(field, node) + ": " + what);
}

std::string TypeList() {
  std::string s;
  for (const auto& [t, name] : kTypes) s += (s.empty() ? "" : " | ") + std::string(name);
  return s;
}

const std::string kNoTraitGoals =
    "identify calls and trait changes cannot be goals (like Dataverse triggers in Dynamics 365); "
    "a goal must be a custom trigger (a track event you send), e.g. met_when: { event: Plan "
    "Upgraded } instead of a change of traits.plan";

bool IsIdentifyName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower == "identify" || lower == "alias" || lower == "group";
}

// `where: { properties.<key>: value | [values] | { op: operand } }`, properties only: a goal is
// an event you send, so its conditions read that event's properties.
Status ParseGoalWhere(const YAML::Node& where, const std::string& field,
                      std::vector<Condition>* out) {
  if (!where.IsMap()) return Bad(field, where, "expected a map of properties.<key> to a condition");
  for (const auto& kv : where) {
    std::string key = kv.first.Scalar();
    std::string f = field + "." + key;
    if (key.rfind("traits.", 0) == 0) return Bad(f, kv.first, kNoTraitGoals);
    if (key.rfind("properties.", 0) != 0) {
      return Bad(f, kv.first,
                 "a goal condition reads the event's properties; write properties.<key>");
    }
    auto path = rules::ParsePropertyPath(key);
    if (!path.ok()) return Bad(f, kv.first, path.status().message());
    const YAML::Node& cond = kv.second;
    if (cond.IsMap()) {
      for (const auto& op : cond) {
        SP_ASSIGN_OR_RETURN(Condition c,
                            rules::ParseCondition(*path, op.first.Scalar(), op.second, f));
        out->push_back(std::move(c));
      }
    } else {
      SP_ASSIGN_OR_RETURN(Condition c,
                          rules::ParseCondition(*path, cond.IsSequence() ? "in" : "=", cond, f));
      out->push_back(std::move(c));
    }
  }
  return Status::Ok();
}

Status CheckEventName(const std::string& name, const std::string& field, const YAML::Node& node,
                      GoalType type) {
  if (name.empty()) return Bad(field, node, "is empty; name the track event that meets the goal");
  if (system_events::IsReserved(name)) {
    std::string fix =
        type == GoalType::kGeneralNotification
            ? "; for opens or clicks write met_when: opened_any_message or clicked_any_message"
            : "";
    return Bad(
        field, node,
        "system events such as " + name +
            " are measured by signpost itself; a goal must be a custom trigger (a track event "
            "you send)" +
            fix);
  }
  if (IsIdentifyName(name)) return Bad(field, node, kNoTraitGoals);
  return Status::Ok();
}

Status ParseMetWhen(const YAML::Node& node, const std::string& field, GoalDefinition* goal) {
  const bool notification = goal->type == GoalType::kGeneralNotification;
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    if (text == kOpened || text == kClicked) {
      if (!notification) {
        return Bad(field, node,
                   text + " belongs to general_notification goals; a " + GoalTypeName(goal->type) +
                       " goal is met by a custom trigger: { event: <name>, where: {...} }");
      }
      goal->met_when =
          text == kOpened ? MetWhenKind::kOpenedAnyMessage : MetWhenKind::kClickedAnyMessage;
      return Status::Ok();
    }
  }
  if (notification) {
    return Bad(field, node,
               "a general_notification goal is met by opened_any_message or clicked_any_message "
               "(any message of the journey); for a custom trigger use type: custom");
  }
  goal->met_when = MetWhenKind::kEvent;
  if (node.IsScalar()) {  // `met_when: Order Completed`
    goal->trigger.event = node.Scalar();
    return CheckEventName(goal->trigger.event, field, node, goal->type);
  }
  if (node.IsSequence()) {
    return Bad(field, node,
               "one goal per journey, met by one trigger; keep a single { event, where }");
  }
  if (!node.IsMap()) return Bad(field, node, "expected { event: <name>, where: {...} }");
  for (const auto& kv : node) {
    std::string key = kv.first.Scalar();
    if (key == "trait" || key == "traits" || key == "identify")
      return Bad(field + "." + key, kv.first, kNoTraitGoals);
    if (key != "event" && key != "where") {
      return Bad(field + "." + key, kv.first, "unknown field; use event and where");
    }
  }
  if (!node["event"])
    return Bad(field + ".event", node,
               "missing; name the track event, e.g. event: Order Completed");
  SP_ASSIGN_OR_RETURN(goal->trigger.event,
                      rules::ScalarAt(node["event"], At(field + ".event", node["event"])));
  SP_RETURN_IF_ERROR(
      CheckEventName(goal->trigger.event, field + ".event", node["event"], goal->type));
  if (node["where"])
    SP_RETURN_IF_ERROR(ParseGoalWhere(node["where"], field + ".where", &goal->trigger.where));
  return Status::Ok();
}

Result<double> NumberAt(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return Bad(field, node, "expected a number");
  const std::string& text = node.Scalar();
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) {
    return Bad(field, node, "'" + text + "' is not a number");
  }
  return v;
}

Result<std::optional<GoalTarget>> ParseTarget(const YAML::Node& node, const std::string& field) {
  if (node.IsNull()) return std::optional<GoalTarget>();  // `target:` left blank: no target
  if (!node.IsMap() || node.size() != 1 || !(node["percent"] || node["count"])) {
    return Bad(field, node, "expected { percent: 50 } or { count: 1000 }, or no target");
  }
  GoalTarget t;
  if (node["percent"]) {
    SP_ASSIGN_OR_RETURN(t.value, NumberAt(node["percent"], field + ".percent"));
    t.kind = GoalTarget::Kind::kPercent;
    if (!(t.value > 0 && t.value <= 100)) {
      return Bad(field + ".percent", node["percent"], "must be more than 0 and at most 100");
    }
  } else {
    SP_ASSIGN_OR_RETURN(t.value, NumberAt(node["count"], field + ".count"));
    t.kind = GoalTarget::Kind::kCount;
    if (t.value < 1 || t.value != std::floor(t.value)) {
      return Bad(field + ".count", node["count"], "must be a whole number of profiles, at least 1");
    }
  }
  return std::optional<GoalTarget>(t);
}

// Canonical text of a condition, to compare goals regardless of the order conditions were written.
std::string ConditionKey(const Condition& c) {
  std::string k = c.path.text + '\x1f' + rules::OpName(c.op) + '\x1f' + (c.exists ? "1" : "0");
  for (const auto& v : c.values) k += '\x1f' + v.text;
  return k;
}

std::vector<std::string> ConditionKeys(const std::vector<Condition>& where) {
  std::vector<std::string> keys;
  for (const auto& c : where) keys.push_back(ConditionKey(c));
  std::sort(keys.begin(), keys.end());
  return keys;
}

YAML::Node YamlOf(const nlohmann::json& j) {
  if (j.is_object()) {
    YAML::Node n(YAML::NodeType::Map);
    for (auto it = j.begin(); it != j.end(); ++it) n[it.key()] = YamlOf(it.value());
    return n;
  }
  if (j.is_array()) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (const auto& v : j) n.push_back(YamlOf(v));
    return n;
  }
  if (j.is_null()) return YAML::Node(YAML::NodeType::Null);
  if (j.is_string()) return YAML::Node(j.get<std::string>());
  return YAML::Node(j.dump());
}

}  // namespace

const char* GoalTypeName(GoalType t) {
  for (const auto& [type, name] : kTypes) {
    if (type == t) return name;
  }
  return "custom";
}

Result<GoalDefinition> ParseGoal(const YAML::Node& node, std::string_view field_view) {
  const std::string field(field_view);
  if (node.IsSequence()) {
    return Bad(field, node, "one goal per journey; keep a single goal: { type, met_when, target }");
  }
  if (!node.IsMap()) return Bad(field, node, "expected { type, met_when, target }");
  std::map<std::string, int> seen;
  for (const auto& kv : node) {
    std::string key = kv.first.Scalar();
    if (++seen[key] > 1) {
      return Bad(field + "." + key, kv.first,
                 "appears twice; one goal per journey, with one " + key);
    }
    if (key == "goal" || key == "goals") {
      return Bad(field + "." + key, kv.first,
                 "one goal per journey; a goal holds type, met_when and target");
    }
    if (key != "type" && key != "met_when" && key != "target") {
      return Bad(field + "." + key, kv.first, "unknown field; use type, met_when and target");
    }
  }
  GoalDefinition goal;
  if (!node["type"]) return Bad(field + ".type", node, "missing; use one of " + TypeList());
  SP_ASSIGN_OR_RETURN(std::string type,
                      rules::ScalarAt(node["type"], At(field + ".type", node["type"])));
  bool known = false;
  for (const auto& [t, name] : kTypes) {
    if (type == name) {
      goal.type = t;
      known = true;
    }
  }
  if (!known)
    return Bad(field + ".type", node["type"],
               "unknown goal type '" + type + "'; use one of " + TypeList());
  if (!node["met_when"]) {
    return Bad(field + ".met_when", node,
               "missing; say what meets the goal, e.g. met_when: { event: Order Completed }");
  }
  SP_RETURN_IF_ERROR(ParseMetWhen(node["met_when"], field + ".met_when", &goal));
  if (node["target"]) {
    SP_ASSIGN_OR_RETURN(goal.target, ParseTarget(node["target"], field + ".target"));
  }
  return goal;
}

Result<GoalDefinition> ParseGoalJson(const nlohmann::json& goal, std::string_view field) {
  return ParseGoal(YamlOf(goal), field);
}

Status CheckOneGoal(const YAML::Node& journey) {
  if (!journey.IsMap()) return Status::Ok();
  int goals = 0;
  for (const auto& kv : journey) {
    std::string key = kv.first.Scalar();
    if (key == "goals") {
      return Bad(key, kv.first,
                 "one goal per journey; write a single goal: { type, met_when, target }");
    }
    if (key == "goal" && (++goals > 1 || kv.second.IsSequence())) {
      return Bad(key, kv.first,
                 "one goal per journey; keep a single goal: { type, met_when, target }");
    }
  }
  return Status::Ok();
}

bool SameTrigger(const GoalDefinition& a, const GoalDefinition& b) {
  if (a.met_when != MetWhenKind::kEvent || b.met_when != MetWhenKind::kEvent) return false;
  return a.trigger.event == b.trigger.event &&
         ConditionKeys(a.trigger.where) == ConditionKeys(b.trigger.where);
}

nlohmann::json ToJson(const GoalDefinition& goal) {
  nlohmann::json j;
  j["type"] = GoalTypeName(goal.type);
  switch (goal.met_when) {
    case MetWhenKind::kOpenedAnyMessage:
      j["met_when"] = kOpened;
      break;
    case MetWhenKind::kClickedAnyMessage:
      j["met_when"] = kClicked;
      break;
    case MetWhenKind::kEvent: {
      nlohmann::json where = nlohmann::json::object();
      for (const auto& c : goal.trigger.where) {
        nlohmann::json operand;
        if (c.op == rules::Op::kExists) {
          operand = c.exists;
        } else if (c.op == rules::Op::kIn) {
          operand = nlohmann::json::array();
          for (const auto& v : c.values) operand.push_back(v.text);
        } else if (!c.values.empty()) {
          operand = c.values[0].text;
        }
        where[c.path.text][rules::OpName(c.op)] = operand;
      }
      j["met_when"] = {{"event", goal.trigger.event}, {"where", where}};
      break;
    }
  }
  if (!goal.target) {
    j["target"] = nullptr;
  } else if (goal.target->kind == GoalTarget::Kind::kPercent) {
    j["target"] = {{"percent", goal.target->value}};
  } else {
    j["target"] = {{"count", static_cast<uint64_t>(goal.target->value)}};
  }
  return j;
}

}  // namespace signpost::goals
