#include "ingest/json_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace signpost::ingest {

bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  auto digit = [&](size_t k) { return k < n && text[k] >= '0' && text[k] <= '9'; };
  if (i < n && text[i] == '-') ++i;
  if (!digit(i)) return false;
  if (text[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  bool integer = true;
  if (i < n && text[i] == '.') {
    integer = false;
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    integer = false;
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i != n) return false;
  if (integer) {  // a whole number must fit 64 bits, as simdjson reads it back
    std::errc ec;
    if (text[0] == '-') {
      int64_t v;
      ec = std::from_chars(text.data(), text.data() + n, v).ec;
    } else {
      uint64_t v;
      ec = std::from_chars(text.data(), text.data() + n, v).ec;
    }
    return ec == std::errc();
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + n, value);
  return ec == std::errc() && end == text.data() + n && std::isfinite(value);
}

}  // namespace signpost::ingest
