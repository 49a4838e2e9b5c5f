#include "base/id_rule.h"

#include <fmt/format.h>

namespace signpost {

namespace {

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Status CheckId(std::string_view field, std::string_view id) {
  constexpr std::string_view kRule =
      "an id is 1 to 128 letters, digits, '.', '_' or '-', beginning with a letter or a digit "
      "(e.g. onboarding-v2)";
  if (id.empty()) return Status::InvalidArgument(fmt::format("{}: missing; {}", field, kRule));
  if (id.size() > kMaxIdLength)
    return Status::InvalidArgument(
        fmt::format("{}: {} characters is too long; {}", field, id.size(), kRule));
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (IdChar(c) && (i > 0 || (c != '.' && c != '_' && c != '-'))) continue;
    const bool printable =
        static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
    return Status::InvalidArgument(fmt::format(
        "{}: '{}' is not allowed in an id (character {}{}); {}", field,
        printable ? std::string(1, c) : fmt::format("\\x{:02x}", static_cast<unsigned char>(c)),
        i + 1, i == 0 ? ", the first" : "", kRule));
  }
  return Status::Ok();
}

}  // namespace signpost
