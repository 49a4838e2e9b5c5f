#include "rules/property_path.h"

#include <nlohmann/json.hpp>

namespace signpost::rules {

Result<PropertyPath> ParsePropertyPath(std::string_view text) {
  PropertyPath path;
  path.text = std::string(text);
  size_t dot = text.find('.');
  std::string_view head = text.substr(0, dot);
  if (head == "properties") {
    path.scope = PropertyScope::kProperties;
  } else if (head == "context") {
    path.scope = PropertyScope::kContext;
  } else if (head == "traits") {
    path.scope = PropertyScope::kTraits;
  } else {
    dot = std::string_view::npos;
  }
  if (dot == std::string_view::npos || dot + 1 >= text.size()) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a property path; write properties.<key>, "
                                   "context.<key>[.<key>...] or traits.<key>");
  }
  std::string_view rest = text.substr(dot + 1);
  while (true) {
    size_t d = rest.find('.');
    std::string_view key = rest.substr(0, d);
    if (key.empty()) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "' has an empty key; write keys "
                                     "separated by single dots");
    }
    path.keys.emplace_back(key);
    if (d == std::string_view::npos) break;
    rest = rest.substr(d + 1);
  }
  return path;
}

std::string RenderValue(const ValueRef& v) {
  switch (v.kind) {
    case ValueKind::kMissing:
      return "(none)";
    case ValueKind::kNull:
      return "(null)";
    case ValueKind::kBool:
      return v.number != 0 ? "true" : "false";
    case ValueKind::kNumber:
      return nlohmann::json(v.number).dump();
    case ValueKind::kString:
      return std::string(v.text);
  }
  return "(none)";
}

}  // namespace signpost::rules
