#include "ingest/json_scan.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace signpost::ingest {
namespace {

constexpr size_t kNone = std::string_view::npos;
constexpr size_t kMaxKeyInPath = 64;
constexpr size_t kMaxPath = 256;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

size_t SkipSpace(std::string_view t, size_t i) {
  while (i < t.size() && IsSpace(t[i])) ++i;
  return i;
}

// `i` at an opening quote: the index after the closing quote, kNone when the text ends first.
// Escapes are skipped, not checked.
size_t SkipString(std::string_view t, size_t i) {
  ++i;
  while (i < t.size()) {
    i = t.find_first_of("\"\\", i);
    if (i == kNone) return kNone;
    if (t[i] == '"') return i + 1;
    i += 2;
  }
  return kNone;
}

// `i` at the start of a value: the index after it, kNone when the text ends first or there is no
// value. Containers are followed by counting brackets (any closing one closes any opening one).
size_t SkipValue(std::string_view t, size_t i) {
  if (i >= t.size()) return kNone;
  const char c = t[i];
  if (c == '"') return SkipString(t, i);
  if (c == '[' || c == '{') {
    size_t depth = 0;
    while (i < t.size()) {
      const char d = t[i];
      if (d == '"') {
        i = SkipString(t, i);
        if (i == kNone) return kNone;
        continue;
      }
      if (d == '[' || d == '{') {
        ++depth;
      } else if (d == ']' || d == '}') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return kNone;
  }
  const size_t start = i;
  while (i < t.size() && !IsSpace(t[i]) && t[i] != ',' && t[i] != ']' && t[i] != '}') ++i;
  return i == start ? kNone : i;
}

// The length of the valid UTF-8 sequence at t[i] (a non-ASCII lead byte), 0 when invalid
// (truncated, overlong, a surrogate, beyond U+10FFFF).
size_t Utf8Length(std::string_view t, size_t i) {
  const auto b0 = static_cast<unsigned char>(t[i]);
  size_t len;
  uint32_t cp, min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > t.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(t[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// The 4 hex digits at t[i..i+4) as a code unit, -1 when they are not 4 hex digits.
int32_t Hex4(std::string_view t, size_t i) {
  if (i + 4 > t.size()) return -1;
  int32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const char c = t[k];
    int d;
    if (IsDigit(c)) {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return -1;
    }
    v = v * 16 + d;
  }
  return v;
}

// What a fault is, before its path is known.
struct Fault {
  std::string what;     // "invalid UTF-8 at byte 12"
  std::string fix;      // "send text encoded as UTF-8"
  bool syntax = false;  // the text is not JSON (cut, a malformed number) rather than a bad value
};

// `i` at an opening quote: advances past the string, or returns its first fault.
std::optional<Fault> CheckString(std::string_view t, size_t& i) {
  ++i;
  while (i < t.size()) {
    const auto b = static_cast<unsigned char>(t[i]);
    if (b == '"') {
      ++i;
      return std::nullopt;
    }
    if (b == '\\') {
      if (i + 1 >= t.size()) break;
      const char e = t[i + 1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
          e == 't') {
        i += 2;
        continue;
      }
      if (e != 'u') {
        return Fault{fmt::format("invalid escape \\{} at byte {}", e, i),
                     "escape only \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"};
      }
      const int32_t unit = Hex4(t, i + 2);
      if (unit < 0) {
        return Fault{fmt::format("invalid \\u escape at byte {}", i),
                     "write \\u followed by 4 hex digits"};
      }
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return Fault{fmt::format("lone surrogate \\u{:04x} at byte {}", unit, i),
                     "a low surrogate must follow a high one: send the whole character or drop it"};
      }
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        const int32_t low =
            i + 7 < t.size() && t[i + 6] == '\\' && t[i + 7] == 'u' ? Hex4(t, i + 8) : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
          return Fault{fmt::format("lone surrogate \\u{:04x} at byte {}", unit, i),
                       "the text was cut inside a character (e.g. half an emoji): send the whole "
                       "character (its surrogate pair) or drop it"};
        }
        i += 12;
        continue;
      }
      i += 6;
      continue;
    }
    if (b < 0x20) {
      return Fault{fmt::format("control character U+{:04X} at byte {}", b, i),
                   "escape it (e.g. \\n, \\t, \\u0001)"};
    }
    if (b < 0x80) {
      ++i;
      continue;
    }
    const size_t len = Utf8Length(t, i);
    if (len == 0) {
      return Fault{fmt::format("invalid UTF-8 at byte {}", i),
                   "send text encoded as UTF-8 (replace or drop the bad bytes)"};
    }
    i += len;
  }
  return Fault{"not valid JSON: a string is not closed", "end it with a quote (was the text cut?)",
               true};
}

// `i` at a number's first character: advances past it, or returns its first fault.
std::optional<Fault> CheckNumber(std::string_view t, size_t& i) {
  const size_t start = i;
  auto syntax = [&] {
    return Fault{fmt::format("not valid JSON: invalid number at byte {}", start),
                 "write numbers as JSON does (e.g. 42, -1.5, 2e10)", true};
  };
  if (t[i] == '-') ++i;
  if (i >= t.size() || !IsDigit(t[i])) return syntax();
  if (t[i] == '0') {
    ++i;
  } else {
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  bool integer = true;
  if (i < t.size() && t[i] == '.') {
    integer = false;
    ++i;
    if (i >= t.size() || !IsDigit(t[i])) return syntax();
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    integer = false;
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (i >= t.size() || !IsDigit(t[i])) return syntax();
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  const std::string_view text = t.substr(start, i - start);
  if (integer) {
    std::errc ec;
    if (text[0] == '-') {
      int64_t v;
      ec = std::from_chars(text.data(), text.data() + text.size(), v).ec;
    } else {
      uint64_t v;
      ec = std::from_chars(text.data(), text.data() + text.size(), v).ec;
    }
    if (ec != std::errc()) {
      return Fault{fmt::format("the integer {}{} is beyond 64 bits", text.substr(0, 40),
                               text.size() > 40 ? "..." : ""),
                   "send it as a string (\"...\") or as a float with a fraction or exponent"};
    }
    return std::nullopt;
  }
  const std::string copy(text);  // strtod needs a terminator
  const double v = std::strtod(copy.c_str(), nullptr);
  if (!std::isfinite(v)) {
    return Fault{fmt::format("the number {}{} is out of range", text.substr(0, 40),
                             text.size() > 40 ? "..." : ""),
                 "numbers must fit a double (at most about 1.8e308): send it as a string"};
  }
  return std::nullopt;
}

// One open container while checking, for the path of a fault.
struct Frame {
  bool object;
  std::string_view key;  // object: the current key (raw text between the quotes)
  size_t index = 0;      // array: the current element
};

std::string PathOf(const std::vector<Frame>& stack) {
  std::string path;
  for (const Frame& f : stack) {
    if (f.object) {
      if (f.key.data() == nullptr) break;  // the fault is in this object's key
      std::string_view key = f.key;
      if (key.size() > kMaxKeyInPath) {
        size_t cut = kMaxKeyInPath;
        while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
        key = key.substr(0, cut);
      }
      if (!path.empty()) path += '.';
      path += key;
    } else {
      path += fmt::format("[{}]", f.index);
    }
    if (path.size() > kMaxPath) {
      size_t cut = kMaxPath;
      while (cut > 0 && (static_cast<unsigned char>(path[cut]) & 0xC0) == 0x80) --cut;
      path.resize(cut);
      path += "...";
      break;
    }
  }
  return path;
}

}  // namespace

std::optional<BatchSplit> SplitBatch(std::string_view body) {
  const std::string_view t = body;
  size_t i = SkipSpace(t, 0);
  if (i >= t.size() || t[i] != '{') return std::nullopt;
  i = SkipSpace(t, i + 1);
  BatchSplit out;
  size_t begin = kNone, end = kNone;
  if (i < t.size() && t[i] == '}') return std::nullopt;  // no batch
  while (true) {
    if (i >= t.size() || t[i] != '"') return std::nullopt;
    const size_t key_end = SkipString(t, i);
    if (key_end == kNone) return std::nullopt;
    const std::string_view key = t.substr(i + 1, key_end - i - 2);
    i = SkipSpace(t, key_end);
    if (i >= t.size() || t[i] != ':') return std::nullopt;
    i = SkipSpace(t, i + 1);
    if (key == "batch" && begin == kNone && i < t.size() && t[i] == '[') {
      begin = i;
      i = SkipSpace(t, i + 1);
      if (i < t.size() && t[i] == ']') {
        ++i;
      } else {
        while (true) {
          const size_t item_end = SkipValue(t, i);
          if (item_end == kNone) return std::nullopt;
          out.items.push_back(t.substr(i, item_end - i));
          i = SkipSpace(t, item_end);
          if (i >= t.size()) return std::nullopt;
          if (t[i] == ']') {
            ++i;
            break;
          }
          if (t[i] != ',') return std::nullopt;
          i = SkipSpace(t, i + 1);
        }
      }
      end = i;
    } else {
      i = SkipValue(t, i);
      if (i == kNone) return std::nullopt;
    }
    i = SkipSpace(t, i);
    if (i >= t.size()) return std::nullopt;
    if (t[i] == '}') break;
    if (t[i] != ',') return std::nullopt;
    i = SkipSpace(t, i + 1);
  }
  if (SkipSpace(t, i + 1) != t.size() || begin == kNone) return std::nullopt;
  out.shell.reserve(t.size() - (end - begin) + 2);
  out.shell.append(t.substr(0, begin));
  out.shell.append("[]");
  out.shell.append(t.substr(end));
  return out;
}

std::optional<JsonFault> FindJsonFault(std::string_view t) {
  std::vector<Frame> stack;
  size_t i = 0;
  bool syntax_error = false;
  auto fail = [&](Fault f) -> std::optional<JsonFault> {
    std::string path = PathOf(stack);
    const bool in_key = !stack.empty() && stack.back().object && stack.back().key.data() == nullptr;
    std::string where = path.empty() ? (in_key ? "a key of the event" : "the event")
                                     : fmt::format("{}`{}`", in_key ? "a key in " : "", path);
    return JsonFault{ItemError{std::move(path), fmt::format("{}: {}: {}", where, f.what, f.fix)},
                     syntax_error || f.syntax};
  };
  auto syntax = [&](std::string_view expected) {
    syntax_error = true;
    return fail({fmt::format("not valid JSON at byte {} (expected {})", i, expected),
                 "send each event as one complete JSON object"});
  };
  // Reads an object key at t[i] into the top frame and the ':' after it.
  auto read_key = [&]() -> std::optional<JsonFault> {
    Frame& f = stack.back();
    f.key = {};
    i = SkipSpace(t, i);
    if (i >= t.size() || t[i] != '"') return syntax("a key in quotes");
    const size_t start = i;
    if (auto fault = CheckString(t, i)) return fail(std::move(*fault));
    f.key = t.substr(start + 1, i - start - 2);
    i = SkipSpace(t, i);
    if (i >= t.size() || t[i] != ':') return syntax("':'");
    ++i;
    return std::nullopt;
  };

  while (true) {
    // A value starts at t[i].
    i = SkipSpace(t, i);
    if (i >= t.size()) return syntax("a value");
    const char c = t[i];
    bool opened = false;
    if (c == '{' || c == '[') {
      if (stack.size() >= kMaxJsonDepth) {
        return fail(
            {fmt::format("nested deeper than {} levels", kMaxJsonDepth), "flatten the data"});
      }
      stack.push_back(Frame{c == '{', {}, 0});
      i = SkipSpace(t, i + 1);
      if (i < t.size() && t[i] == (c == '{' ? '}' : ']')) {
        ++i;
        stack.pop_back();
      } else if (c == '{') {
        if (auto e = read_key()) return e;
        opened = true;
      } else {
        opened = true;
      }
    } else if (c == '"') {
      if (auto fault = CheckString(t, i)) return fail(std::move(*fault));
    } else if (c == '-' || IsDigit(c)) {
      if (auto fault = CheckNumber(t, i)) return fail(std::move(*fault));
    } else if (t.substr(i, 4) == "true" || t.substr(i, 4) == "null") {
      i += 4;
    } else if (t.substr(i, 5) == "false") {
      i += 5;
    } else {
      return syntax("a value");
    }
    if (opened) continue;
    // After a value: close containers, or move to the next element.
    while (true) {
      i = SkipSpace(t, i);
      if (stack.empty()) {
        if (i != t.size()) return syntax("the end of the event");
        return std::nullopt;
      }
      Frame& f = stack.back();
      if (i >= t.size()) return syntax(f.object ? "',' or '}'" : "',' or ']'");
      if (t[i] == ',') {
        ++i;
        if (f.object) {
          if (auto e = read_key()) return e;
        } else {
          ++f.index;
        }
        break;
      }
      if (t[i] != (f.object ? '}' : ']')) return syntax(f.object ? "',' or '}'" : "',' or ']'");
      ++i;
      stack.pop_back();
    }
  }
}

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      out += text[i++];
      continue;
    }
    const size_t len = Utf8Length(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

}  // namespace signpost::ingest
