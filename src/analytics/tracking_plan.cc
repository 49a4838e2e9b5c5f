#include "analytics/tracking_plan.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "analytics/event_catalog.h"
#include "base/id_rule.h"
#include "rules/condition.h"

namespace signpost::analytics {

namespace {

constexpr size_t kMaxPlanEvents = 500;
constexpr size_t kMaxPlanProperties = 200;
constexpr size_t kMaxPlanEnum = 200;
constexpr size_t kMaxPlanDepth = 4;
constexpr size_t kMaxPlanViolations = 16;
constexpr uint8_t kIntegerBit = 1u << 6;

Status PlanError(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(fmt::format("{}: {}", field, why));
}

// The value of `snake` or else of `camel` (two spellings of one keyword); false when neither.
YAML::Node PlanKeyOf(const YAML::Node& node, const char* snake, const char* camel) {
  return node[snake] ? node[snake] : node[camel];
}

Result<bool> PlanBoolOf(const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) return PlanError(field, "expected true or false");
  const std::string s = n.Scalar();
  if (s == "true") return true;
  if (s == "false") return false;
  return PlanError(field, "expected true or false, got '" + s + "'");
}

Result<double> PlanNumberOf(const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) return PlanError(field, "expected a number");
  const std::string s = n.Scalar();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
    return PlanError(field, "expected a number, got '" + s + "'");
  return v;
}

Result<uint8_t> PlanTypeBit(const std::string& name, const std::string& field) {
  if (name == "integer") return kIntegerBit;
  for (size_t i = 0; i < kCatalogTypeCount; ++i) {
    if (name == kCatalogTypes[i]) return static_cast<uint8_t>(1u << i);
  }
  return PlanError(field, "'" + name +
                              "' is not a type; use string, number, integer, boolean, object, "
                              "array or null");
}

constexpr const char* kSchemaKeys[] = {"type",
                                       "required",
                                       "enum",
                                       "pattern",
                                       "minimum",
                                       "maximum",
                                       "min_length",
                                       "minLength",
                                       "max_length",
                                       "maxLength",
                                       "properties",
                                       "additional_properties",
                                       "additionalProperties",
                                       "description"};

Status ParsePlanSchema(const YAML::Node& node, const std::string& field, size_t depth,
                       PropertySchema& out);

Status ParsePlanProperties(const YAML::Node& node, const std::string& field, size_t depth,
                           PropertySchema& out) {
  if (YAML::Node props = node["properties"]) {
    if (!props.IsMap()) return PlanError(field + ".properties", "expected a map of property names");
    if (props.size() > kMaxPlanProperties)
      return PlanError(field + ".properties",
                       fmt::format("at most {} properties per object", kMaxPlanProperties));
    if (depth >= kMaxPlanDepth)
      return PlanError(field + ".properties",
                       fmt::format("nested deeper than {} levels", kMaxPlanDepth));
    for (auto it = props.begin(); it != props.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string sub = field + ".properties." + key;
      if (key.empty() || key.size() > 128) return PlanError(sub, "a property name of 1-128 bytes");
      PropertySchema child;
      child.name = key;
      SP_RETURN_IF_ERROR(ParsePlanSchema(it->second, sub, depth + 1, child));
      out.properties.push_back(std::move(child));
    }
  }
  // `required: [a, b]` on an object names its required keys.
  if (YAML::Node req = node["required"]; req && req.IsSequence()) {
    for (size_t i = 0; i < req.size(); ++i) {
      const std::string key = req[i].IsScalar() ? req[i].Scalar() : "";
      auto it = std::find_if(out.properties.begin(), out.properties.end(),
                             [&](const PropertySchema& p) { return p.name == key; });
      if (it == out.properties.end()) {
        if (key.empty() || out.properties.size() >= kMaxPlanProperties)
          return PlanError(fmt::format("{}.required[{}]", field, i), "expected a property name");
        PropertySchema any;
        any.name = key;
        any.required = true;
        out.properties.push_back(std::move(any));
      } else {
        it->required = true;
      }
    }
  }
  if (YAML::Node add = PlanKeyOf(node, "additional_properties", "additionalProperties")) {
    SP_ASSIGN_OR_RETURN(out.additional, PlanBoolOf(add, field + ".additional_properties"));
  }
  return Status::Ok();
}

