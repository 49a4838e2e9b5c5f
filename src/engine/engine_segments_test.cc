// Segments through a real Engine on a temp folder and a ManualClock (EngineFixture): the scenario
// files of tests/scenarios/segments (events + definitions + evaluation times + expected members),
// one test per file, then the engine-level rules those files cannot show (reopen, funnels' segment
// filter, listings).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "base/time.h"
#include "engine/test_support.h"
#include "signpost/engine.h"
#include "store/store.h"
#include "tests/support/scenario.h"
#include "tests/support/scenario_events.h"

namespace signpost {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A time of the scenario syntax (tests/scenarios/README.md) on 2024-01-01; a bad one fails.
TimeMs At(const std::string& text) {
  return scenario::TimeOrFail(text, *ParseIso8601(scenario::kDefaultBase));
}

// A YAML node on one line (flow style), as a definition text.
std::string OneLine(const YAML::Node& n) {
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << n;
  return e.c_str();
}

// The engine opens only once a test has written its static lists, without the delivery thread.
class SegmentsEngineTest : public EngineFixture<> {
 protected:
  std::string StartAt() const override { return "2024-01-01T00:00:00Z"; }
  bool OpenAtSetUp() const override { return false; }
  EngineOptions Options() const override {
    EngineOptions o = EngineFixture::Options();
    o.delivery_thread = false;
    return o;
  }
  // (Re)opens the engine on the folder; `load_index` false as the CLI opens it.
  void Open(bool load_index = true) {
    EngineFixture::Open([&](EngineOptions& o) { o.load_index = load_index; });
  }
  // Static lists are written to the store before the engine opens (no public API writes them
  // except saving funnel people).
  void PutStatic(const std::string& name, const std::vector<std::string>& identities) {
    store::StoreOptions so;
    so.dir = dir_.string();
    so.sync = false;
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    ASSERT_TRUE((*st)->segments().Put(name, identities, "test", 0).ok());
  }
  // Members of `name` now, each named by its user: identity (else its first).
  std::vector<std::string> Members(const std::string& name) {
    auto r = engine_->Segment(SegmentId(name));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const SegmentMember& m : r->members) {
      std::string shown = m.identities.at(0);
      for (const auto& id : m.identities) {
        if (id.rfind("user:", 0) == 0) shown = id;
      }
      out.push_back(shown);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> SegmentsOf(const std::string& identity) {
    auto r = engine_->SegmentsOf(identity);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const SegmentId& s : r->segments) out.push_back(s.value());
    }
    return out;
  }
};

// One test per file of tests/scenarios/segments (format in its README).
class SegmentScenarioTest : public SegmentsEngineTest,
                            public ::testing::WithParamInterface<std::string> {};

SIGNPOST_SCENARIO_FILES(SegmentScenarioTest, "segments", 7);

TEST_P(SegmentScenarioTest, Holds) {
  const YAML::Node doc = scenario::Load("segments", GetParam());
  ASSERT_TRUE(doc["description"]) << "every scenario says what it shows";
  if (doc["statics"]) {
    for (const auto& kv : doc["statics"]) {
      PutStatic(kv.first.Scalar(), kv.second.as<std::vector<std::string>>());
    }
  }
  Open();
  if (!engine_) return;
  for (const auto& def : doc["segments"]) Apply(OneLine(def));
  auto parsed = scenario::ParseEvents(doc["events"], *ParseIso8601(scenario::kDefaultBase),
                                      "segments/" + GetParam());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  std::vector<Event> events;
  std::set<std::string> identities;
  for (const auto& e : *parsed) {
    Event ev = e.ToEvent();
    ev.message_id = "m" + std::to_string(events.size() + 1);
    if (!e.user.empty()) identities.insert(UserIdentity(e.user));
    if (!e.anon.empty()) identities.insert(AnonymousIdentity(e.anon));
    events.push_back(std::move(ev));
  }
  Ingest(std::move(events));
  for (const auto& x : doc["expect"]) {
    const std::string name = x["segment"].Scalar();
    clock_.Set(At(x["at"].Scalar()));
    std::vector<std::string> want = x["members"].as<std::vector<std::string>>();
    std::sort(want.begin(), want.end());
    EXPECT_EQ(Members(name), want) << name << " at " << x["at"].Scalar();
    // The per-profile answer agrees with the listing.
    for (const auto& id : identities) {
      auto of = engine_->SegmentsOf(id);
      ASSERT_TRUE(of.ok()) << of.status().ToString();
      const auto& names = of->segments;
      bool listed = std::find(names.begin(), names.end(), SegmentId(name)) != names.end();
      bool member = false;
      auto seg = engine_->Segment(SegmentId(name));
      ASSERT_TRUE(seg.ok()) << seg.status().ToString();
      for (const auto& i : seg->identities) member = member || i == id;
      EXPECT_EQ(listed, member) << id << " in " << name << " at " << x["at"].Scalar();
    }
  }
  for (const auto& x : doc["rejects"]) {
    auto r = engine_->Apply(OneLine(x["definition"]), "");
    ASSERT_FALSE(r.ok()) << OneLine(x["definition"]);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(x["error"].Scalar()));
  }
}

