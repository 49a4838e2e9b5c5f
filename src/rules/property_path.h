// Property paths ("properties.cart_id", "context.page.url", "traits.plan") and the typed value a
// path reads from one event: what every condition of the rule language is evaluated on.
// Thread-safety: plain values and pure functions, safe to use from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/status.h"

namespace signpost::rules {

// Which nested object of an event a path reads.
enum class PropertyScope : uint8_t { kProperties = 0, kContext, kTraits };

// A parsed path: scope plus the keys inside it ("context.page.url" -> kContext, {page, url}).
struct PropertyPath {
  PropertyScope scope = PropertyScope::kProperties;
  std::vector<std::string> keys;
  std::string text;  // as written, e.g. "properties.cart_id"
};

// Parses "properties.x", "context.a.b" or "traits.x". Returns kInvalidArgument naming the text
// and the accepted prefixes on failure. Pure: thread-safe.
Result<PropertyPath> ParsePropertyPath(std::string_view text);

// The kind of one value; arrays and objects are kept as their minified JSON text (kString).
enum class ValueKind : uint8_t { kMissing = 0, kNull, kBool, kNumber, kString };

// One value read at a path. When kind is kString, `text` points into storage the reader owns
// (a column's dictionary, a matcher's scratch string) and is valid while that storage lives;
// `string_id` is the dictionary id when the value comes from a column (0 otherwise).
struct ValueRef {
  ValueKind kind = ValueKind::kMissing;
  double number = 0;  // kNumber; kBool as 0/1
  uint32_t string_id = 0;
  std::string_view text;
  bool operator==(const ValueRef& o) const {
    if (kind != o.kind) return false;
    if (kind == ValueKind::kString) return string_id == o.string_id;
    return kind == ValueKind::kMissing || kind == ValueKind::kNull || number == o.number;
  }
};

// Renders a value as text: strings as they are, numbers as JSON writes a double (3 -> "3.0"),
// "true"/"false", "(null)" and "(none)" for null and missing. Pure: thread-safe.
std::string RenderValue(const ValueRef& v);

}  // namespace signpost::rules
