// A property condition ("properties.method in [link, code]") and how it is evaluated on a value.
// Regular expressions are RE2's (linear time in the text, no recursion on it, bounded memory), so
// no pattern can make matching one event's value slow or crash: see CompileRegex.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rules/property_path.h"
#include "signpost/status.h"

namespace re2 {
class RE2;
}

namespace signpost::rules {

enum class Op { kEq, kNe, kLt, kGt, kIn, kContains, kExists, kRegex, kLe, kGe };

// The operator names accepted in definitions, for error messages: "=, !=, <, >, in, ...".
const char* OperatorList();
// Parses "=" (eq), "!=" (ne), "<" (lt), ">" (gt), "<=" (lte), ">=" (gte), "in", "contains",
// "exists", "regex"; nullopt otherwise.
std::optional<Op> ParseOp(std::string_view text);
const char* OpName(Op op);

// The longest `regex:` pattern a definition may hold, in bytes of pattern text.
inline constexpr size_t kMaxRegexBytes = 1024;
// The memory RE2 may use for one compiled pattern (its programs and DFA caches); a pattern whose
// program does not fit is refused when the definition is applied.
inline constexpr int64_t kMaxRegexMemory = 1 << 20;

// Compiles a user's `regex:` pattern (RE2 syntax, unanchored search; `^`/`$` anchor the whole
// value) for Condition::regex. kInvalidArgument naming `field` and the fix for a pattern over
// kMaxRegexBytes, one RE2 cannot compile within kMaxRegexMemory, and ECMAScript/PCRE-only syntax
// (backreferences such as \1, lookahead (?= (?!, lookbehind (?<= (?<!). Thread-safe.
Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern,
                                                     const std::string& field);

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
  std::shared_ptr<const re2::RE2> regex;  // kRegex, compiled once (CompileRegex)

  // True when `v` satisfies the condition. Rules: `=`/`in` compare numbers with numbers, strings
  // with text, booleans with true/false; `!=` is true for a missing value; `<`/`>` compare numbers
  // (or two strings lexicographically); `contains` is a substring test on the value's text;
  // `regex` searches the value's text (RE2: linear in its length). A missing value satisfies only
  // `!=` and `exists: false`. Pure: thread-safe.
  bool Matches(const ValueRef& v) const;
};

}  // namespace signpost::rules