TEST_F(SegmentsEngineTest, RuleSegmentsSurviveReopenWithTheirVersion) {
  Open();
  Apply("kind: segment\nid: buyers\nrule: { event: Buy }");
  Apply("kind: segment\nid: buyers\nname: Buyers\nrule: { event: Buy, count: { gte: 2 } }");
  Apply("kind: segment\nid: not-buyers\nrule: { not: { segment: buyers } }");
  Ingest({Track("1", "Buy", At("10:00"))});
  clock_.Set(At("11:00"));
  Open();
  auto list = engine_->ListSegments();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->segments.size(), 2u);
  const SegmentSummary& buyers = list->segments[0];
  EXPECT_EQ(buyers.name, "buyers");
  EXPECT_EQ(buyers.type, SegmentType::kRule);
  EXPECT_EQ(buyers.version, 2u);
  EXPECT_EQ(buyers.title, "Buyers");
  EXPECT_EQ(buyers.rule.count.at(0), ">= 2");
  EXPECT_EQ(Members("buyers"), std::vector<std::string>{});
  EXPECT_EQ(Members("not-buyers"), std::vector<std::string>{"user:1"});
  // The reference is still checked after reopening.
  auto cycle = engine_->Apply("kind: segment\nid: buyers\nrule: { segment: not-buyers }", "");
  ASSERT_FALSE(cycle.ok());
  EXPECT_THAT(cycle.status().message(), HasSubstr("buyers -> not-buyers -> buyers"));
}

