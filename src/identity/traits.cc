#include "identity/traits.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "identity/tracking_consent.h"
#include "store/coding.h"
#include "store/db.h"

namespace signpost::identity {
namespace {

using nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void Flatten(const json& object, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    std::string name = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object()) {
      Flatten(it.value(), name, out);
    } else {
      out.emplace_back(std::move(name), Dump(it.value()));
    }
  }
}

std::optional<bool> BoolTrait(const std::map<std::string, std::string>& current,
                              const std::string& name) {
  auto it = current.find(name);
  if (it == current.end()) return std::nullopt;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return std::nullopt;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> FlattenTraits(std::string_view traits_json) {
  std::vector<std::pair<std::string, std::string>> out;
  json parsed = json::parse(traits_json.begin(), traits_json.end(), nullptr,
                            /*allow_exceptions=*/false);
  if (parsed.is_object()) Flatten(parsed, "", out);
  return out;
}

std::map<std::string, std::string> CurrentTraits(std::vector<TraitChange>& history) {
  std::sort(history.begin(), history.end(), [](const TraitChange& a, const TraitChange& b) {
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    if (a.seq != b.seq) return a.seq < b.seq;
    return a.name < b.name;
  });
  std::map<std::string, std::string> current;
  for (const auto& change : history) current[change.name] = change.value;
  return current;
}

nlohmann::json TraitsAsOf(const std::vector<TraitChange>& sorted_history, TimeMs at) {
  std::map<std::string, const std::string*> current;
  for (const auto& c : sorted_history) {
    if (c.timestamp > at) break;
    current[c.name] = &c.value;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : current) {
    nlohmann::json parsed = nlohmann::json::parse(*value, nullptr, false);
    if (parsed.is_discarded() || parsed.is_null()) continue;
    nlohmann::json* node = &out;
    size_t start = 0;
    for (;;) {
      size_t dot = name.find('.', start);
      std::string key =
          name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (dot == std::string::npos) {
        (*node)[key] = std::move(parsed);
        break;
      }
      if (!(*node)[key].is_object()) (*node)[key] = nlohmann::json::object();
      node = &(*node)[key];
      start = dot + 1;
    }
  }
  return out;
}

Consent ConsentOf(const std::map<std::string, std::string>& current) {
  return Consent{BoolTrait(current, "consent.email"), BoolTrait(current, "consent.sms"),
                 BoolTrait(current, "consent.push")};
}

std::string TraitKeyPrefix(std::string_view identity) {
  std::string key;
  store::PutLengthPrefixed(key, identity);
  return key;
}

void PutTraitRecords(const std::vector<Event>& events, store::Batch& batch) {
  for (const Event& e : events) {
    if (e.seq == 0) continue;
    const bool traits = e.type == EventType::kIdentify && e.traits != "{}" && !e.traits.empty();
    // privacy: tracking consent (context.consent.categoryPreferences) of any event, as traits.
    const std::string consent = TrackingConsentTraits(e.context);
    if (!traits && consent.empty()) continue;
    std::string key = TraitKeyPrefix(e.PrimaryIdentity());
    store::PutOrderedTime(key, e.timestamp);
    store::PutFixed64BE(key, e.seq);
    batch.Put(store::Cf::kTraits, key,
              consent.empty() ? e.traits : (traits ? MergeTraits(e.traits, consent) : consent));
  }
}

bool DecodeTraitRecord(std::string_view key, size_t prefix_size, std::string_view value,
                       std::vector<TraitChange>& out) {
  if (key.size() != prefix_size + 16) return false;
  const char* p = key.data() + prefix_size;
  const TimeMs timestamp = store::DecodeOrderedTime(p);
  const uint64_t seq = store::DecodeFixed64BE(p + 8);
  for (auto& [name, v] : FlattenTraits(value)) {
    out.push_back(TraitChange{std::move(name), std::move(v), timestamp, seq});
  }
  return true;
}

}  // namespace signpost::identity
