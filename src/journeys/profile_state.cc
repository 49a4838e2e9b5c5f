#include "journeys/profile_state.h"

namespace signpost::journeys {

using nlohmann::json;

nlohmann::json ToJson(const ProfileState& s) {
  json journeys = json::object();
  for (const auto& [id, js] : s.journeys) {
    json j = {{"n", js.entries}, {"le", js.last_entered}, {"lx", js.last_exited}};
    if (js.active) {
      const Instance& i = *js.active;
      json corr = json::array();
      for (const auto& [k, v] : i.correlation) corr.push_back({k, v});
      j["a"] = {{"e", i.entry},
                {"v", i.version},
                {"s", i.step},
                {"at", i.entered_at},
                {"ss", i.step_since},
                {"due", i.due},
                {"h", i.holdout},
                {"q", i.quiet_wait},
                {"ev", i.entry_event},
                {"p", i.entry_properties},
                {"c", corr},
                {"m", i.messages},
                {"k", i.last_message_key},
                {"o", i.last_opened},
                {"cl", i.last_clicked},
                {"var", i.variant}};
    }
    journeys[id.value()] = std::move(j);
  }
  json out = {{"j", journeys}, {"s", s.sends}};
  if (!s.watches.empty()) {
    json w = json::array();
    for (const auto& [id, due] : s.watches) w.push_back({id.value(), due});
    out["w"] = std::move(w);
  }
  return out;
}

ProfileState ProfileStateFromJson(const nlohmann::json& j) {
  ProfileState s;
  if (j.contains("s")) s.sends = j["s"].get<std::vector<TimeMs>>();
  if (j.contains("w") && j["w"].is_array()) {
    for (const auto& w : j["w"]) {
      if (w.is_array() && w.size() == 2 && w[0].is_string() && w[1].is_number_integer())
        s.watches.emplace_back(JourneyId(w[0].get<std::string>()), w[1].get<TimeMs>());
    }
  }
  if (!j.contains("j")) return s;
  for (const auto& [id, v] : j["j"].items()) {
    JourneyState js;
    js.entries = v.value("n", 0u);
    js.last_entered = v.value("le", TimeMs{0});
    js.last_exited = v.value("lx", TimeMs{0});
    if (v.contains("a")) {
      const json& a = v["a"];
      Instance i;
      i.entry = a.value("e", 0u);
      i.version = a.value("v", uint64_t{0});
      i.step = a.value("s", 0);
      i.entered_at = a.value("at", TimeMs{0});
      i.step_since = a.value("ss", TimeMs{0});
      i.due = a.value("due", TimeMs{0});
      i.holdout = a.value("h", false);
      i.quiet_wait = a.value("q", false);
      i.entry_event = a.value("ev", std::string());
      i.entry_properties = a.value("p", std::string("{}"));
      if (a.contains("c")) {
        for (const auto& c : a["c"])
          i.correlation.emplace_back(c[0].get<std::string>(), c[1].get<std::string>());
      }
      i.messages = a.value("m", 0u);
      i.last_message_key = a.value("k", std::string());
      i.last_opened = a.value("o", false);
      i.last_clicked = a.value("cl", false);
      i.variant = a.value("var", std::string());
      js.active = std::move(i);
    }
    s.journeys.emplace(JourneyId(id), std::move(js));
  }
  return s;
}

}  // namespace signpost::journeys
