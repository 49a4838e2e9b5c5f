#include "rules/condition.h"

#include <re2/re2.h>

#include <cstdlib>

namespace signpost::rules {

namespace {

bool EqualsLiteral(const ValueRef& v, const Literal& lit) {
  switch (v.kind) {
    case ValueKind::kNumber:
      return lit.number.has_value() && *lit.number == v.number;
    case ValueKind::kBool:
      return lit.boolean.has_value() && *lit.boolean == (v.number != 0);
    case ValueKind::kString:
      return v.text == lit.text;
    case ValueKind::kNull:
      return lit.text == "null";
    case ValueKind::kMissing:
      return false;
  }
  return false;
}

std::string TextOf(const ValueRef& v) { return RenderValue(v); }

// The ECMAScript/PCRE constructs RE2 refuses or reads differently, with what to write instead; ""
// when none. Character classes are skipped ("[(?=]" is three characters).
std::string UnsupportedSyntax(std::string_view p) {
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char n = p[++i];
      if (!in_class && n >= '1' && n <= '9') {
        return std::string("backreferences (\\") + n +
               ") are not supported; repeat the group's pattern instead (a character code is "
               "\\x{..})";
      }
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') ++i;
      if (i + 1 < p.size() && p[i + 1] == ']') ++i;  // "[]...]": a leading ] is a character
    } else if (p.substr(i, 3) == "(?=" || p.substr(i, 3) == "(?!") {
      return "lookahead ((?= or (?!) is not supported; match the text itself, or use a second "
             "condition";
    } else if (p.substr(i, 4) == "(?<=" || p.substr(i, 4) == "(?<!") {
      return "lookbehind ((?<= or (?<!) is not supported; match the text itself, or use a second "
             "condition";
    }
  }
  return "";
}

}  // namespace

Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern,
                                                     const std::string& field) {
  auto bad = [&field](const std::string& what) {
    return Status::InvalidArgument(field + ": " + what);
  };
  if (pattern.size() > kMaxRegexBytes) {
    return bad("the pattern is " + std::to_string(pattern.size()) +
               " bytes; a regex may have at most " + std::to_string(kMaxRegexBytes) +
               " (match a shorter prefix, or use in/contains)");
  }
  if (std::string why = UnsupportedSyntax(pattern); !why.empty()) {
    return bad("invalid regular expression '" + std::string(pattern) + "': " + why +
               " (patterns are RE2 syntax, matched in linear time)");
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kMaxRegexMemory);
  auto re =
      std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (re->error_code() == RE2::ErrorPatternTooLarge) {
    return bad(
        "the pattern '" + std::string(pattern) +
        "' compiles to more than the regex memory limit; simplify it (fewer repetitions such as "
        "{1000}, fewer alternatives)");
  }
  if (!re->ok()) {
    return bad("invalid regular expression '" + std::string(pattern) + "': " + re->error() +
               " (patterns are RE2 syntax: https://github.com/google/re2/wiki/Syntax)");
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

const char* OperatorList() { return "=, !=, <, >, <=, >=, in, contains, exists, regex"; }

std::optional<Op> ParseOp(std::string_view t) {
  if (t == "=" || t == "eq" || t == "equals") return Op::kEq;
  if (t == "!=" || t == "ne") return Op::kNe;
  if (t == "<" || t == "lt") return Op::kLt;
  if (t == ">" || t == "gt") return Op::kGt;
  if (t == "<=" || t == "lte") return Op::kLe;
  if (t == ">=" || t == "gte") return Op::kGe;
  if (t == "in") return Op::kIn;
  if (t == "contains") return Op::kContains;
  if (t == "exists") return Op::kExists;
  if (t == "regex") return Op::kRegex;
  return std::nullopt;
}

const char* OpName(Op op) {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kGt:
      return ">";
    case Op::kLe:
      return "<=";
    case Op::kGe:
      return ">=";
    case Op::kIn:
      return "in";
    case Op::kContains:
      return "contains";
    case Op::kExists:
      return "exists";
    case Op::kRegex:
      return "regex";
  }
  return "?";
}

Literal Literal::Of(std::string text) {
  Literal lit;
  lit.text = std::move(text);
  if (lit.text == "true") lit.boolean = true;
  if (lit.text == "false") lit.boolean = false;
  if (!lit.text.empty()) {
    char* end = nullptr;
    double d = std::strtod(lit.text.c_str(), &end);
    if (end == lit.text.c_str() + lit.text.size()) lit.number = d;
  }
  return lit;
}

bool Condition::Matches(const ValueRef& v) const {
  const bool present = v.kind != ValueKind::kMissing;
  switch (op) {
    case Op::kExists:
      return exists == (present && v.kind != ValueKind::kNull);
    case Op::kEq:
      return !values.empty() && EqualsLiteral(v, values[0]);
    case Op::kNe:
      return values.empty() || !EqualsLiteral(v, values[0]);
    case Op::kIn:
      for (const Literal& lit : values) {
        if (EqualsLiteral(v, lit)) return true;
      }
      return false;
    case Op::kLt:
    case Op::kGt:
    case Op::kLe:
    case Op::kGe: {
      if (values.empty() || !present) return false;
      const Literal& lit = values[0];
      int cmp;
      if (v.kind == ValueKind::kNumber && lit.number.has_value()) {
        cmp = v.number < *lit.number ? -1 : (v.number > *lit.number ? 1 : 0);
      } else if (v.kind == ValueKind::kString && !lit.number.has_value()) {
        cmp = v.text.compare(lit.text);
      } else {
        return false;
      }
      switch (op) {
        case Op::kLt:
          return cmp < 0;
        case Op::kLe:
          return cmp <= 0;
        case Op::kGe:
          return cmp >= 0;
        default:
          return cmp > 0;
      }
    }
    case Op::kContains:
      return present && !values.empty() && v.kind != ValueKind::kNull &&
             TextOf(v).find(values[0].text) != std::string::npos;
    case Op::kRegex:
      return present && v.kind != ValueKind::kNull && regex != nullptr &&
             RE2::PartialMatch(TextOf(v), *regex);
  }
  return false;
}

}  // namespace signpost::rules
