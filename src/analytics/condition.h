// A property condition ("properties.method in [link, code]") and how it is evaluated on a value.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "analytics/property_column.h"

namespace signpost::analytics {

enum class Op { kEq, kNe, kLt, kGt, kIn, kContains, kExists, kRegex, kLe, kGe };

// The operator names accepted in definitions, for error messages: "=, !=, <, >, in, ...".
const char* OperatorList();
// Parses "=" (eq), "!=" (ne), "<" (lt), ">" (gt), "<=" (lte), ">=" (gte), "in", "contains",
// "exists", "regex"; nullopt otherwise.
std::optional<Op> ParseOp(std::string_view text);
const char* OpName(Op op);

// A literal from a definition. YAML scalars are untyped, so a literal keeps its text and, when the
// text reads as one, its number or boolean.
struct Literal {
  std::string text;
  std::optional<double> number;
  std::optional<bool> boolean;
  static Literal Of(std::string text);
};

struct Condition {
  PropertyPath path;
  Op op = Op::kEq;
  std::vector<Literal> values;  // one for most operators, the list for `in`
  bool exists = true;           // kExists: true = present and not null, false = absent or null
  std::shared_ptr<const std::regex> regex;  // kRegex, compiled once

  // True when `v` satisfies the condition. Rules: `=`/`in` compare numbers with numbers, strings
  // with text, booleans with true/false; `!=` is true for a missing value; `<`/`>` compare numbers
  // (or two strings lexicographically); `contains` is a substring test on the value's text;
  // `regex` searches the value's text. A missing value satisfies only `!=` and `exists: false`.
  // Pure: thread-safe.
  bool Matches(const ValueRef& v) const;
};

}  // namespace signpost::analytics
