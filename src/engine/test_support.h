// The one setup of the engine-level tests: a new data folder, an Engine opened on it with a
// ManualClock, and the folder removed afterwards. Use it as the test's base class:
//   class MyTest : public EngineFixture<> {};                       // TEST_F
//   class MyScenario : public EngineFixture<::testing::TestWithParam<std::string>> {};
// Members keep the names every engine test uses: dir_, clock_, engine_. Also the one event factory
// of the engine tests: TrackEvent / IdentifyEvent build an Event, SegmentBody writes it as the body
// of an HTTP ingest call, and the fixture's Track / Identify / Ingest number the message ids and
// ingest. Not thread-safe (a test fixture); the Engine itself is.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "signpost/engine.h"
#include "signpost/event.h"
#include "wire/wire.h"

namespace signpost {

// A track event of `who` (a userId, or "anon:<id>" for an anonymousId) named `name` at `at` (the
// event time and the receive time), with `properties` and the message id `message_id`.
inline Event TrackEvent(std::string_view who, std::string_view name, TimeMs at,
                        const nlohmann::json& properties = nlohmann::json::object(),
                        std::string message_id = "") {
  Event e;
  e.type = EventType::kTrack;
  if (who.rfind("anon:", 0) == 0) {
    e.anonymous_id = who.substr(5);
  } else {
    e.user_id = who;
  }
  e.event = name;
  e.timestamp = e.received_at = at;
  e.properties = properties.dump();
  e.message_id = std::move(message_id);
  return e;
}

// An identify of `who` (as TrackEvent) at `at` setting `traits`. To link an anonymous id to a
// user, set the result's anonymous_id too.
inline Event IdentifyEvent(std::string_view who, TimeMs at,
                           const nlohmann::json& traits = nlohmann::json::object(),
                           std::string message_id = "") {
  Event e = TrackEvent(who, "", at, nlohmann::json::object(), std::move(message_id));
  e.type = EventType::kIdentify;
  e.traits = traits.dump();
  return e;
}

// `e` as the Segment-spec body Engine::IngestHttp takes: type, userId / anonymousId, event (a
// track), timestamp, and messageId, properties and traits when not empty.
inline nlohmann::json SegmentBody(const Event& e) {
  nlohmann::json body = {{"type", std::string(EventTypeName(e.type))},
                         {"timestamp", FormatIso8601(e.timestamp)}};
  if (!e.user_id.empty()) body["userId"] = e.user_id;
  if (!e.anonymous_id.empty()) body["anonymousId"] = e.anonymous_id;
  if (!e.message_id.empty()) body["messageId"] = e.message_id;
  if (e.type == EventType::kTrack) body["event"] = e.event;
  if (e.properties != "{}") body["properties"] = nlohmann::json::parse(e.properties);
  if (e.traits != "{}") body["traits"] = nlohmann::json::parse(e.traits);
  return body;
}

// The events of a profile as the HTTP API writes them (src/wire), for tests that read their
// properties.
inline std::vector<nlohmann::json> EventsJson(const ProfileEventList& list) {
  std::vector<nlohmann::json> out;
  for (const Event& e : list.events) out.push_back(wire::ToJson(e));
  return out;
}

template <class Base = ::testing::Test>
class EngineFixture : public Base {
 protected:
  // A new folder, the clock at StartAt(), and the engine open (unless OpenAtSetUp() says not).
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("signpost-test-" + std::to_string(std::random_device{}()) + "-" +
            std::to_string(std::random_device{}()));
    clock_.Set(*ParseIso8601(StartAt()));
    if (OpenAtSetUp()) {
      ASSERT_NO_FATAL_FAILURE(Open());
    }
  }
  void TearDown() override {
    engine_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    for (const auto& d : more_dirs_) std::filesystem::remove_all(d, ignored);
  }

  // Where the clock starts; override for another start.
  virtual std::string StartAt() const { return "2026-11-24T12:00:00Z"; }
  // Whether SetUp opens the engine (a test that must set files up first returns false).
  virtual bool OpenAtSetUp() const { return true; }
  // The options every open uses: this folder, this clock, no fsync (no power cut in a test).
  virtual EngineOptions Options() const {
    EngineOptions o;
    o.data_dir = dir_.string();
    o.clock = &clock_;
    o.sync = false;
    return o;
  }

  // Opens the engine (closing the open one first), with Options() changed by `tweak`.
  void Open(const std::function<void(EngineOptions&)>& tweak = {}) {
    engine_.reset();
    EngineOptions o = Options();
    if (tweak) tweak(o);
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }
  // Closes and opens the same folder again, as a restart does.
  void Reopen() { Open(); }
  // Another new data folder (for a second engine, or to move dir_ to), removed after the test.
  std::filesystem::path NewFolder() {
    more_dirs_.push_back(dir_.string() + "-" + std::to_string(more_dirs_.size() + 1));
    return more_dirs_.back();
  }
  // A second engine on `dir` with this fixture's options for that folder changed by `tweak`;
  // nullptr (and a test failure) when it does not open.
  std::unique_ptr<Engine> OpenAt(const std::filesystem::path& dir,
                                 const std::function<void(EngineOptions&)>& tweak = {}) {
    EngineOptions o = Options();
    o.data_dir = dir.string();
    if (tweak) tweak(o);
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  // TrackEvent / IdentifyEvent with the next message id of this test ("m1", "m2", ...).
  Event Track(std::string_view who, std::string_view name, TimeMs at,
              const nlohmann::json& properties = nlohmann::json::object()) {
    return TrackEvent(who, name, at, properties, "m" + std::to_string(++messages_));
  }
  Event Identify(std::string_view who, TimeMs at,
                 const nlohmann::json& traits = nlohmann::json::object()) {
    return IdentifyEvent(who, at, traits, "m" + std::to_string(++messages_));
  }
  // Ingests `events` as the engine's own caller does (Engine::IngestEvents); every one must be
  // accepted.
  void Ingest(std::vector<Event> events) {
    auto r = engine_->IngestEvents(std::move(events));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->rejections.empty()) << r->rejections.front().reason;
  }
  // Applies the definition `yaml` (Engine::Apply, note "test"); it must be accepted.
  void Apply(std::string_view yaml) {
    auto r = engine_->Apply(yaml, "test");
    ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << yaml;
  }
  // Sets the journey `id` live.
  void Live(std::string_view id) {
    auto r = engine_->SetJourneyState(id, "live");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  // A new write key's token.
  std::string WriteKey() {
    auto k = engine_->CreateKey("write", "test");
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? k->token : "";
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::unique_ptr<Engine> engine_;

 private:
  std::vector<std::filesystem::path> more_dirs_;
  int messages_ = 0;
};

}  // namespace signpost
