// The `privacy` and `consent` sections of `kind: settings`: reading them (naming the field) and
// writing them back.
#include "engine/privacy_settings.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "base/consent_category.h"
#include "base/duration.h"
#include "rules/property_path.h"

namespace signpost::engine {

namespace {

using nlohmann::json;

Status PrivacyError(std::string_view field, std::string_view fix) {
  return Status::InvalidArgument(fmt::format("settings.{}: {}", field, fix));
}

Status CheckPrivacyFields(const YAML::Node& node, std::string_view field,
                          std::initializer_list<std::string_view> keys) {
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    bool known = false;
    for (std::string_view k : keys) known = known || k == key;
    if (!known) {
      std::string names;
      for (std::string_view k : keys) names += (names.empty() ? "" : ", ") + std::string(k);
      return PrivacyError(fmt::format("{}.{}", field, key), "unknown field; use one of " + names);
    }
  }
  return Status::Ok();
}

// A list of property paths of the rule language (a single text is a list of one).
Status ParsePathList(const YAML::Node& node, const std::string& field,
                     std::vector<std::string>& out) {
  if (!node) return Status::Ok();
  std::vector<YAML::Node> items;
  if (node.IsScalar()) {
    items.push_back(node);
  } else if (node.IsSequence()) {
    for (const auto& item : node) items.push_back(item);
  } else {
    return PrivacyError(field, "expected a list of paths like [properties.plan, traits.email]");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = node.IsSequence() ? fmt::format("{}[{}]", field, i) : field;
    if (!items[i].IsScalar()) return PrivacyError(at, "expected a path like properties.plan");
    auto path = rules::ParsePropertyPath(items[i].Scalar());
    if (!path.ok()) return PrivacyError(at, path.status().message());
    if (path->keys.empty())
      return PrivacyError(at, "name a property inside the scope, e.g. properties.plan");
    out.push_back(items[i].Scalar());
  }
  return Status::Ok();
}

Status ParseSourceRules(const YAML::Node& node, PrivacySettings& out) {
  if (!node.IsSequence())
    return PrivacyError("privacy.sources", "expected a list of { source, allow, deny }");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string field = fmt::format("privacy.sources[{}]", i);
    const YAML::Node rule = node[i];
    if (!rule.IsMap())
      return PrivacyError(field, "expected { source: <library name or *>, allow, deny }");
    SP_RETURN_IF_ERROR(CheckPrivacyFields(rule, field, {"source", "allow", "deny"}));
    SourceRule r;
    if (!rule["source"] || !rule["source"].IsScalar() || rule["source"].Scalar().empty()) {
      return PrivacyError(
          field + ".source",
          "missing; name the sending library (context.library.name) or * for every event");
    }
    r.source = rule["source"].Scalar();
    SP_RETURN_IF_ERROR(ParsePathList(rule["allow"], field + ".allow", r.allow));
    SP_RETURN_IF_ERROR(ParsePathList(rule["deny"], field + ".deny", r.deny));
    if (r.allow.empty() && r.deny.empty())
      return PrivacyError(field, "give `allow` or `deny` (a list of property paths)");
    out.sources.push_back(std::move(r));
  }
  return Status::Ok();
}

Status ParseSensitiveList(const YAML::Node& node, PrivacySettings& out) {
  if (!node.IsSequence())
    return PrivacyError("privacy.sensitive", "expected a list of { path, action: hash | drop }");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string field = fmt::format("privacy.sensitive[{}]", i);
    const YAML::Node item = node[i];
    SensitiveProperty s;
    if (item.IsScalar()) {  // a bare path: hashed
      std::vector<std::string> one;
      SP_RETURN_IF_ERROR(ParsePathList(item, field, one));
      s.path = one.front();
    } else if (item.IsMap()) {
      SP_RETURN_IF_ERROR(CheckPrivacyFields(item, field, {"path", "action"}));
      std::vector<std::string> one;
      if (!item["path"]) return PrivacyError(field + ".path", "missing; e.g. path: traits.email");
      SP_RETURN_IF_ERROR(ParsePathList(item["path"], field + ".path", one));
      if (one.size() != 1) return PrivacyError(field + ".path", "expected one path");
      s.path = one.front();
      const std::string action =
          item["action"] && item["action"].IsScalar() ? item["action"].Scalar() : "hash";
      if (action == "hash") {
        s.action = SensitiveAction::kHash;
      } else if (action == "drop") {
        s.action = SensitiveAction::kDrop;
      } else {
        return PrivacyError(field + ".action",
                            "use hash (stored as a keyed hash) or drop (not stored at all)");
      }
    } else {
      return PrivacyError(field, "expected { path: traits.email, action: hash | drop }");
    }
    out.sensitive.push_back(std::move(s));
  }
  return Status::Ok();
}

