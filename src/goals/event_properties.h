// Reading values out of one event's `properties` JSON, for the attribution kernel: the system
// events' journey, entry, version, holdout, reason, variant and channel. (Goal conditions are
// evaluated by rules::JsonMatcher.)
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace simdjson::dom {
class parser;
}

namespace signpost::goals {

// Parses one JSON object at a time and answers lookups by key path. Values read after a Parse
// refer to that document until the next Parse. Not thread-safe: one reader per thread.
class PropertyReader {
 public:
  PropertyReader();
  ~PropertyReader();
  PropertyReader(const PropertyReader&) = delete;
  PropertyReader& operator=(const PropertyReader&) = delete;

  // Parses `json` ("" reads as {}). False when it is not a JSON object; lookups then find nothing.
  bool Parse(std::string_view json);
  // The string at `keys`; "" when missing or not a string.
  std::string String(std::initializer_list<std::string_view> keys) const;
  // The number at `keys`; nullopt when missing or not a number.
  std::optional<double> Number(std::initializer_list<std::string_view> keys) const;
  // The boolean at `keys`; nullopt when missing or not a boolean.
  std::optional<bool> Bool(std::initializer_list<std::string_view> keys) const;

 private:
  struct Doc;
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::unique_ptr<Doc> doc_;
};

}  // namespace signpost::goals
