// The privacy sections of `kind: settings` (issue 13, items 5 and 6): `privacy` — what ingest keeps
// of each event (per-source property allow/deny lists, sensitive properties hashed or dropped, IP
// addresses, how long dead letters keep raw bodies) — and `consent` — what a person who never
// stated a tracking-consent preference counts as. Plain values; the parse functions name the field
// (`settings.privacy.sensitive[1].action: ...`). Applied by engine::Minimiser (minimise.h) and the
// consent checks (consent.h). Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "signpost/clock.h"
#include "signpost/status.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace signpost::engine {

// Property lists for the events of one source: the sending library, `context.library.name`
// ("analytics.js", "analytics-node", ...), or "*" for every event.
struct SourceRule {
  std::string source;
  // Paths of the rule language ("properties.plan", "traits.address.city", "context.page.url").
  // `allow`: in each scope it names, only these paths are kept; scopes it does not name stay whole.
  // `deny`: these paths are removed (after `allow`).
  std::vector<std::string> allow, deny;
  bool operator==(const SourceRule&) const = default;
};

enum class SensitiveAction : uint8_t { kHash = 0, kDrop };

// A property stored hashed (`hash`: "hmac:<32 hex>", a keyed HMAC-SHA256 under a secret of the
// data folder, the same for the same value) or not at all (`drop`).
struct SensitiveProperty {
  std::string path;
  SensitiveAction action = SensitiveAction::kHash;
  bool operator==(const SensitiveProperty&) const = default;
};

// `context.ip`: truncated (IPv4 to /24, IPv6 to /48; the default), kept as sent, or dropped.
enum class IpPolicy : uint8_t { kTruncate = 0, kKeep, kDrop };

struct PrivacySettings {
  std::vector<SourceRule> sources;  // every rule whose source matches applies, in order
  std::vector<SensitiveProperty> sensitive;
  IpPolicy ip = IpPolicy::kTruncate;
  // How long a dead letter keeps its raw body; then `raw` is emptied (location, field, reason and
  // time stay). Default 30 days; 0 = kept forever (`raw_body_for: forever`).
  DurationMs dead_letter_raw_body_for = 30 * kDayMs;
  bool operator==(const PrivacySettings&) const = default;
};

// Tracking consent (Segment's `context.consent.categoryPreferences`) of a person who never stated
// a preference for a category: `default` (granted unless set), or per category.
struct ConsentSettings {
  bool granted_by_default = true;
  std::map<std::string, bool> categories;  // category -> granted when unstated
  // The default of `category`.
  bool DefaultFor(const std::string& category) const {
    auto it = categories.find(category);
    return it == categories.end() ? granted_by_default : it->second;
  }
  bool operator==(const ConsentSettings&) const = default;
};

// Read the `privacy` / `consent` section into `out`; kInvalidArgument naming the field and the fix.
Status ParsePrivacySection(const YAML::Node& node, PrivacySettings& out);
Status ParseConsentSection(const YAML::Node& node, ConsentSettings& out);
// The sections as stored (ParsePrivacySection reads it back to the same value).
nlohmann::json PrivacySectionBody(const PrivacySettings& privacy);
nlohmann::json ConsentSectionBody(const ConsentSettings& consent);

}  // namespace signpost::engine
