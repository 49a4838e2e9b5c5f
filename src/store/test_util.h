// Helpers shared by the store and identity tests (header-only, test code only).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "signpost/event.h"

namespace signpost::store::testing {

// A fresh temporary folder, removed with everything in it when this goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "signpost-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // A path inside the folder that does not exist yet.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Event Track(std::string message_id, std::string user_id, std::string anonymous_id,
                   TimeMs timestamp, std::string name = "Clicked") {
  Event e;
  e.type = EventType::kTrack;
  e.message_id = std::move(message_id);
  e.user_id = std::move(user_id);
  e.anonymous_id = std::move(anonymous_id);
  e.event = std::move(name);
  e.timestamp = timestamp;
  e.received_at = timestamp;
  return e;
}

inline Event Identify(std::string message_id, std::string user_id, std::string anonymous_id,
                      TimeMs timestamp, std::string traits = "{}") {
  Event e =
      Track(std::move(message_id), std::move(user_id), std::move(anonymous_id), timestamp, "");
  e.type = EventType::kIdentify;
  e.traits = std::move(traits);
  return e;
}

inline Event Alias(std::string message_id, std::string previous_id, std::string user_id,
                   TimeMs timestamp) {
  Event e = Track(std::move(message_id), std::move(user_id), "", timestamp, "");
  e.type = EventType::kAlias;
  e.previous_id = std::move(previous_id);
  return e;
}

}  // namespace signpost::store::testing
