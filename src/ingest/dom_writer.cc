#include "ingest/dom_writer.h"

#include <charconv>

#include "ingest/json_text.h"

namespace signpost::ingest {
namespace {
template <class T>
void AppendNumber(T v, std::string& out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(end - buf));
}
}  // namespace

void AppendMinifiedJson(simdjson::dom::element value, std::string& out) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      out += '{';
      bool first = true;
      const simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto [key, child] : object) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(key, out);
        out += ':';
        AppendMinifiedJson(child, out);
      }
      out += '}';
      break;
    }
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      const simdjson::dom::array array = value.get_array().value_unsafe();
      for (simdjson::dom::element child : array) {
        if (!first) out += ',';
        first = false;
        AppendMinifiedJson(child, out);
      }
      out += ']';
      break;
    }
    case element_type::STRING:
      AppendJsonString(value.get_string().value_unsafe(), out);
      break;
    case element_type::INT64:
      AppendNumber(value.get_int64().value_unsafe(), out);
      break;
    case element_type::UINT64:
      AppendNumber(value.get_uint64().value_unsafe(), out);
      break;
    case element_type::DOUBLE:
      AppendNumber(value.get_double().value_unsafe(), out);
      break;
    case element_type::BOOL:
      out += value.get_bool().value_unsafe() ? "true" : "false";
      break;
    case element_type::NULL_VALUE:
      out += "null";
      break;
  }
}

std::string MinifiedJson(simdjson::dom::element value) {
  std::string out;
  out.reserve(128);  // most objects fit: one allocation instead of several growths
  AppendMinifiedJson(value, out);
  return out;
}

}  // namespace signpost::ingest
