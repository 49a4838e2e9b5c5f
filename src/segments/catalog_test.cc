// SegmentCatalog: evaluation as of a time on an in-memory profile, reference checks at Put, and
// the triggers the journey runtime re-evaluates on.
#include "segments/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace signpost::segments {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One profile held in memory.
class MemoryFacts final : public ProfileFacts {
 public:
  struct Ev {
    TimeMs ts;
    std::string name, props;
  };
  struct Trait {
    TimeMs ts;
    std::string name, json;
  };
  std::vector<Ev> events;     // in (timestamp, seq) order
  std::vector<Trait> traits;  // in (timestamp, seq) order
  std::set<std::string, std::less<>> statics;

  std::optional<std::string> TraitAt(std::string_view name, TimeMs at) const override {
    std::optional<std::string> v;
    for (const auto& t : traits) {
      if (t.ts <= at && t.name == name) v = t.json;
    }
    return v;
  }
  Status ForEachEvent(std::string_view event, TimeMs from, TimeMs to,
                      const std::function<bool(TimeMs, std::string_view)>& fn) const override {
    for (const auto& e : events) {
      if (e.name == event && e.ts >= from && e.ts <= to && !fn(e.ts, e.props)) break;
    }
    return Status::Ok();
  }
  bool InStaticSegment(const SegmentId& segment) const override {
    return statics.count(segment.value()) != 0;
  }
  // A funnel's completed steps: (time, step), in time order; the position as of `at` is the last
  // one at or before it.
  std::vector<std::pair<TimeMs, int>> steps;
  Result<FunnelFact> FunnelAt(const FunnelId& funnel, TimeMs at) const override {
    if (funnel != "onboarding") return Status::NotFound("no funnel");
    FunnelFact f;
    for (const auto& [t, step] : steps) {
      if (t <= at) f = {step, t};
    }
    return f;
  }
};

SegmentDefinition Def(std::string_view text) {
  auto d = ParseSegmentDefinition(text);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : SegmentDefinition{};
}

