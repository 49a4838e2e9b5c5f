#include "identity/records.h"

#include <fmt/format.h>

#include "store/coding.h"

namespace signpost::identity {

using store::GetLengthPrefixed;
using store::GetSignedVarint64;
using store::GetVarint64;
using store::PutLengthPrefixed;
using store::PutSignedVarint64;
using store::PutVarint64;

std::string RefusedMerge::Describe() const {
  return fmt::format(
      "refused to link {} (userId '{}') with {} (userId '{}'): a profile holds one userId "
      "({} messageId '{}', seq {})",
      identity, user, other, other_user, event_type, message_id, seq);
}

std::string EncodeMerge(const MergeRecord& m) {
  std::string out;
  PutVarint64(out, m.from.value());
  PutVarint64(out, m.to.value());
  PutVarint64(out, m.seq);
  PutSignedVarint64(out, m.at);
  return out;
}

bool DecodeMerge(std::string_view key, std::string_view value, MergeRecord& m) {
  uint64_t from = 0, to = 0;
  if (key.size() != 8 || !GetVarint64(value, from) || !GetVarint64(value, to) ||
      !GetVarint64(value, m.seq) || !GetSignedVarint64(value, m.at) || !value.empty()) {
    return false;
  }
  m.ordinal = store::DecodeFixed64BE(key.data());
  m.from = ProfileId(from);
  m.to = ProfileId(to);
  return true;
}

std::string EncodeRefused(const RefusedMerge& r) {
  std::string out;
  PutLengthPrefixed(out, r.identity);
  PutLengthPrefixed(out, r.other);
  PutLengthPrefixed(out, r.user);
  PutLengthPrefixed(out, r.other_user);
  PutLengthPrefixed(out, r.message_id);
  PutLengthPrefixed(out, r.event_type);
  PutVarint64(out, r.seq);
  PutSignedVarint64(out, r.at);
  return out;
}

bool DecodeRefused(std::string_view key, std::string_view value, RefusedMerge& r) {
  std::string_view identity, other, user, other_user, message_id, type;
  if (key.size() != 8 || !GetLengthPrefixed(value, identity) || !GetLengthPrefixed(value, other) ||
      !GetLengthPrefixed(value, user) || !GetLengthPrefixed(value, other_user) ||
      !GetLengthPrefixed(value, message_id) || !GetLengthPrefixed(value, type) ||
      !GetVarint64(value, r.seq) || !GetSignedVarint64(value, r.at) || !value.empty()) {
    return false;
  }
  r.ordinal = store::DecodeFixed64BE(key.data());
  r.identity = identity;
  r.other = other;
  r.user = user;
  r.other_user = other_user;
  r.message_id = message_id;
  r.event_type = type;
  return true;
}

}  // namespace signpost::identity
