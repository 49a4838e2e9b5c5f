#include "analytics/tracking_consent.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "analytics/property_column.h"
#include "base/consent_category.h"

namespace signpost::analytics {

namespace {

// What one consent object states for each required category: 1 granted, 0 denied, -1 nothing.
std::vector<int8_t> StatedIn(std::string_view object_text, const std::vector<std::string>& need) {
  std::vector<int8_t> out(need.size(), -1);
  const nlohmann::json prefs = nlohmann::json::parse(object_text, nullptr, false);
  if (!prefs.is_object()) return out;
  for (auto it = prefs.begin(); it != prefs.end(); ++it) {
    if (!it.value().is_boolean()) continue;
    auto category = ConsentCategory(it.key());
    if (!category.ok()) continue;
    for (size_t k = 0; k < need.size(); ++k) {
      if (need[k] == *category) out[k] = it.value().get<bool>() ? 1 : 0;
    }
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> ConsentMask(const EventIndex& index, const ConsentRequirement& need,
                                         TimeMs as_of, const PropertySource* source) {
  const rules::PropertyPath path{rules::PropertyScope::kContext,
                                 {"consent", "categoryPreferences"},
                                 "context.consent.categoryPreferences"};
  SP_ASSIGN_OR_RETURN(const PropertyColumn* column, index.Column(path, source));
  std::vector<bool> fallback;
  for (const std::string& c : need.categories) {
    auto it = need.defaults.find(c);
    fallback.push_back(it == need.defaults.end() ? need.granted_by_default : it->second);
  }
  std::unordered_map<uint32_t, std::vector<int8_t>> stated;  // by the object's string id
  std::vector<uint8_t> mask(index.SlotCount(), 0);
  ViewScratch scratch;
  std::vector<int8_t> latest(need.categories.size());
  for (uint32_t slot = 0; slot < index.SlotCount(); ++slot) {
    const ProfileView view = index.View(slot, &scratch);
    std::fill(latest.begin(), latest.end(), int8_t{-1});
    size_t open = latest.size();  // categories not decided yet, walking back from `as_of`
    for (size_t i = view.size; i-- > 0 && open > 0;) {
      if (view.ts[i] > as_of) continue;
      const rules::ValueRef v = column->Get(view.RefAt(i));
      if (v.kind != rules::ValueKind::kString) continue;
      auto found = stated.find(v.string_id);
      if (found == stated.end())
        found = stated.emplace(v.string_id, StatedIn(v.text, need.categories)).first;
      for (size_t k = 0; k < latest.size(); ++k) {
        if (latest[k] < 0 && found->second[k] >= 0) {
          latest[k] = found->second[k];
          --open;
        }
      }
    }
    bool counted = true;
    for (size_t k = 0; k < latest.size() && counted; ++k) {
      counted = latest[k] < 0 ? fallback[k] : latest[k] == 1;
    }
    mask[slot] = counted ? 1 : 0;
  }
  return mask;
}

}  // namespace signpost::analytics
