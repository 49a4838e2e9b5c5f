#include "journeys/placeholders.h"

#include <nlohmann/json.hpp>

namespace signpost::journeys {

namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::string RenderPlaceholders(std::string_view text, std::string_view entry_properties_json) {
  std::string out;
  nlohmann::json props;
  bool parsed = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    std::string path = Trim(text.substr(open + 2, close - open - 2));
    for (std::string_view prefix : {"entry.properties.", "event.properties."}) {
      if (path.rfind(prefix, 0) != 0) continue;
      if (!parsed) {
        props = nlohmann::json::parse(entry_properties_json, nullptr, false);
        parsed = true;
      }
      const nlohmann::json* v = &props;
      std::string rest = path.substr(prefix.size());
      size_t start = 0;
      while (v != nullptr && start <= rest.size()) {
        size_t dot = rest.find('.', start);
        std::string key =
            rest.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        v = v->is_object() && v->contains(key) ? &(*v)[key] : nullptr;
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      if (v != nullptr && !v->is_null()) out += v->is_string() ? v->get<std::string>() : v->dump();
    }
    pos = close + 2;
  }
  return out;
}

}  // namespace signpost::journeys