Status ParsePlanSchema(const YAML::Node& node, const std::string& field, size_t depth,
                       PropertySchema& out) {
  if (node.IsNull()) return Status::Ok();  // `total:` alone: present with any value is fine
  if (!node.IsMap())
    return PlanError(field,
                     "expected a map of schema keywords (type, required, enum, pattern, ...)");
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string k = it->first.Scalar();
    if (std::find_if(std::begin(kSchemaKeys), std::end(kSchemaKeys),
                     [&](const char* s) { return k == s; }) == std::end(kSchemaKeys))
      return PlanError(field + "." + k,
                       "unknown keyword; use type, required, enum, pattern, minimum, maximum, "
                       "min_length, max_length, properties or additional_properties");
  }
  if (YAML::Node type = node["type"]) {
    if (type.IsScalar()) {
      SP_ASSIGN_OR_RETURN(out.types, PlanTypeBit(type.Scalar(), field + ".type"));
    } else if (type.IsSequence() && type.size() > 0 && type.size() <= 8) {
      for (size_t i = 0; i < type.size(); ++i) {
        SP_ASSIGN_OR_RETURN(uint8_t bit, PlanTypeBit(type[i].IsScalar() ? type[i].Scalar() : "",
                                                     fmt::format("{}.type[{}]", field, i)));
        out.types |= bit;
      }
    } else {
      return PlanError(field + ".type", "expected a type name or a list of them");
    }
  }
  if (YAML::Node req = node["required"]; req && req.IsScalar()) {
    SP_ASSIGN_OR_RETURN(out.required, PlanBoolOf(req, field + ".required"));
  }
  if (YAML::Node e = node["enum"]) {
    if (!e.IsSequence() || e.size() == 0 || e.size() > kMaxPlanEnum)
      return PlanError(field + ".enum",
                       fmt::format("expected a list of 1-{} values", kMaxPlanEnum));
    for (size_t i = 0; i < e.size(); ++i) {
      if (!e[i].IsScalar() && !e[i].IsNull())
        return PlanError(fmt::format("{}.enum[{}]", field, i), "expected a scalar value");
      PlanLiteral lit;
      if (e[i].IsNull()) {
        lit.kind = PlanLiteral::Kind::kNull;
      } else {
        lit.text = e[i].Scalar();
        const bool quoted = e[i].Tag() == "!";
        char* end = nullptr;
        const double v = std::strtod(lit.text.c_str(), &end);
        if (!quoted && lit.text == "true") {
          lit.kind = PlanLiteral::Kind::kBool;
        } else if (!quoted && lit.text == "false") {
          lit.kind = PlanLiteral::Kind::kBool;
        } else if (!quoted && !lit.text.empty() && end == lit.text.c_str() + lit.text.size() &&
                   std::isfinite(v)) {
          lit.kind = PlanLiteral::Kind::kNumber;
          lit.number = v;
        }
      }
      out.enum_values.push_back(std::move(lit));
    }
  }
  if (YAML::Node p = node["pattern"]) {
    if (!p.IsScalar()) return PlanError(field + ".pattern", "expected a regular expression");
    out.pattern_text = p.Scalar();
    SP_ASSIGN_OR_RETURN(out.pattern, rules::CompileRegex(out.pattern_text, field + ".pattern"));
  }
  if (YAML::Node n = node["minimum"]) {
    SP_ASSIGN_OR_RETURN(double v, PlanNumberOf(n, field + ".minimum"));
    out.minimum = v;
  }
  if (YAML::Node n = node["maximum"]) {
    SP_ASSIGN_OR_RETURN(double v, PlanNumberOf(n, field + ".maximum"));
    out.maximum = v;
  }
  auto length = [&](const char* snake, const char* camel,
                    std::optional<uint64_t>& target) -> Status {
    YAML::Node n = PlanKeyOf(node, snake, camel);
    if (!n) return Status::Ok();
    SP_ASSIGN_OR_RETURN(double v, PlanNumberOf(n, field + "." + snake));
    if (v < 0 || v != std::floor(v) || v > 1e9)
      return PlanError(field + "." + snake, "expected a whole number of characters");
    target = static_cast<uint64_t>(v);
    return Status::Ok();
  };
  SP_RETURN_IF_ERROR(length("min_length", "minLength", out.min_length));
  SP_RETURN_IF_ERROR(length("max_length", "maxLength", out.max_length));
  return ParsePlanProperties(node, field, depth, out);
}

