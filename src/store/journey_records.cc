#include "store/journey_records.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

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

constexpr char kPartitionJourneyPrefix = 'J';
constexpr std::string_view kPartitionsKey = "partitions";

std::string JourneyKey(const JourneyId& journey, uint32_t partition) {
  std::string k(1, partition == 0 ? kJourneyPrefix : kPartitionJourneyPrefix);
  if (partition != 0) {
    for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>(partition >> shift));
  }
  k.append(journey.value());
  return k;
}

std::string PartitionKey(std::string_view key, uint32_t partition) {
  return partition == 0 ? std::string(key) : fmt::format("{}/{}", key, partition);
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
                                      std::string_view bytes, uint32_t partition) const {
  batch.Put(Cf::kJourneys, JourneyKey(journey, partition), bytes);
}

void JourneyRecords::DeleteJourneyStatus(Batch& batch, const JourneyId& journey,
                                         uint32_t partition) const {
  batch.Delete(Cf::kJourneys, JourneyKey(journey, partition));
}

void JourneyRecords::PutCursor(Batch& batch, uint64_t seq, uint32_t partition) const {
  batch.Put(Cf::kJourneys, PartitionKey(kCursorKey, partition), std::to_string(seq));
}

void JourneyRecords::DeleteCursor(Batch& batch, uint32_t partition) const {
  batch.Delete(Cf::kJourneys, PartitionKey(kCursorKey, partition));
}

void JourneyRecords::PutMerges(Batch& batch, uint64_t ordinal, uint32_t partition) const {
  batch.Put(Cf::kJourneys, PartitionKey(kMergesKey, partition), std::to_string(ordinal));
}

void JourneyRecords::DeleteMerges(Batch& batch, uint32_t partition) const {
  batch.Delete(Cf::kJourneys, PartitionKey(kMergesKey, partition));
}

void JourneyRecords::PutPartitions(Batch& batch, uint32_t partitions) const {
  batch.Put(Cf::kJourneys, kPartitionsKey, std::to_string(partitions));
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
  // "cursor" / "cursor/<k>" (and the same for "merges"): the partition, or nullopt for another key.
  auto partition_of = [](std::string_view k, std::string_view key) -> std::optional<uint32_t> {
    if (k == key) return 0;
    if (k.size() <= key.size() + 1 || k.substr(0, key.size()) != key || k[key.size()] != '/')
      return std::nullopt;
    uint64_t n = 0;
    if (!ParseDecimal(k.substr(key.size() + 1), n) || n == 0 || n > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(n);
  };
  auto in_partition = [](uint32_t partition, const std::function<void(uint32_t, uint64_t)>& fn) {
    return std::function<void(uint64_t)>([&fn, partition](uint64_t n) {
      if (fn) fn(partition, n);
    });
  };
  SP_RETURN_IF_ERROR(db_->Scan(Cf::kJourneys, "", "", [&](std::string_view k, std::string_view v) {
    if (auto p = partition_of(k, kCursorKey)) return number(k, v, in_partition(*p, visitor.cursor));
    if (auto p = partition_of(k, kMergesKey)) return number(k, v, in_partition(*p, visitor.merges));
    if (k == kPartitionsKey) {
      return number(k, v, [&](uint64_t n) {
        if (visitor.partitions) visitor.partitions(static_cast<uint32_t>(std::max<uint64_t>(n, 1)));
      });
    }
    if (k.empty()) return true;
    if (k[0] == kJourneyPrefix) {
      if (visitor.journey_status) visitor.journey_status(0, JourneyId(k.substr(1)), v);
    } else if (k[0] == kPartitionJourneyPrefix) {
      if (k.size() < 5) {
        bad = Status::Corruption("a journey status has a key without a partition");
        return false;
      }
      uint32_t partition = 0;
      for (size_t i = 1; i < 5; ++i) partition = (partition << 8) | static_cast<uint8_t>(k[i]);
      if (visitor.journey_status) visitor.journey_status(partition, JourneyId(k.substr(5)), v);
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

Result<uint32_t> JourneyRecords::Partitions() const {
  SP_ASSIGN_OR_RETURN(std::optional<std::string> v, db_->Get(Cf::kJourneys, kPartitionsKey));
  if (!v) return 0u;
  uint64_t n = 0;
  if (!ParseDecimal(*v, n) || n == 0 || n > UINT32_MAX)
    return Status::Corruption("the journeys' partitions record is not a number of partitions");
  return static_cast<uint32_t>(n);
}

Result<std::string> JourneyRecords::GetOrCreateSystemIdKey() {
  return GetOrCreateSecret(*db_, Cf::kJourneys, kSystemIdKey);
}

}  // namespace signpost::store
