// Evaluating conditions on one event's JSON objects (its properties, traits and context as JSON
// text), for code that sees events one at a time (the journey runtime, segment rules, goals)
// rather than through the columnar index.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/condition.h"

namespace simdjson::dom {
class parser;
}

namespace signpost::rules {

// The JSON texts of one event's nested objects ("{}" when absent).
struct JsonScopes {
  std::string_view properties = "{}";
  std::string_view context = "{}";
  std::string_view traits = "{}";
};

// The value at `keys` inside the JSON object text `json` (an event's properties, context or
// traits), parsed with `parser`: kMissing when the text is not JSON or a key is absent. A string's
// `text` points into the parser's buffers (valid until its next parse); an array or object is
// minified into `scratch` and `text` points there. Uses `parser`, so not concurrently with the
// same parser.
ValueRef ReadJsonValue(simdjson::dom::parser& parser, std::string_view json,
                       const std::vector<std::string>& keys, std::string& scratch);

// Owns a JSON parser and reuses it. Not thread-safe: one per thread.
class JsonMatcher {
 public:
  JsonMatcher();
  ~JsonMatcher();
  JsonMatcher(const JsonMatcher&) = delete;
  JsonMatcher& operator=(const JsonMatcher&) = delete;

  // True when every condition holds (true for no conditions). Malformed JSON reads as empty.
  bool Matches(const std::vector<Condition>& conditions, const JsonScopes& scopes);
  // The value at `path` rendered as text (strings as they are, numbers without ".0", true/false,
  // objects and arrays as minified JSON); nullopt when missing or null.
  std::optional<std::string> Text(const PropertyPath& path, const JsonScopes& scopes);

 private:
  ValueRef Value(const PropertyPath& path, const JsonScopes& scopes, std::string& scratch);
  std::unique_ptr<simdjson::dom::parser> parser_;
};

}  // namespace signpost::rules
