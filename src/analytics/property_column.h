// A typed column of one property path ("properties.cart_id", "context.page.url", "traits.plan"),
// built on demand for the events of an EventIndex and cached there.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "signpost/status.h"

namespace simdjson::dom {
class parser;
}

namespace signpost::analytics {

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

// One value read from a column. `text` points into the column's dictionary (valid while the
// column lives) when kind is kString.
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

// The values of one path for every event of an index. Events are addressed by a "row ref":
// ref >= 0 is a position in the index's sealed columns, ref < 0 is ~n for the n-th event added
// since the last Seal(). Thread-safety: const methods may run concurrently; mutators need
// exclusive access (the EventIndex calls them only from its own non-const methods).
class PropertyColumn {
 public:
  explicit PropertyColumn(PropertyPath path);
  ~PropertyColumn();
  PropertyColumn(const PropertyColumn&) = delete;
  PropertyColumn& operator=(const PropertyColumn&) = delete;

  const PropertyPath& path() const { return path_; }
  // The value of the event at `ref`; kMissing when the event lacks the path.
  ValueRef Get(int64_t ref) const;
  // Renders a value as text: strings as they are, numbers without a trailing ".0", "true"/"false",
  // "(null)" and "(none)" for null and missing.
  static std::string Render(const ValueRef& v);

  // Extracts this column's path from `json` (the event's scope object as JSON text) and stores
  // it at `ref`, growing the storage as needed. Malformed JSON stores kMissing.
  void SetFromJson(int64_t ref, std::string_view json);
  // Resizes the sealed part to `n` rows (new rows missing) and clears the delta part.
  void ResetSealed(size_t n);
  // Rebuilds the sealed part from `refs` (new position i takes the value at refs[i]) and clears
  // the delta part.
  void Gather(const std::vector<int64_t>& refs);
  size_t MemoryBytes() const;

 private:
  struct Cell {
    ValueKind kind = ValueKind::kMissing;
    double payload = 0;  // number, bool, or string id
  };
  const Cell* FindCell(int64_t ref) const;
  uint32_t Intern(std::string_view s);

  PropertyPath path_;
  std::unique_ptr<simdjson::dom::parser> parser_;  // reused by SetFromJson
  std::vector<ValueKind> sealed_kind_;
  std::vector<double> sealed_payload_;
  std::vector<Cell> delta_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_ids_;
};

}  // namespace signpost::analytics