const char* PlanTypeNameOf(simdjson::dom::element_type t) {
  using simdjson::dom::element_type;
  switch (t) {
    case element_type::STRING:
      return "string";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::BOOL:
      return "boolean";
    case element_type::OBJECT:
      return "object";
    case element_type::ARRAY:
      return "array";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "null";
}

std::string PlanTypesText(uint8_t types) {
  std::string out;
  for (size_t i = 0; i < kCatalogTypeCount; ++i) {
    if (types & (1u << i)) out += (out.empty() ? "" : " or ") + std::string(kCatalogTypes[i]);
  }
  if (types & kIntegerBit) out += (out.empty() ? "" : " or ") + std::string("integer");
  return out;
}

bool PlanTypeFits(uint8_t types, simdjson::dom::element v) {
  if (types == 0) return true;
  const auto t = v.type();
  size_t index = 0;
  for (; index < kCatalogTypeCount; ++index) {
    if (kCatalogTypes[index] == std::string_view(PlanTypeNameOf(t))) break;
  }
  if (types & (1u << index)) return true;
  if ((types & kIntegerBit) && index == 1) {
    if (t != simdjson::dom::element_type::DOUBLE) return true;
    const double d = v.get_double().value_unsafe();
    return d == std::floor(d);
  }
  return false;
}

bool PlanEnumFits(const std::vector<PlanLiteral>& values, simdjson::dom::element v) {
  using simdjson::dom::element_type;
  for (const PlanLiteral& lit : values) {
    switch (v.type()) {
      case element_type::STRING:
        if (lit.kind == PlanLiteral::Kind::kString &&
            lit.text == std::string_view(v.get_string().value_unsafe()))
          return true;
        if (lit.kind != PlanLiteral::Kind::kNull &&
            lit.text == std::string_view(v.get_string().value_unsafe()))
          return true;  // YAML `enum: [1]` and the string "1": the same text
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE: {
        double d = 0;
        if (lit.kind == PlanLiteral::Kind::kNumber && !v.get_double().get(d) && d == lit.number)
          return true;
        break;
      }
      case element_type::BOOL:
        if (lit.kind == PlanLiteral::Kind::kBool &&
            (lit.text == "true") == v.get_bool().value_unsafe())
          return true;
        break;
      case element_type::NULL_VALUE:
        if (lit.kind == PlanLiteral::Kind::kNull) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

size_t PlanUtf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void AddViolation(std::vector<PlanViolation>& out, const std::string& path, const char* rule,
                  std::string message) {
  if (out.size() < kMaxPlanViolations) out.push_back({path, rule, std::move(message)});
}

// Checks `object` against `schema`'s listed properties; depth bounded by the schema's (≤ 4).
void PlanCheckObject(const PropertySchema& schema, simdjson::dom::object object,
                     const std::string& prefix, std::vector<PlanViolation>& out);

void PlanCheckValue(const PropertySchema& s, simdjson::dom::element v, const std::string& path,
                    std::vector<PlanViolation>& out) {
  if (!PlanTypeFits(s.types, v)) {
    AddViolation(out, path, "type",
                 fmt::format("{}: expected {}, got {}", path, PlanTypesText(s.types),
                             PlanTypeNameOf(v.type())));
    return;
  }
  if (!s.enum_values.empty() && !PlanEnumFits(s.enum_values, v)) {
    std::string list;
    for (size_t i = 0; i < s.enum_values.size() && i < 8; ++i)
      list += (i ? ", " : "") + s.enum_values[i].text;
    if (s.enum_values.size() > 8) list += ", ...";
    AddViolation(out, path, "enum", fmt::format("{}: not one of [{}]", path, list));
  }
  std::string_view text;
  if (!v.get_string().get(text)) {
    if (s.pattern && !re2::RE2::PartialMatch(text, *s.pattern))
      AddViolation(out, path, "pattern",
                   fmt::format("{}: does not match /{}/", path, s.pattern_text));
    const size_t len = PlanUtf8Length(text);
    if (s.min_length && len < *s.min_length)
      AddViolation(out, path, "min_length",
                   fmt::format("{}: shorter than {}", path, *s.min_length));
    if (s.max_length && len > *s.max_length)
      AddViolation(out, path, "max_length", fmt::format("{}: longer than {}", path, *s.max_length));
  }
  double d = 0;
  if (v.is_number() && !v.get_double().get(d)) {
    if (s.minimum && d < *s.minimum)
      AddViolation(out, path, "minimum", fmt::format("{}: below the minimum {}", path, *s.minimum));
    if (s.maximum && d > *s.maximum)
      AddViolation(out, path, "maximum", fmt::format("{}: above the maximum {}", path, *s.maximum));
  }
  simdjson::dom::object child;
  if ((!s.properties.empty() || !s.additional) && !v.get_object().get(child))
    PlanCheckObject(s, child, path, out);
}

void PlanCheckObject(const PropertySchema& schema, simdjson::dom::object object,
                     const std::string& prefix, std::vector<PlanViolation>& out) {
  for (const PropertySchema& p : schema.properties) {
    const std::string path = prefix + "." + p.name;
    simdjson::dom::element v;
    if (object.at_key(p.name).get(v)) {
      if (p.required)
        AddViolation(out, path, "required", fmt::format("{}: required, missing", path));
      continue;
    }
    PlanCheckValue(p, v, path, out);
  }
  if (!schema.additional) {
    for (auto field : object) {
      const std::string_view key = field.key;
      const bool listed = std::any_of(schema.properties.begin(), schema.properties.end(),
                                      [&](const PropertySchema& p) { return p.name == key; });
      if (!listed) {
        const std::string path = prefix + "." + std::string(key);
        AddViolation(out, path, "additional_properties",
                     fmt::format("{}: not in the plan (additional_properties: false)", path));
      }
    }
  }
}

}  // namespace

const char* PlanModeName(PlanMode mode) { return mode == PlanMode::kBlock ? "block" : "flag"; }

const PlannedEvent* TrackingPlan::Find(EventType type, std::string_view name) const {
  for (const PlannedEvent& e : events) {
    if (e.type == type && (type == EventType::kIdentify || e.event == name)) return &e;
  }
  return nullptr;
}

Result<TrackingPlan> ParseTrackingPlan(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("(document): not valid YAML or JSON at line {}, column {}", e.mark.line + 1,
                    e.mark.column + 1));
  }
  try {
    if (!root.IsMap()) return PlanError("(document)", "expected a map with kind, id and events");
    if (!root["kind"] || root["kind"].Scalar() != "tracking_plan")
      return PlanError("kind", "expected tracking_plan");
    TrackingPlan plan;
    if (!root["id"] || !root["id"].IsScalar())
      return PlanError("id", "missing; give the plan an id");
    plan.id = root["id"].Scalar();
    SP_RETURN_IF_ERROR(CheckId("id", plan.id));
    plan.name = root["name"] && root["name"].IsScalar() ? root["name"].Scalar() : plan.id;
    if (YAML::Node mode = root["mode"]) {
      const std::string m = mode.IsScalar() ? mode.Scalar() : "";
      if (m == "flag") {
        plan.mode = PlanMode::kFlag;
      } else if (m == "block") {
        plan.mode = PlanMode::kBlock;
      } else {
        return PlanError("mode", "'" + m + "' is not a mode; use flag or block");
      }
    }
    if (YAML::Node u = root["unplanned"]) {
      const std::string m = u.IsScalar() ? u.Scalar() : "";
      if (m == "allow") {
        plan.flag_unplanned = false;
      } else if (m == "flag") {
        plan.flag_unplanned = true;
      } else {
        return PlanError("unplanned", "'" + m + "' is not allowed; use allow or flag");
      }
    }
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string k = it->first.Scalar();
      if (k != "kind" && k != "id" && k != "name" && k != "note" && k != "mode" &&
          k != "unplanned" && k != "events")
        return PlanError(k, "unknown field; use id, name, note, mode, unplanned or events");
    }
    YAML::Node events = root["events"];
    if (!events || !events.IsSequence() || events.size() == 0)
      return PlanError("events",
                       "expected a list of events (each with `event:` and `properties:`)");
    if (events.size() > kMaxPlanEvents)
      return PlanError("events", fmt::format("at most {} events per plan", kMaxPlanEvents));
    for (size_t i = 0; i < events.size(); ++i) {
      const YAML::Node& ev = events[i];
      const std::string field = fmt::format("events[{}]", i);
      if (!ev.IsMap()) return PlanError(field, "expected a map with `event:`");
      PlannedEvent planned;
      if (YAML::Node type = ev["type"]) {
        auto t = EventTypeFromName(type.IsScalar() ? type.Scalar() : "");
        if (!t || (*t != EventType::kTrack && *t != EventType::kPage && *t != EventType::kScreen &&
                   *t != EventType::kIdentify))
          return PlanError(field + ".type", "use track, page, screen or identify");
        planned.type = *t;
      }
      if (YAML::Node name = ev["event"]; name && name.IsScalar()) {
        planned.event = name.Scalar();
      } else if (planned.type == EventType::kTrack) {
        return PlanError(field + ".event", "missing; name the event");
      }
      if (planned.event.size() > 256) return PlanError(field + ".event", "at most 256 bytes");
      for (auto k = ev.begin(); k != ev.end(); ++k) {
        const std::string key = k->first.Scalar();
        if (key != "event" && key != "type" && key != "description" && key != "properties" &&
            key != "required" && key != "additional_properties" && key != "additionalProperties")
          return PlanError(field + "." + key,
                           "unknown field; use event, type, description, properties, required or "
                           "additional_properties");
      }
      if (plan.Find(planned.type, planned.event) != nullptr)
        return PlanError(field + ".event", "'" + planned.event + "' is listed twice");
      planned.schema.types = 1u << 3;  // object
      SP_RETURN_IF_ERROR(ParsePlanProperties(ev, field, 0, planned.schema));
      plan.events.push_back(std::move(planned));
    }
    return plan;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("(document): {} at line {}", e.msg, e.mark.line + 1));
  }
}

std::vector<PlanViolation> CheckAgainstPlan(const TrackingPlan& plan, const Event& e) {
  std::vector<PlanViolation> out;
  const PlannedEvent* planned = plan.Find(e.type, e.event);
  if (planned == nullptr) {
    if (plan.flag_unplanned && e.type == EventType::kTrack)
      AddViolation(out, "", "unplanned", fmt::format("event '{}' is not in the plan", e.event));
    return out;
  }
  const bool traits = e.type == EventType::kIdentify;
  const std::string& body = traits ? e.traits : e.properties;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object object;
  static const std::string kEmpty = "{}";
  if (parser.parse(body).get(root) || root.get_object().get(object)) {
    if (parser.parse(kEmpty).get(root) || root.get_object().get(object)) return out;
  }
  PlanCheckObject(planned->schema, object, traits ? "traits" : "properties", out);
  return out;
}

}  // namespace signpost::analytics
