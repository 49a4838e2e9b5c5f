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

#include "rules/property_path.h"
#include "signpost/status.h"

namespace simdjson::dom {
class parser;
}

namespace signpost::analytics {

// The values of one path for every event of an index. Events are addressed by a "row ref":
// ref >= 0 is a position in the index's sealed columns, ref < 0 is ~n for the n-th event added
// since the last Seal(). Thread-safety: const methods may run concurrently; mutators need
// exclusive access (the EventIndex calls them only from its own non-const methods).
class PropertyColumn {
 public:
  explicit PropertyColumn(rules::PropertyPath path);
  ~PropertyColumn();
  PropertyColumn(const PropertyColumn&) = delete;
  PropertyColumn& operator=(const PropertyColumn&) = delete;

  const rules::PropertyPath& path() const { return path_; }
  // The value of the event at `ref`; kMissing when the event lacks the path.
  rules::ValueRef Get(int64_t ref) const;

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
    rules::ValueKind kind = rules::ValueKind::kMissing;
    double payload = 0;  // number, bool, or string id
  };
  const Cell* FindCell(int64_t ref) const;
  uint32_t Intern(std::string_view s);

  rules::PropertyPath path_;
  std::unique_ptr<simdjson::dom::parser> parser_;  // reused by SetFromJson
  std::vector<rules::ValueKind> sealed_kind_;
  std::vector<double> sealed_payload_;
  std::vector<Cell> delta_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_ids_;
};

}  // namespace signpost::analytics
