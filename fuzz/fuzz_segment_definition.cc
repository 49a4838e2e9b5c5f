// Fuzzes the rule segment parser and the message template parser/renderer: a definition or a clear
// error, never a crash; a parsed template renders without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "delivery/template_text.h"
#include "segments/segment_definition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto seg = segments::ParseSegmentDefinition(text);
  if (!seg.ok() && seg.status().message().empty()) std::abort();
  auto tpl = delivery::TemplateText::Parse(text, "body");
  if (tpl.ok()) {
    nlohmann::json vars = {{"traits", {{"first_name", "Ada"}, {"address.city", "Paris"}}},
                           {"event", {{"properties", {{"item", "<b>"}}}}}};
    // Only a crash is a finding: a render that refuses the input is a fine outcome.
    (void)tpl->Render(vars, delivery::Escape::kHtml);
    (void)tpl->Render(vars, delivery::Escape::kNone);
  } else if (tpl.status().message().empty()) {
    std::abort();
  }
  return 0;
}