class CatalogTest : public ::testing::Test {
 protected:
  CatalogTest() : catalog_([](const SegmentId& s) { return s == "vip-list"; }) {}
  void Put(std::string_view text) {
    Status s = catalog_.Put(Def(text));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  bool In(std::string_view name, TimeMs at) {
    auto r = catalog_.IsMember(SegmentId(name), facts_, at);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }
  SegmentCatalog catalog_;
  MemoryFacts facts_;
};

TEST_F(CatalogTest, AWithinWindowIncludesBothEnds) {
  Put("kind: segment\nid: recent\nrule: { event: Buy, within: 1h }");
  facts_.events = {{1000, "Buy", "{}"}};
  EXPECT_FALSE(In("recent", 999));             // before the event: not yet
  EXPECT_TRUE(In("recent", 1000));             // at the event
  EXPECT_TRUE(In("recent", 1000 + kHourMs));   // exactly one hour later: still in
  EXPECT_FALSE(In("recent", 1001 + kHourMs));  // 1 ms past the window
}

TEST_F(CatalogTest, CountsOnlyEventsMeetingWhere) {
  Put("kind: segment\nid: big\nrule: { event: Buy, where: { properties.total: { gt: 10 } }, "
      "count: { gte: 2 } }");
  facts_.events = {{1, "Buy", R"({"total":20})"},
                   {2, "Buy", R"({"total":5})"},
                   {3, "Other", R"({"total":50})"},
                   {4, "Buy", R"({"total":11})"}};
  EXPECT_FALSE(In("big", 3));
  EXPECT_TRUE(In("big", 4));
}

TEST_F(CatalogTest, DidNotDoXInTheLastWeek) {
  Put("kind: segment\nid: quiet\nrule: { not: { event: Login, within: 7d } }");
  Put("kind: segment\nid: quiet2\nrule: { event: Login, within: 7d, count: { eq: 0 } }");
  facts_.events = {{0, "Login", "{}"}};
  for (const char* s : {"quiet", "quiet2"}) {
    EXPECT_FALSE(In(s, 7 * kDayMs)) << s;
    EXPECT_TRUE(In(s, 7 * kDayMs + 1)) << s;
  }
}

TEST_F(CatalogTest, TraitsAreReadAsOfTheTime) {
  Put("kind: segment\nid: pro\nrule: { trait: { plan: pro, seats: { gte: 5 } } }");
  facts_.traits = {{10, "plan", "\"pro\""}, {10, "seats", "5"}, {20, "plan", "\"free\""}};
  EXPECT_FALSE(In("pro", 9));
  EXPECT_TRUE(In("pro", 10));
  EXPECT_TRUE(In("pro", 19));
  EXPECT_FALSE(In("pro", 20));  // the later change is seen from its own timestamp on
}

TEST_F(CatalogTest, AllAnyNotAndReferencesCombine) {
  Put("kind: segment\nid: churned\nrule: { not: { event: Login, within: 30d } }");
  Put("kind: segment\nid: pro-not-churned\nrule:\n  all:\n    - trait: { plan: pro }\n"
      "    - not: { segment: churned }\n");
  Put("kind: segment\nid: either\nrule: { any: [ { segment: pro-not-churned }, { segment: vip-list "
      "} ] }");
  facts_.traits = {{0, "plan", "\"pro\""}};
  facts_.events = {{100, "Login", "{}"}};
  EXPECT_TRUE(In("pro-not-churned", 100));
  EXPECT_FALSE(In("pro-not-churned", 100 + 31 * kDayMs));
  EXPECT_FALSE(In("either", 100 + 31 * kDayMs));
  facts_.statics.insert("vip-list");
  EXPECT_TRUE(In("either", 100 + 31 * kDayMs));  // through the static list
}

TEST_F(CatalogTest, UnknownReferencesAreRejectedWithTheField) {
  Status s = catalog_.Put(Def("kind: segment\nid: a\nrule:\n  any:\n    - segment: nope\n"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("rule.any[0].segment (line 5): unknown segment 'nope'"));
  EXPECT_FALSE(catalog_.IsRule(SegmentId("a")));
  EXPECT_TRUE(catalog_.Put(Def("kind: segment\nid: b\nrule: { segment: vip-list }")).ok());
}

TEST_F(CatalogTest, CyclesAreRejectedAndNamed) {
  Put("kind: segment\nid: a\nrule: { event: X }");
  Put("kind: segment\nid: b\nrule: { segment: a }");
  Put("kind: segment\nid: c\nrule: { all: [ { segment: b } ] }");
  Status s = catalog_.Put(Def("kind: segment\nid: a\nrule: { not: { segment: c } }"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("a -> c -> b -> a"));
  Status self = catalog_.Put(Def("kind: segment\nid: d\nrule: { segment: d }"));
  EXPECT_THAT(self.message(), HasSubstr("d -> d"));
  EXPECT_EQ(catalog_.Get(SegmentId("a"))->rule.kind, Rule::Kind::kEvent);  // unchanged
}

TEST_F(CatalogTest, UnknownNameIsNotFound) {
  auto r = catalog_.IsMember(SegmentId("nope"), facts_, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

TEST_F(CatalogTest, TriggersFollowReferences) {
  Put("kind: segment\nid: a\nrule: { event: Buy, within: 7d }");
  Put("kind: segment\nid: b\nrule: { all: [ { segment: a }, { trait: { plan: pro } }, "
      "{ event: Login }, { segment: vip-list } ] }");
  Triggers t = catalog_.TriggersOf(SegmentId("b"));
  EXPECT_THAT(t.events, ElementsAre("Buy", "Login"));
  EXPECT_TRUE(t.traits);
  EXPECT_TRUE(t.time);
  EXPECT_TRUE(t.is_static);
  Triggers ta = catalog_.TriggersOf(SegmentId("a"));
  EXPECT_FALSE(ta.traits);
  EXPECT_FALSE(ta.is_static);
  EXPECT_TRUE(catalog_.TriggersOf(SegmentId("nope")).events.empty());
}

TEST_F(CatalogTest, TraitValuesOfEveryKindCompare) {
  Put("kind: segment\nid: t\nrule: { trait: { flag: true, n: { lt: 3 }, tags: { contains: b }, "
      "gone: { exists: false } } }");
  facts_.traits = {
      {0, "flag", "true"}, {0, "n", "2.5"}, {0, "tags", R"(["a","b"])"}, {0, "gone", "null"}};
  EXPECT_TRUE(In("t", 0));
}

// Step segments (issue 16): reached 2, not 3, stuck more than 2 days — as of a time, and the
// instant time alone changes it (NextTimeChange), for the journey runtime's watch.
TEST_F(CatalogTest, AFunnelRuleIsItsPositionAsOfATime) {
  Put("kind: segment\nid: stuck\nrule: { funnel: { id: onboarding, reached: 2, not_reached: 3, "
      "stuck_for: { gt: 2d } } }");
  Put("kind: segment\nid: wrapped\nrule: { all: [ { segment: stuck } ] }");
  facts_.steps = {{0, 1}, {kHourMs, 2}, {5 * kDayMs, 3}};
  EXPECT_FALSE(In("stuck", kHourMs));
  EXPECT_FALSE(In("stuck", kHourMs + 2 * kDayMs));     // exactly 2 days: not more
  EXPECT_TRUE(In("stuck", kHourMs + 2 * kDayMs + 1));  // 1 ms later
  EXPECT_TRUE(In("stuck", 5 * kDayMs - 1));
  EXPECT_FALSE(In("stuck", 5 * kDayMs));  // reached step 3: out
  auto next = catalog_.NextTimeChange(SegmentId("wrapped"), facts_, kHourMs);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, kHourMs + 2 * kDayMs + 1);
  next = catalog_.NextTimeChange(SegmentId("stuck"), facts_, kHourMs + 2 * kDayMs + 1);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());  // nothing more changes by time alone
  Triggers t = catalog_.TriggersOf(SegmentId("wrapped"));
  EXPECT_TRUE(t.time);
  EXPECT_THAT(t.funnels, ElementsAre(FunnelId("onboarding")));
}

TEST_F(CatalogTest, AFunnelRuleNamesItsFieldWhenBad) {
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::string>>{
           {"{ funnel: { reached: 2 } }", "rule.funnel.id"},
           {"{ funnel: { id: f } }", "give at least one of reached, not_reached, stuck_for"},
           {"{ funnel: { id: f, reached: 0 } }", "rule.funnel.reached"},
           {"{ funnel: { id: f, reached: 3, not_reached: 3 } }", "rule.funnel.not_reached"},
           {"{ funnel: { id: f, stuck_for: { gt: soon } } }", "rule.funnel.stuck_for.gt"},
           {"{ funnel: { id: f, stuck_for: { eq: 2d } } }", "expected gt, gte, lt or lte"},
           {"{ funnel: { id: f, reached: 1, steps: 2 } }", "steps"}}) {
    auto d = ParseSegmentDefinition("kind: segment\nid: s\nrule: " + text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_THAT(d.status().message(), HasSubstr(want)) << text;
  }
}

}  // namespace
}  // namespace signpost::segments
