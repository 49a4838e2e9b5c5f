#include "rules/json_match.h"

#include <simdjson.h>

#include "rules/property_path.h"

namespace signpost::rules {

JsonMatcher::JsonMatcher() : parser_(std::make_unique<simdjson::dom::parser>()) {}
JsonMatcher::~JsonMatcher() = default;

ValueRef ReadJsonValue(simdjson::dom::parser& parser, std::string_view json,
                       const std::vector<std::string>& keys, std::string& scratch) {
  ValueRef v;
  simdjson::padded_string padded(json);
  simdjson::dom::element el;
  if (parser.parse(padded).get(el)) return v;
  for (const std::string& key : keys) {
    simdjson::dom::object obj;
    if (el.get_object().get(obj) || obj.at_key(key).get(el)) return v;
  }
  switch (el.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      v.kind = ValueKind::kNull;
      break;
    case simdjson::dom::element_type::BOOL:
      v.kind = ValueKind::kBool;
      v.number = el.get_bool().value() ? 1 : 0;
      break;
    case simdjson::dom::element_type::INT64:
      v.kind = ValueKind::kNumber;
      v.number = static_cast<double>(el.get_int64().value());
      break;
    case simdjson::dom::element_type::UINT64:
      v.kind = ValueKind::kNumber;
      v.number = static_cast<double>(el.get_uint64().value());
      break;
    case simdjson::dom::element_type::DOUBLE:
      v.kind = ValueKind::kNumber;
      v.number = el.get_double().value();
      break;
    case simdjson::dom::element_type::STRING:
      v.kind = ValueKind::kString;
      v.text = el.get_string().value();
      break;
    default:
      v.kind = ValueKind::kString;
      scratch = simdjson::minify(el);
      v.text = scratch;
      break;
  }
  return v;
}

ValueRef JsonMatcher::Value(const PropertyPath& path, const JsonScopes& scopes,
                            std::string& scratch) {
  std::string_view json = path.scope == PropertyScope::kProperties ? scopes.properties
                          : path.scope == PropertyScope::kTraits   ? scopes.traits
                                                                   : scopes.context;
  return ReadJsonValue(*parser_, json, path.keys, scratch);
}

bool JsonMatcher::Matches(const std::vector<Condition>& conditions, const JsonScopes& scopes) {
  std::string scratch;
  for (const Condition& c : conditions) {
    if (!c.Matches(Value(c.path, scopes, scratch))) return false;
  }
  return true;
}

std::optional<std::string> JsonMatcher::Text(const PropertyPath& path, const JsonScopes& scopes) {
  std::string scratch;
  ValueRef v = Value(path, scopes, scratch);
  if (v.kind == ValueKind::kMissing || v.kind == ValueKind::kNull) return std::nullopt;
  return RenderValue(v);
}

}  // namespace signpost::rules
