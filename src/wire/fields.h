// The readers of query fields that every wire parser shares: text, whole numbers, times and
// durations, each refusing a bad value with a message naming the field; and the few writers every
// report writer shares. Internal to src/wire.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "signpost/clock.h"
#include "signpost/reports.h"
#include "signpost/status.h"

namespace signpost::wire {

// kInvalidArgument "query.<field>: <what>".
Status Bad(const std::string& field, const std::string& what);
// A field as text whether it came as a JSON string (HTTP query) or not (its JSON text); "" when
// absent.
std::string TextOf(const nlohmann::json& q, const char* key);
// A JSON string; "query.<field>: expected a string" otherwise.
Result<std::string> StringField(const nlohmann::json& v, const std::string& field);
// An integer, or a string holding one; "query.<field>: expected a whole number" otherwise.
Result<int> IntField(const nlohmann::json& v, const std::string& field);
// Epoch ms, or an ISO 8601 string.
Result<TimeMs> TimeField(const nlohmann::json& v, const std::string& field);
// A duration such as "7d".
Result<DurationMs> DurationField(const std::string& text, const std::string& field);

// The writers the report writers share: a number that may be infinite (null then), an interval
// [low, high] (a side is infinite when nothing is known), an optional value (null when none).
nlohmann::json Finite(double v);
// JSON text as the value it holds; text that is not JSON (a value stored as plain text) as a
// string.
nlohmann::json JsonTextValue(const std::string& text);
nlohmann::json IntervalJson(const RateInterval& i);
template <class T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace signpost::wire
