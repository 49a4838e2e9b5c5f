// delivery::Message: one message of one journey step for one profile entry, as the journey runtime
// hands it to the outbox. The outbox stores it durably under `key`; the same key twice is one
// message, so the runtime may hand it over again after a crash.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "signpost/clock.h"
#include "signpost/ids.h"
#include "signpost/status.h"

namespace signpost::delivery {

struct Message {
  // Idempotency key: "<journey>/<version>/<profile>/<entry>/<step>". Sent to providers (webhook
  // header `Idempotency-Key`, email `Message-ID`) so a re-send after a crash is recognizable.
  std::string key;
  JourneyId journey;
  uint64_t version = 0;
  uint64_t profile = 0;  // ProfileId value
  uint32_t entry = 0;    // 1-based entry number of the profile in the journey
  std::string step;      // step id
  std::string channel;   // a channel id: "email", "sms", "push", "webhook", "file", or a user's own
  std::string template_id;
  std::string identity;  // "user:42" or "anon:x": system events are recorded under it
  std::string to;        // the address (email, phone, push token); "" for webhook and file
  // Personalization values for the template: {"traits": {...}, "event": {"name", "properties"},
  // "entry": {"properties": {...}, "at"}, "journey": {"id", "step", "version"}} (render.h
  // MessageVars). The runtime leaves it empty and fills the entry fields below; delivery adds the
  // traits as of created_at. A value given here wins over what those would make.
  nlohmann::json vars = nlohmann::json::object();
  std::string entry_event;  // the name of the event that entered the profile ("" for a segment)
  std::string entry_properties = "{}";  // its properties, as JSON text
  TimeMs entered_at = 0;
  std::string subject;    // the step's subject override ("" = the template's), itself a template
  TimeMs created_at = 0;  // event time at which the runtime sent it
  bool holdout = false;   // never true in the outbox: holdout members get nothing (documented here)
};

// The message as a JSON object (every field, by name); and back. MessageFromJson fails with
// kCorruption when a field is missing or of the wrong type.
nlohmann::json MessageToJson(const Message& m);
// What identifies the message to people and providers: {key, journey, version, entry, step,
// channel, template, identity, to} (no vars).
nlohmann::json MessageSummaryJson(const Message& m);
Result<Message> MessageFromJson(const nlohmann::json& j);

}  // namespace signpost::delivery
