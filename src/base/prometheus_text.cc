#include "base/prometheus_text.h"

namespace signpost {

std::string PromLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void AppendPromLabel(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty() && out.back() != '{') out += ',';
  out.append(name);
  out += "=\"";
  out += PromLabelValue(value);
  out += '"';
}

}  // namespace signpost
