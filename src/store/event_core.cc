#include "store/event_core.h"

#include <fmt/format.h>

#include <vector>

#include "store/coding.h"
#include "store/column_families.h"
#include "store/event_chunk.h"
#include "store/store.h"

namespace signpost::store {

namespace {

// What event_codec.cc writes first: the codec version, the type, the flags of optional times.
constexpr char kCoreCodecVersion = 1;
constexpr uint8_t kCoreHasSentAt = 1;
constexpr uint8_t kCoreHasOriginalTimestamp = 2;

}  // namespace

bool DecodeEventCore(std::string_view in, EventCore& core) {
  if (in.size() < 3 || in[0] != kCoreCodecVersion) return false;
  const auto type = static_cast<uint8_t>(in[1]);
  if (type > static_cast<uint8_t>(EventType::kGroup)) return false;
  core.type = static_cast<EventType>(type);
  const auto flags = static_cast<uint8_t>(in[2]);
  in.remove_prefix(3);
  if (!GetSignedVarint64(in, core.timestamp)) return false;
  // received_at, then sent_at and original_timestamp when present.
  const int skip =
      1 + ((flags & kCoreHasSentAt) ? 1 : 0) + ((flags & kCoreHasOriginalTimestamp) ? 1 : 0);
  for (int i = 0; i < skip; ++i) {
    uint64_t ignored = 0;
    if (!GetVarint64(in, ignored)) return false;
  }
  std::string_view message_id;
  return GetLengthPrefixed(in, message_id) && GetLengthPrefixed(in, core.user_id) &&
         GetLengthPrefixed(in, core.anonymous_id) && GetLengthPrefixed(in, core.event);
}

Status ScanEventCoreChunks(const Store& store, uint64_t first, uint64_t last,
                           const std::function<bool(std::span<const EventCore>)>& fn) {
  if (first > last) return Status::Ok();
  Status bad = Status::Ok();
  std::vector<EventCore> cores;
  cores.reserve(kChunkEvents);
  SP_RETURN_IF_ERROR(store.db().ScanFromFloor(
      Cf::kEvents, U64Key(first),
      [&](std::string_view key, std::string_view value) {
        if (key.size() != 8) {
          bad = Status::Corruption("event chunk key cannot be decoded");
          return false;
        }
        const uint64_t start = DecodeFixed64BE(key.data());
        if (start > last) return false;
        if (value.empty()) {
          bad = Status::Corruption(fmt::format("event chunk {} cannot be decoded", start));
          return false;
        }
        cores.clear();
        bool more = true;
        for (uint64_t seq = start; !value.empty(); ++seq) {
          std::string_view record;
          if (!GetLengthPrefixed(value, record)) {
            bad = Status::Corruption(fmt::format("event chunk {} cannot be decoded", start));
            return false;
          }
          if (seq < first || IsHole(record)) continue;
          if (seq > last) {
            more = false;
            break;
          }
          EventCore& core = cores.emplace_back();
          if (!DecodeEventCore(record, core)) {
            bad = Status::Corruption(fmt::format("event record {} cannot be decoded", seq));
            return false;
          }
          core.seq = seq;
        }
        if (!cores.empty() && !fn(std::span<const EventCore>(cores))) return false;
        return more;
      },
      /*bulk=*/true));
  return bad;
}

Status ScanEventCores(const Store& store, uint64_t first, uint64_t last,
                      const std::function<bool(const EventCore&)>& fn) {
  return ScanEventCoreChunks(store, first, last, [&](std::span<const EventCore> cores) {
    for (const EventCore& core : cores) {
      if (!fn(core)) return false;
    }
    return true;
  });
}

}  // namespace signpost::store
