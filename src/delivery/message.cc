#include "delivery/message.h"

namespace signpost::delivery {

nlohmann::json MessageToJson(const Message& m) {
  nlohmann::json j = MessageSummaryJson(m);
  j["profile"] = m.profile;
  j["vars"] = m.vars;
  j["entry_event"] = m.entry_event;
  j["entry_properties"] = m.entry_properties;
  j["entered_at"] = m.entered_at;
  j["subject"] = m.subject;
  j["created_at"] = m.created_at;
  j["holdout"] = m.holdout;
  return j;
}

nlohmann::json MessageSummaryJson(const Message& m) {
  return {{"key", m.key},
          {"journey", m.journey},
          {"version", m.version},
          {"entry", m.entry},
          {"step", m.step},
          {"channel", m.channel},
          {"template", m.template_id},
          {"identity", m.identity},
          {"to", m.to}};
}

Result<Message> MessageFromJson(const nlohmann::json& j) {
  try {
    Message m;
    m.key = j.at("key").get<std::string>();
    m.journey = JourneyId(j.at("journey").get<std::string>());
    m.version = j.at("version").get<uint64_t>();
    m.profile = j.at("profile").get<uint64_t>();
    m.entry = j.at("entry").get<uint32_t>();
    m.step = j.at("step").get<std::string>();
    m.channel = j.at("channel").get<std::string>();
    m.template_id = j.at("template").get<std::string>();
    m.identity = j.at("identity").get<std::string>();
    m.to = j.at("to").get<std::string>();
    m.vars = j.at("vars");
    // Records written before these fields kept them inside vars.
    m.entry_event = j.value("entry_event", std::string());
    m.entry_properties = j.value("entry_properties", std::string("{}"));
    m.entered_at = j.value("entered_at", TimeMs{0});
    m.subject = j.at("subject").get<std::string>();
    m.created_at = j.at("created_at").get<TimeMs>();
    m.holdout = j.at("holdout").get<bool>();
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("outbox message record: ") + e.what());
  }
}

}  // namespace signpost::delivery
