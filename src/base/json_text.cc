#include "base/json_text.h"

#include <array>
#include <charconv>

namespace signpost {

namespace {
// True for the bytes JSON strings must escape: control characters, `"` and `\`.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();
}  // namespace

bool JsonTextMayHoldKey(std::string_view json, std::string_view key) {
  for (char c : key) {
    if (kNeedsEscape[static_cast<uint8_t>(c)]) return true;  // written escaped in the text
  }
  if (key.empty()) return json.find("\"\"") != std::string_view::npos;
  // Every place the key appears, then whether quotes surround it: faster than memmem for the
  // quoted key on the short texts of events (glibc's memmem sets up a table per call; about 3x
  // slower at 50-250 bytes).
  for (size_t at = json.find(key); at != std::string_view::npos; at = json.find(key, at + 1)) {
    if (at > 0 && json[at - 1] == '"' && at + key.size() < json.size() &&
        json[at + key.size()] == '"') {
      return true;
    }
  }
  return false;
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  size_t run_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) continue;
    out.append(text, run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(text, run_start, text.size() - run_start);
  out += '"';
}

JsonObjectText& JsonObjectText::Add(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(value, text_);
  return *this;
}

namespace {
template <typename Integer>
void AppendInteger(Integer value, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}
}  // namespace

JsonObjectText& JsonObjectText::Add(std::string_view key, uint64_t value) {
  Key(key);
  AppendInteger(value, text_);
  return *this;
}

JsonObjectText& JsonObjectText::Add(std::string_view key, int64_t value) {
  Key(key);
  AppendInteger(value, text_);
  return *this;
}

JsonObjectText& JsonObjectText::Add(std::string_view key, bool value) {
  Key(key);
  text_ += value ? "true" : "false";
  return *this;
}

JsonObjectText& JsonObjectText::AddRaw(std::string_view key, std::string_view json) {
  Key(key);
  text_ += json;
  return *this;
}

std::string JsonObjectText::Finish() {
  text_ += '}';
  std::string out = std::move(text_);
  text_ = "{";
  return out;
}

void JsonObjectText::Key(std::string_view key) {
  if (text_.size() > 1) text_ += ',';
  AppendJsonString(key, text_);
  text_ += ':';
}

}  // namespace signpost
