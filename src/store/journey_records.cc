#include "store/journey_records.h"

#include <fmt/format.h>

#include <charconv>

#include "store/coding.h"
#include "store/folder_secret.h"

namespace signpost::store {
namespace {

constexpr char kProfilePrefix = 'p';
constexpr char kJourneyPrefix = 'j';
constexpr std::string_view kCursorKey = "cursor";
constexpr std::string_view kMergesKey = "merges";
constexpr std::string_view kSystemIdKey = "system_id_key";

std::string ProfileKey(ProfileId profile) {
  std::string k(1, kProfilePrefix);
  PutFixed64BE(k, profile.value());
  return k;
}

std::string JourneyKey(const JourneyId& journey) {
  std::string k(1, kJourneyPrefix);
  k.append(journey.value());
  return k;
}

bool ParseDecimal(std::string_view text, uint64_t& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && p == end && !text.empty();
}

}  // namespace

void JourneyRecords::PutProfileState(Batch& batch, ProfileId profile,
                                     std::string_view bytes) const {
  batch.Put(Cf::kJourneys, ProfileKey(profile), bytes);
}

void JourneyRecords::DeleteProfileState(Batch& batch, ProfileId profile) const {
  batch.Delete(Cf::kJourneys, ProfileKey(profile));
}

void JourneyRecords::PutJourneyStatus(Batch& batch, const JourneyId& journey,
                                      std::string_view bytes) const {
  batch.Put(Cf::kJourneys, JourneyKey(journey), bytes);
}

void JourneyRecords::PutCursor(Batch& batch, uint64_t seq) const {
  batch.Put(Cf::kJourneys, kCursorKey, std::to_string(seq));
}

void JourneyRecords::PutMerges(Batch& batch, uint64_t ordinal) const {
  batch.Put(Cf::kJourneys, kMergesKey, std::to_string(ordinal));
}

Status JourneyRecords::Load(const Visitor& visitor) const {
  Status bad;
  auto number = [&](std::string_view key, std::string_view value,
                    const std::function<void(uint64_t)>& fn) {
    uint64_t n = 0;
    if (!ParseDecimal(value, n)) {
      bad = Status::Corruption(fmt::format("the journeys' {} record is not a number", key));
      return false;
    }
    if (fn) fn(n);
    return true;
  };
  SP_RETURN_IF_ERROR(db_->Scan(Cf::kJourneys, "", "", [&](std::string_view k, std::string_view v) {
    if (k == kCursorKey) return number(k, v, visitor.cursor);
    if (k == kMergesKey) return number(k, v, visitor.merges);
    if (k.empty()) return true;
    if (k[0] == kJourneyPrefix) {
      if (visitor.journey_status) visitor.journey_status(JourneyId(k.substr(1)), v);
    } else if (k[0] == kProfilePrefix) {
      if (k.size() != 9) {
        bad = Status::Corruption("a journey profile state has a key that is not a profile id");
        return false;
      }
      if (visitor.profile_state) visitor.profile_state(ProfileId(DecodeFixed64BE(k.data() + 1)), v);
    }
    return true;
  }));
  return bad;
}

Result<std::string> JourneyRecords::GetOrCreateSystemIdKey() {
  return GetOrCreateSecret(*db_, Cf::kJourneys, kSystemIdKey);
}

}  // namespace signpost::store
