// Writing JSON text by hand, where building a JSON DOM would cost more than the text itself (the
// journey runtime's system event properties, CSV rows). Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace signpost {

// Appends `text` to `out` as a quoted JSON string: `"` `\` and control characters escaped,
// everything else (UTF-8 included) copied. Never fails.
void AppendJsonString(std::string_view text, std::string& out);

// Whether JSON text written without needless escapes (as ingest stores it) may hold `key` as an
// object key: false only when the quoted key appears nowhere in it, so a caller can skip parsing
// it. A key with a character JSON escapes (`"`, `\`, control characters) always may. No
// allocation.
bool JsonTextMayHoldKey(std::string_view json, std::string_view key);

// A JSON object written member by member, in the order added ({"a":1,"b":"x"}). Keys are not
// checked for duplicates: the caller adds each once.
class JsonObjectText {
 public:
  JsonObjectText& Add(std::string_view key, std::string_view value);
  JsonObjectText& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObjectText& Add(std::string_view key, const std::string& value) {
    return Add(key, std::string_view(value));
  }
  JsonObjectText& Add(std::string_view key, uint64_t value);
  JsonObjectText& Add(std::string_view key, int64_t value);
  JsonObjectText& Add(std::string_view key, uint32_t value) { return Add(key, uint64_t{value}); }
  JsonObjectText& Add(std::string_view key, bool value);
  // `json` must be valid JSON text (an object, array, number...); it is copied as is.
  JsonObjectText& AddRaw(std::string_view key, std::string_view json);
  // The object's text; the writer is empty afterwards.
  std::string Finish();

 private:
  void Key(std::string_view key);
  std::string text_ = "{";
};

}  // namespace signpost
