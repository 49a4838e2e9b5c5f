#include "base/consent_category.h"

namespace signpost {

Result<std::string> ConsentCategory(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.find_first_not_of(' ') == std::string_view::npos) {
    return Status::InvalidArgument(
        "a consent category is 1 to 64 characters, e.g. marketing or analytics");
  }
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '.' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(
          "a consent category has no '.' or control character; e.g. marketing or analytics");
    }
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string TrackingConsentTrait(std::string_view category) {
  std::string out(kTrackingConsentPrefix);
  out.append(category);
  return out;
}

}  // namespace signpost
