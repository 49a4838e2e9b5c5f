#include "analytics/property_column.h"

#include <simdjson.h>

#include <cmath>

#include "rules/json_match.h"

namespace signpost::analytics {

using rules::ValueKind;
using rules::ValueRef;

PropertyColumn::PropertyColumn(rules::PropertyPath path)
    : path_(std::move(path)), parser_(std::make_unique<simdjson::dom::parser>()) {}

PropertyColumn::~PropertyColumn() = default;

ValueRef PropertyColumn::Get(int64_t ref) const {
  ValueRef v;
  ValueKind kind;
  double payload;
  if (ref >= 0) {
    if (static_cast<size_t>(ref) >= sealed_kind_.size()) return v;
    kind = sealed_kind_[ref];
    payload = sealed_payload_[ref];
  } else {
    size_t i = static_cast<size_t>(~ref);
    if (i >= delta_.size()) return v;
    kind = delta_[i].kind;
    payload = delta_[i].payload;
  }
  v.kind = kind;
  if (kind == ValueKind::kString) {
    v.string_id = static_cast<uint32_t>(payload);
    v.text = strings_[v.string_id];
  } else {
    v.number = payload;
  }
  return v;
}

uint32_t PropertyColumn::Intern(std::string_view s) {
  auto it = string_ids_.find(std::string(s));
  if (it != string_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(strings_.size());
  strings_.emplace_back(s);
  string_ids_.emplace(strings_.back(), id);
  return id;
}

void PropertyColumn::SetFromJson(int64_t ref, std::string_view json) {
  Cell cell;
  std::string scratch;
  ValueRef v = rules::ReadJsonValue(*parser_, json, path_.keys, scratch);
  cell.kind = v.kind;
  cell.payload = v.kind == ValueKind::kString ? Intern(v.text) : v.number;
  if (ref >= 0) {
    size_t i = static_cast<size_t>(ref);
    if (i >= sealed_kind_.size()) {
      sealed_kind_.resize(i + 1, ValueKind::kMissing);
      sealed_payload_.resize(i + 1, 0);
    }
    sealed_kind_[i] = cell.kind;
    sealed_payload_[i] = cell.payload;
  } else {
    size_t i = static_cast<size_t>(~ref);
    if (i >= delta_.size()) delta_.resize(i + 1);
    delta_[i] = cell;
  }
}

void PropertyColumn::ResetSealed(size_t n) {
  sealed_kind_.assign(n, ValueKind::kMissing);
  sealed_payload_.assign(n, 0);
  delta_.clear();
}

void PropertyColumn::Gather(const std::vector<int64_t>& refs) {
  std::vector<ValueKind> kind(refs.size(), ValueKind::kMissing);
  std::vector<double> payload(refs.size(), 0);
  for (size_t i = 0; i < refs.size(); ++i) {
    const Cell* c = FindCell(refs[i]);
    if (c != nullptr) {
      kind[i] = c->kind;
      payload[i] = c->payload;
    } else if (refs[i] >= 0 && static_cast<size_t>(refs[i]) < sealed_kind_.size()) {
      kind[i] = sealed_kind_[refs[i]];
      payload[i] = sealed_payload_[refs[i]];
    }
  }
  sealed_kind_ = std::move(kind);
  sealed_payload_ = std::move(payload);
  delta_.clear();
}

const PropertyColumn::Cell* PropertyColumn::FindCell(int64_t ref) const {
  if (ref >= 0) return nullptr;
  size_t i = static_cast<size_t>(~ref);
  return i < delta_.size() ? &delta_[i] : nullptr;
}

size_t PropertyColumn::MemoryBytes() const {
  size_t bytes = sealed_kind_.capacity() + sealed_payload_.capacity() * sizeof(double) +
                 delta_.capacity() * sizeof(Cell);
  for (const auto& s : strings_) bytes += s.capacity() + 48;
  return bytes;
}

}  // namespace signpost::analytics
