#include "goals/event_properties.h"

#include <simdjson.h>

namespace signpost::goals {

namespace dom = simdjson::dom;

struct PropertyReader::Doc {
  dom::element root;
  bool ok = false;
};

namespace {

// The element at `keys` under `root`; false when a key is missing or a parent is not an object.
template <class Keys>
bool Find(const dom::element& root, const Keys& keys, dom::element* out) {
  dom::element el = root;
  for (const auto& key : keys) {
    dom::object obj;
    if (el.get_object().get(obj) || obj.at_key(key).get(el)) return false;
  }
  *out = el;
  return true;
}

}  // namespace

PropertyReader::PropertyReader()
    : parser_(std::make_unique<dom::parser>()), doc_(std::make_unique<Doc>()) {}
PropertyReader::~PropertyReader() = default;

bool PropertyReader::Parse(std::string_view json) {
  if (json.empty()) json = "{}";
  doc_->ok = !parser_->parse(json.data(), json.size()).get(doc_->root) && doc_->root.is_object();
  return doc_->ok;
}

std::string PropertyReader::String(std::initializer_list<std::string_view> keys) const {
  dom::element el;
  std::string_view s;
  if (!doc_->ok || !Find(doc_->root, keys, &el) || el.get_string().get(s)) return "";
  return std::string(s);
}

std::optional<double> PropertyReader::Number(std::initializer_list<std::string_view> keys) const {
  dom::element el;
  double d;
  if (!doc_->ok || !Find(doc_->root, keys, &el) || el.get_double().get(d)) return std::nullopt;
  return d;
}

std::optional<bool> PropertyReader::Bool(std::initializer_list<std::string_view> keys) const {
  dom::element el;
  bool b;
  if (!doc_->ok || !Find(doc_->root, keys, &el) || el.get_bool().get(b)) return std::nullopt;
  return b;
}

}  // namespace signpost::goals
