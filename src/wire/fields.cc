#include "wire/fields.h"

#include <cmath>

#include "base/duration.h"
#include "base/time.h"

namespace signpost::wire {

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("query." + field + ": " + what);
}

std::string TextOf(const nlohmann::json& q, const char* key) {
  if (!q.is_object() || !q.contains(key)) return "";
  const nlohmann::json& v = q[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

Result<std::string> StringField(const nlohmann::json& v, const std::string& field) {
  if (!v.is_string()) return Bad(field, "expected a string");
  return v.get<std::string>();
}

Result<int> IntField(const nlohmann::json& v, const std::string& field) {
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      int n = std::stoi(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size()) return n;
    } catch (...) {
    }
  }
  return Bad(field, "expected a whole number");
}

Result<TimeMs> TimeField(const nlohmann::json& v, const std::string& field) {
  if (v.is_number_integer()) return v.get<TimeMs>();
  if (!v.is_string()) return Bad(field, "expected an ISO 8601 time or epoch milliseconds");
  auto t = ParseIso8601(v.get<std::string>());
  if (!t.ok()) return Bad(field, t.status().message());
  return *t;
}

Result<DurationMs> DurationField(const std::string& text, const std::string& field) {
  auto d = ParseDuration(text);
  if (!d.ok()) return Bad(field, d.status().message());
  return *d;
}

nlohmann::json JsonTextValue(const std::string& text) {
  nlohmann::json v = nlohmann::json::parse(text, nullptr, false);
  return v.is_discarded() ? nlohmann::json(text) : v;
}

nlohmann::json Finite(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json IntervalJson(const RateInterval& i) {
  return nlohmann::json::array({Finite(i.low), Finite(i.high)});
}

}  // namespace signpost::wire
