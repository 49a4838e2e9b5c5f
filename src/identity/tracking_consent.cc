#include "identity/tracking_consent.h"

#include <nlohmann/json.hpp>

#include "base/consent_category.h"
#include "base/json_text.h"

namespace signpost::identity {

std::string TrackingConsentTraits(std::string_view context_json) {
  if (!JsonTextMayHoldKey(context_json, "categoryPreferences")) return "";
  const nlohmann::json context = nlohmann::json::parse(context_json, nullptr, false);
  if (!context.is_object()) return "";
  auto consent = context.find("consent");
  if (consent == context.end() || !consent->is_object()) return "";
  auto prefs = consent->find("categoryPreferences");
  if (prefs == consent->end() || !prefs->is_object()) return "";
  nlohmann::json tracking = nlohmann::json::object();
  for (auto it = prefs->begin(); it != prefs->end(); ++it) {
    if (!it.value().is_boolean()) continue;
    auto category = ConsentCategory(it.key());
    if (category.ok()) tracking[*category] = it.value();
  }
  if (tracking.empty()) return "";
  return nlohmann::json{{"consent", {{"tracking", std::move(tracking)}}}}.dump();
}

std::string MergeTraits(std::string_view traits_json, std::string_view consent_traits) {
  nlohmann::json traits = nlohmann::json::parse(traits_json, nullptr, false);
  if (!traits.is_object()) return std::string(consent_traits);
  traits.merge_patch(nlohmann::json::parse(consent_traits, nullptr, false));
  return traits.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<bool> TrackingConsentAt(const std::vector<TraitChange>& sorted_history,
                                      std::string_view category, TimeMs at) {
  const std::string name = TrackingConsentTrait(category);
  std::optional<bool> out;
  for (const TraitChange& c : sorted_history) {
    if (c.timestamp > at) break;
    if (c.name != name) continue;
    if (c.value == "true") out = true;
    if (c.value == "false") out = false;
  }
  return out;
}

}  // namespace signpost::identity
