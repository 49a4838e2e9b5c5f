// What every fuzz target checks on top of "no crash, no sanitizer report".
#pragma once

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>

#include "ingest/parsed_events.h"

namespace signpost::fuzz {

// Aborts (a finding) with `what` when `ok` is false.
inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

// Every event is complete: a messageId, a person, the fields its type needs, sane JSON objects;
// every rejection says where and why.
inline void CheckParsed(const ingest::ParsedEvents& parsed) {
  for (const Event& e : parsed.events) {
    Check(!e.message_id.empty(), "event without messageId");
    Check(!e.user_id.empty() || !e.anonymous_id.empty(), "event without userId/anonymousId");
    Check(e.type != EventType::kTrack || !e.event.empty(), "track without event");
    Check(e.type != EventType::kAlias || !e.previous_id.empty(), "alias without previousId");
    Check(e.type != EventType::kGroup || !e.group_id.empty(), "group without groupId");
    for (const std::string* object : {&e.properties, &e.traits, &e.context, &e.integrations}) {
      Check(object->size() >= 2 && object->front() == '{' && object->back() == '}',
            "object field is not a JSON object");
    }
  }
  for (const Rejection& r : parsed.rejections) {
    Check(!r.location.empty(), "rejection without location");
    Check(!r.reason.empty(), "rejection without reason");
    // Field and reason go into JSON replies: they must be valid UTF-8 whatever the input.
    Check(simdjson::validate_utf8(r.field.data(), r.field.size()), "rejection field not UTF-8");
    Check(simdjson::validate_utf8(r.reason.data(), r.reason.size()), "rejection reason not UTF-8");
    Check(r.raw.size() <= ingest::kMaxRejectionRawBytes, "rejection raw text not cut");
  }
}

}  // namespace signpost::fuzz
