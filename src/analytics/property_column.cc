#include "analytics/property_column.h"

#include <simdjson.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace signpost::analytics {

Result<PropertyPath> ParsePropertyPath(std::string_view text) {
  PropertyPath path;
  path.text = std::string(text);
  size_t dot = text.find('.');
  std::string_view head = text.substr(0, dot);
  if (head == "properties") {
    path.scope = PropertyScope::kProperties;
  } else if (head == "context") {
    path.scope = PropertyScope::kContext;
  } else if (head == "traits") {
    path.scope = PropertyScope::kTraits;
  } else {
    dot = std::string_view::npos;
  }
  if (dot == std::string_view::npos || dot + 1 >= text.size()) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a property path; write properties.<key>, "
                                   "context.<key>[.<key>...] or traits.<key>");
  }
  std::string_view rest = text.substr(dot + 1);
  while (true) {
    size_t d = rest.find('.');
    std::string_view key = rest.substr(0, d);
    if (key.empty()) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "' has an empty key; write keys "
                                     "separated by single dots");
    }
    path.keys.emplace_back(key);
    if (d == std::string_view::npos) break;
    rest = rest.substr(d + 1);
  }
  return path;
}

PropertyColumn::PropertyColumn(PropertyPath path)
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

std::string PropertyColumn::Render(const ValueRef& v) {
  switch (v.kind) {
    case ValueKind::kMissing:
      return "(none)";
    case ValueKind::kNull:
      return "(null)";
    case ValueKind::kBool:
      return v.number != 0 ? "true" : "false";
    case ValueKind::kNumber:
      return nlohmann::json(v.number).dump();
    case ValueKind::kString:
      return std::string(v.text);
  }
  return "(none)";
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
  simdjson::padded_string padded(json);
  simdjson::dom::element el;
  bool found = !parser_->parse(padded).get(el);
  for (size_t k = 0; found && k < path_.keys.size(); ++k) {
    simdjson::dom::object obj;
    if (el.get_object().get(obj) || obj.at_key(path_.keys[k]).get(el)) found = false;
  }
  if (found) {
    switch (el.type()) {
      case simdjson::dom::element_type::NULL_VALUE:
        cell.kind = ValueKind::kNull;
        break;
      case simdjson::dom::element_type::BOOL:
        cell.kind = ValueKind::kBool;
        cell.payload = el.get_bool().value() ? 1 : 0;
        break;
      case simdjson::dom::element_type::INT64:
        cell.kind = ValueKind::kNumber;
        cell.payload = static_cast<double>(el.get_int64().value());
        break;
      case simdjson::dom::element_type::UINT64:
        cell.kind = ValueKind::kNumber;
        cell.payload = static_cast<double>(el.get_uint64().value());
        break;
      case simdjson::dom::element_type::DOUBLE:
        cell.kind = ValueKind::kNumber;
        cell.payload = el.get_double().value();
        break;
      case simdjson::dom::element_type::STRING:
        cell.kind = ValueKind::kString;
        cell.payload = Intern(el.get_string().value());
        break;
      default:
        cell.kind = ValueKind::kString;
        cell.payload = Intern(simdjson::minify(el));
        break;
    }
  }
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