TEST_F(SegmentsEngineTest, ListingShowsBothKindsWithTriggers) {
  PutStatic("imported", {"user:9"});
  Open();
  Apply(
      "kind: segment\nid: active\nrule: { any: [ { event: Login, within: 7d }, "
      "{ trait: { plan: pro } }, { segment: imported } ] }");
  auto list = engine_->ListSegments();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->segments.size(), 2u);
  const SegmentSummary& active = list->segments[0];
  EXPECT_EQ(active.triggers.events, std::vector<std::string>{"Login"});
  EXPECT_TRUE(active.triggers.traits);
  EXPECT_TRUE(active.triggers.time);
  EXPECT_TRUE(active.triggers.is_static);
  EXPECT_EQ(list->segments[1].type, SegmentType::kStatic);
  auto one = engine_->Segment(SegmentId("imported"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->identities.size(), 1u);
  auto missing = engine_->Segment(SegmentId("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  // A rule may not take a static list's name.
  auto clash = engine_->Apply("kind: segment\nid: imported\nrule: { event: A }", "");
  ASSERT_FALSE(clash.ok());
  EXPECT_THAT(clash.status().message(), HasSubstr("already a static segment"));
}

TEST_F(SegmentsEngineTest, FunnelSegmentFilterAcceptsARuleSegment) {
  Open();
  Apply("kind: segment\nid: pros\nrule: { trait: { plan: pro } }");
  std::vector<Event> events;
  for (const char* user : {"1", "2"}) {
    events.push_back(
        Identify(user, At("09:00"), {{"plan", std::string(user) == "1" ? "pro" : "free"}}));
    for (const char* name : {"A", "B"}) events.push_back(Track(user, name, At("10:00")));
  }
  Ingest(std::move(events));
  clock_.Set(At("12:00"));
  FunnelQuery q;
  q.steps = "A>B";
  auto all = engine_->Funnel(q);
  q.segment = SegmentId("pros");
  auto pros = engine_->Funnel(q);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_TRUE(pros.ok()) << pros.status().ToString();
  EXPECT_EQ(all->steps[1].count, 2u);
  EXPECT_EQ(pros->steps[1].count, 1u);
}

TEST_F(SegmentsEngineTest, MembersAreFoundWithoutTheAnalyticsIndex) {
  Open();
  Apply("kind: segment\nid: buyers\nrule: { event: Buy }");
  Ingest({Track("anon:a1", "Buy", At("10:00")), Track("2", "Browse", At("10:00"))});
  Open(/*load_index=*/false);  // profiles come from a scan of the events
  clock_.Set(At("11:00"));
  EXPECT_EQ(Members("buyers"), std::vector<std::string>{"anon:a1"});
}

TEST_F(SegmentsEngineTest, SegmentsOfAnUnknownProfileIsNotFound) {
  Open();
  auto r = engine_->SegmentsOf("nobody");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

TEST_F(SegmentsEngineTest, AnImportedListSuppressesAJourneyAtOnceAndKeepsUnknownIds) {
  Open();
  auto first = engine_->ImportSegment(SegmentId("do-not-contact"), {"user:nobody"}, "start");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->version, 1u);
  EXPECT_EQ(first->unknown, std::vector<std::string>{"user:nobody"});
  Apply(R"(kind: journey
id: winback
entry: { event: Cart Abandoned }
suppress: [do-not-contact]
steps:
  - { id: wait-1d, wait: { for: 1d } }
)");
  Live("winback");
  std::vector<Event> carts;
  for (const char* user : {"u1", "u2"}) carts.push_back(Track(user, "Cart Abandoned", At("10:00")));
  carts.push_back(Track("anon:ghost-1", "Browse", At("10:00")));
  clock_.Set(At("10:00"));
  Ingest(carts);
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  auto exits = [this](const std::string& user) {
    std::vector<std::string> out;
    auto r = engine_->ProfileEvents(user, 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return out;
    for (const auto& e : EventsJson(*r)) {
      if (e.value("event", "") == "Journey Exited")
        out.push_back(e["properties"].value("reason", ""));
    }
    return out;
  };
  EXPECT_TRUE(exits("u1").empty());

  // u1 (a bare userId), a known anonymous id, and two ids no profile has yet; duplicates once.
  clock_.Set(At("11:00"));
  auto r = engine_->ImportSegment(SegmentId("do-not-contact"),
                                  {" u1 ", "user:u1", "ghost-1", "user:later", "anon:never"},
                                  "support list");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 2u);
  EXPECT_FALSE(r->add);  // replace
  EXPECT_EQ(r->imported, 4u);
  EXPECT_EQ(r->members, 4u);
  EXPECT_EQ(r->known, 2u);
  EXPECT_EQ(r->unknown_count, 2u);
  EXPECT_EQ(r->unknown, (std::vector<std::string>{"user:later", "anon:never"}));
  EXPECT_EQ(r->note, "support list");
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  EXPECT_EQ(exits("u1"), std::vector<std::string>{"suppressed"});  // at once, not after the wait
  EXPECT_TRUE(exits("u2").empty());
  auto seg = engine_->Segment(SegmentId("do-not-contact"));
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ(seg->identities,
            (std::vector<std::string>{"user:u1", "anon:ghost-1", "user:later", "anon:never"}));

  // An unknown id counts once its profile exists.
  Ingest({Track("later", "Browse", At("11:30"))});
  EXPECT_EQ(SegmentsOf("later"), std::vector<std::string>{"do-not-contact"});

  // --add keeps the current list.
  auto added = engine_->ImportSegment(SegmentId("do-not-contact"), {"u2"}, "", /*add=*/true);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->members, 5u);
  EXPECT_EQ(added->note, "imported 1 ids");
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  EXPECT_EQ(exits("u2"), std::vector<std::string>{"suppressed"});

  // Refused: a rule segment's name, an id that names no one.
  Apply("kind: segment\nid: buyers\nrule: { event: Buy }");
  auto rule = engine_->ImportSegment(SegmentId("buyers"), {"u1"}, "");
  ASSERT_EQ(rule.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(rule.status().message(), HasSubstr("'buyers' is a rule segment"));
  auto bad = engine_->ImportSegment(SegmentId("x"), {"u1", "user:"}, "");
  ASSERT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("ids[1]"));
  EXPECT_EQ(engine_->Segment(SegmentId("x")).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace signpost
