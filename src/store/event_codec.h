// The compact binary encoding of a stored Event (the value in the events column family; the seq is
// the key, not repeated here). Times are zig-zag varints, strings are length-prefixed, and the
// frequent "{}" of an absent nested object is stored as an empty string.
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "signpost/event.h"

namespace signpost::store {

// Appends the encoding of `event` (all fields but seq) to `out`.
void EncodeEvent(const Event& event, std::string& out);

// Decodes `in` into `event` (seq is left unchanged: the caller sets it from the key).
// Returns false when `in` is not a valid encoding (truncated, unknown version or type).
bool DecodeEvent(std::string_view in, Event& event);

// The message id of an encoded event without decoding the rest (a view into `in`); false when
// `in` is malformed before the message id.
bool DecodeMessageId(std::string_view in, std::string_view& message_id);

}  // namespace signpost::store
