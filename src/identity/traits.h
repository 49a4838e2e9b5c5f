// Traits: profile attributes set by `identify`. Every identify's traits are kept with the event's
// timestamp and seq (the trait history); a trait's current value is its latest by (timestamp,
// seq). Nested objects are flattened to dotted names: {"consent":{"email":true}} sets
// "consent.email". Consent is a boolean trait per channel: consent.email, consent.sms,
// consent.push. Thread-safety: pure functions and plain values.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "signpost/clock.h"
#include "signpost/event.h"

namespace signpost::store {
class Batch;
}

namespace signpost::identity {

// One trait set by one identify.
struct TraitChange {
  std::string name;   // dotted, e.g. "consent.email"
  std::string value;  // the value as minified JSON text, e.g. "true", "\"pro\"", "[1,2]"
  TimeMs timestamp = 0;
  uint64_t seq = 0;
};

// Consent per channel: nullopt when never set (or set to a non-boolean).
struct Consent {
  std::optional<bool> email, sms, push;
};

// The flattened (name, value JSON) pairs of a traits object. Arrays are values, not flattened;
// empty objects set nothing. Returns an empty list when `traits_json` is not a JSON object.
std::vector<std::pair<std::string, std::string>> FlattenTraits(std::string_view traits_json);

// Sorts `history` by (timestamp, seq, name) and returns the current value of each trait.
std::map<std::string, std::string> CurrentTraits(std::vector<TraitChange>& history);

// The traits as of `at` as one nested JSON object ("consent.email" -> {"consent": {"email": ...}}),
// from a history sorted as CurrentTraits leaves it; a null value unsets the trait.
nlohmann::json TraitsAsOf(const std::vector<TraitChange>& sorted_history, TimeMs at);

// Consent from current traits ("true"/"false" values of consent.email|sms|push).
Consent ConsentOf(const std::map<std::string, std::string>& current);

// Key prefix of an identity's trait records, and the put of one identify's traits.
std::string TraitKeyPrefix(std::string_view identity);
// Adds the traits of the accepted identify events of `events` to `batch`, under each event's
// primary identity. Events with empty traits ("{}") are skipped. The tracking consent any
// accepted event states (tracking_consent.h) is recorded with it, as `consent.tracking.*` traits.
void PutTraitRecords(const std::vector<Event>& events, store::Batch& batch);
// Decodes a trait record (key from TraitKeyPrefix(identity) on) into changes appended to `out`.
// Returns false when the key is malformed.
bool DecodeTraitRecord(std::string_view key, size_t prefix_size, std::string_view value,
                       std::vector<TraitChange>& out);

}  // namespace signpost::identity
