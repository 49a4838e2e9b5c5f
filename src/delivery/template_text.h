// TemplateText: one personalized text field of a message template ("Your cart,
// {{traits.first_name}}").
//
// Syntax: literal text with placeholders `{{ path }}` or `{{ path | default: "fallback" }}`.
// A path is dot-separated names whose first name is one of the allowed roots (for message templates
// traits, event, entry, journey, to, funnel). A stray `}}` outside a placeholder is literal text; a
// `{{` without its `}}` is an error. Rendering: strings as they are, numbers and booleans as JSON
// writes them, objects and arrays as JSON; a missing value, null or "" renders the fallback, or ""
// when there is none. A path finds nested objects (traits.address.city in {"address":{"city":..}})
// and flat dotted keys ({"address.city": ..}) alike, as profiles store traits flattened.
// Parse never crashes on any input (fuzzed by the lead); a parsed template is immutable and may be
// rendered from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/status.h"

namespace signpost::delivery {

// The roots a message template's placeholders may start with. `unsubscribe_url` is the message's
// signed one-click unsubscribe link ("" when its channel needs no consent). `funnel` values are
// step-aware: `{{funnel.<funnel id>.<field>}}` with a field of kFunnelFields, the profile's
// position in that funnel when the message was sent (the journey runtime fills them,
// src/journeys/README.md). `{{next_best_action.<funnel id>}}` is the recommended journey or message
// ("<journey>/<step>") for the profile's step and segment in that funnel when the message was sent,
// "" when there is not enough evidence (src/engine/next_best_action_service.h).
inline const std::vector<std::string_view> kMessageRoots = {
    "traits", "event", "entry", "journey", "to", "unsubscribe_url", "funnel", "next_best_action"};
// How FunnelIds names the funnel of a `{{next_best_action.<funnel id>}}` placeholder: this prefix
// and the id (an id never holds ':', base/id_rule.h).
inline constexpr std::string_view kNextBestActionRef = "next_best_action:";
inline const std::vector<std::string_view> kFunnelFields = {"last_step", "last_step_name",
                                                            "next_step", "next_step_name"};

enum class Escape {
  kNone,  // values inserted as they are (plain text, subjects, JSON string leaves)
  kHtml,  // values HTML-escaped (& < > " '): the html body of an email
};

class TemplateText {
 public:
  // Parses `text`. Errors (kInvalidArgument) name `field`, the line and column in the text, and
  // the fix: an unclosed `{{`, an empty placeholder, a bad name, a root not in `roots`, an unknown
  // filter.
  static Result<TemplateText> Parse(std::string_view text, std::string_view field,
                                    const std::vector<std::string_view>& roots = kMessageRoots);

  // The text with every placeholder replaced by its value in `vars` (an object keyed by root).
  std::string Render(const nlohmann::json& vars, Escape escape) const;
  // True when the text has no placeholder.
  bool IsLiteral() const;
  // The funnel ids its `{{funnel.<id>.<field>}}` placeholders name, and kNextBestActionRef + the id
  // for each `{{next_best_action.<id>}}`, distinct, in order.
  std::vector<std::string> FunnelIds() const;

 private:
  struct Part {
    std::string literal;                  // text before the placeholder (or the whole tail)
    std::vector<std::string> path;        // empty: no placeholder after the literal
    std::optional<std::string> fallback;  // `| default: "..."`
  };
  std::vector<Part> parts_;
};

// The funnel ids the placeholders of `text` name (TemplateText::FunnelIds); none when it has no
// placeholder or does not parse.
std::vector<std::string> FunnelRefs(std::string_view text);

// HTML-escapes `text` (& < > " ').
std::string EscapeHtml(std::string_view text);

}  // namespace signpost::delivery
