#include "rules/consent_rule.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "base/consent_category.h"

namespace signpost::rules {

Result<std::vector<std::string>> ParseConsentRequirement(const YAML::Node& node,
                                                         std::string_view field) {
  std::vector<std::pair<std::string, YAML::Node>> items;
  if (node.IsScalar()) {
    items.emplace_back(std::string(field), node);
  } else if (node.IsSequence() && node.size() > 0) {
    for (size_t i = 0; i < node.size(); ++i)
      items.emplace_back(fmt::format("{}[{}]", field, i), node[i]);
  } else {
    return Status::InvalidArgument(fmt::format(
        "{}: expected a consent category or a list of them, e.g. marketing or [marketing, "
        "analytics]",
        field));
  }
  std::vector<std::string> out;
  for (const auto& [at, item] : items) {
    auto category = item.IsScalar() ? ConsentCategory(item.Scalar())
                                    : Result<std::string>(Status::InvalidArgument(
                                          "expected a category name, e.g. marketing"));
    if (!category.ok()) {
      return Status::InvalidArgument(fmt::format("{}: {}", at, category.status().message()));
    }
    out.push_back(std::move(category).value());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace signpost::rules
