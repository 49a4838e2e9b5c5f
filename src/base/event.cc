#include "signpost/event.h"

#include <array>

namespace signpost {
namespace {
constexpr std::array<std::string_view, 6> kTypeNames = {"track", "identify", "alias",
                                                        "page",  "screen",   "group"};
}  // namespace

std::string_view EventTypeName(EventType type) { return kTypeNames[static_cast<size_t>(type)]; }

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::string UserIdentity(std::string_view user_id) { return "user:" + std::string(user_id); }
std::string AnonymousIdentity(std::string_view anonymous_id) {
  return "anon:" + std::string(anonymous_id);
}

std::string Event::PrimaryIdentity() const {
  return user_id.empty() ? AnonymousIdentity(anonymous_id) : UserIdentity(user_id);
}

}  // namespace signpost