Status ParseDeadLetterPolicy(const YAML::Node& node, PrivacySettings& out) {
  if (!node.IsMap()) return PrivacyError("privacy.dead_letters", "expected { raw_body_for: 7d }");
  SP_RETURN_IF_ERROR(CheckPrivacyFields(node, "privacy.dead_letters", {"raw_body_for"}));
  if (!node["raw_body_for"]) return Status::Ok();
  const std::string text =
      node["raw_body_for"].IsScalar() ? node["raw_body_for"].Scalar() : std::string();
  if (text == "forever") {
    out.dead_letter_raw_body_for = 0;
    return Status::Ok();
  }
  auto d = ParseDuration(text);
  if (!d.ok() || *d <= 0) {
    return PrivacyError(
        "privacy.dead_letters.raw_body_for",
        "expected a duration like 7d or 12h (how long a dead letter keeps the body it "
        "refused), or forever");
  }
  out.dead_letter_raw_body_for = *d;
  return Status::Ok();
}

std::string_view IpPolicyName(IpPolicy p) {
  switch (p) {
    case IpPolicy::kKeep:
      return "keep";
    case IpPolicy::kDrop:
      return "drop";
    case IpPolicy::kTruncate:
      break;
  }
  return "truncate";
}

Result<bool> ParseGranted(const YAML::Node& node, const std::string& field) {
  const std::string v = node.IsScalar() ? node.Scalar() : std::string();
  if (v == "granted" || v == "true") return true;
  if (v == "denied" || v == "false") return false;
  return PrivacyError(
      field, "use granted or denied (what a person who never stated a preference counts as)");
}

}  // namespace

Status ParsePrivacySection(const YAML::Node& node, PrivacySettings& out) {
  if (!node.IsMap()) {
    return PrivacyError("privacy", "expected a mapping with sources, sensitive, ip, dead_letters");
  }
  SP_RETURN_IF_ERROR(
      CheckPrivacyFields(node, "privacy", {"sources", "sensitive", "ip", "dead_letters"}));
  PrivacySettings p;
  if (node["sources"]) SP_RETURN_IF_ERROR(ParseSourceRules(node["sources"], p));
  if (node["sensitive"]) SP_RETURN_IF_ERROR(ParseSensitiveList(node["sensitive"], p));
  if (node["ip"]) {
    const std::string ip = node["ip"].IsScalar() ? node["ip"].Scalar() : std::string();
    if (ip == "truncate") {
      p.ip = IpPolicy::kTruncate;
    } else if (ip == "keep") {
      p.ip = IpPolicy::kKeep;
    } else if (ip == "drop") {
      p.ip = IpPolicy::kDrop;
    } else {
      return PrivacyError("privacy.ip",
                          "use truncate (IPv4 to /24, IPv6 to /48; the default), keep or drop");
    }
  }
  if (node["dead_letters"]) SP_RETURN_IF_ERROR(ParseDeadLetterPolicy(node["dead_letters"], p));
  out = std::move(p);
  return Status::Ok();
}

Status ParseConsentSection(const YAML::Node& node, ConsentSettings& out) {
  if (!node.IsMap())
    return PrivacyError("consent", "expected { default: granted | denied, categories }");
  SP_RETURN_IF_ERROR(CheckPrivacyFields(node, "consent", {"default", "categories"}));
  ConsentSettings c;
  if (node["default"]) {
    SP_ASSIGN_OR_RETURN(c.granted_by_default, ParseGranted(node["default"], "consent.default"));
  }
  if (node["categories"]) {
    if (!node["categories"].IsMap())
      return PrivacyError("consent.categories", "expected { <category>: granted | denied }");
    for (const auto& kv : node["categories"]) {
      const std::string field = "consent.categories." + kv.first.Scalar();
      SP_ASSIGN_OR_RETURN(std::string category, ConsentCategory(kv.first.Scalar()));
      SP_ASSIGN_OR_RETURN(c.categories[category], ParseGranted(kv.second, field));
    }
  }
  out = std::move(c);
  return Status::Ok();
}

nlohmann::json PrivacySectionBody(const PrivacySettings& p) {
  json sources = json::array();
  for (const SourceRule& r : p.sources) {
    json rule = {{"source", r.source}};
    if (!r.allow.empty()) rule["allow"] = r.allow;
    if (!r.deny.empty()) rule["deny"] = r.deny;
    sources.push_back(std::move(rule));
  }
  json sensitive = json::array();
  for (const SensitiveProperty& s : p.sensitive) {
    sensitive.push_back(
        {{"path", s.path}, {"action", s.action == SensitiveAction::kDrop ? "drop" : "hash"}});
  }
  return {{"sources", std::move(sources)},
          {"sensitive", std::move(sensitive)},
          {"ip", IpPolicyName(p.ip)},
          {"dead_letters",
           {{"raw_body_for", p.dead_letter_raw_body_for == 0
                                 ? std::string("forever")
                                 : FormatDuration(p.dead_letter_raw_body_for)}}}};
}

nlohmann::json ConsentSectionBody(const ConsentSettings& c) {
  json categories = json::object();
  for (const auto& [name, granted] : c.categories)
    categories[name] = granted ? "granted" : "denied";
  return {{"default", c.granted_by_default ? "granted" : "denied"},
          {"categories", std::move(categories)}};
}

}  // namespace signpost::engine
