#include "analytics/funnel_query.h"

#include <gtest/gtest.h>

#include <thread>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

FunnelDefinition Steps(const char* text) { return *ParseAdHocFunnel(text); }

TEST(FunnelQuery, MergedIdentitiesFormOneJourney) {
  // Started on a phone (profile 1), finished on a laptop (profile 2); merged, one person converts.
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 1000, "A"));
  index.Add(ProfileId(2), TrackEvent(2, 2000, "B"));
  auto before = RunFunnel(index, Steps("A>B"), {}, nullptr);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->steps[1].count, 0u);
  ASSERT_TRUE(index.MergeProfiles(ProfileId(2), ProfileId(1)).ok());
  auto after = RunFunnel(index, Steps("A>B"), {}, nullptr);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->steps[0].count, 1u);
  EXPECT_EQ(after->steps[1].count, 1u);
}

TEST(FunnelQuery, ConcurrentQueriesAgree) {
  EventIndex index;
  uint64_t seq = 0;
  for (uint64_t p = 1; p <= 5000; ++p) {
    index.Add(ProfileId(p), TrackEvent(++seq, static_cast<TimeMs>(p), "A"));
    if (p % 2 == 0) index.Add(ProfileId(p), TrackEvent(++seq, static_cast<TimeMs>(p) + 10, "B"));
    if (p % 6 == 0) index.Add(ProfileId(p), TrackEvent(++seq, static_cast<TimeMs>(p) + 20, "C"));
  }
  index.Seal();
  FunnelDefinition def = Steps("A>B>C");
  std::vector<std::vector<uint64_t>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      FunnelOptions options;
      options.threads = 2;
      auto r = RunFunnel(index, def, options, nullptr);
      for (const auto& s : r->steps) results[t].push_back(s.count);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(results[t], (std::vector<uint64_t>{5000, 2500, 833}));
}

TEST(FunnelQuery, ReportCarriesDefinitionAndVersion) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 0, "A"));
  FunnelDefinition def = Steps("A>B");
  def.id = FunnelId("trial");
  FunnelOptions options;
  options.definition_version = 3;
  auto r = RunFunnel(index, def, options, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->definition_id, "trial");
  EXPECT_EQ(r->definition_version, 3);
  EXPECT_EQ(r->steps[0].count, 1u);
  EXPECT_EQ(r->steps[1].count, 0u);
  EXPECT_EQ(r->unit, "profiles");
}

TEST(FunnelQuery, ClearErrors) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 0, "A"));
  FunnelDefinition def = Steps("A>B");
  FunnelOptions options;
  options.attribution = *ParseAttribution("step:3");
  options.breakdown = "properties.x";
  EXPECT_EQ(RunFunnel(index, def, options, nullptr).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(ParseAttribution("middle").ok());
  // A condition on a property needs the property source.
  auto where = ParseFunnelDefinition("steps: [{ event: A, where: { properties.x: 1 } }, B]");
  ASSERT_TRUE(where.ok());
  EXPECT_EQ(RunFunnel(index, *where, {}, nullptr).status().code(), Code::kFailedPrecondition);
  PeopleQuery both;
  both.completed = 1;
  both.dropped_at = 1;
  EXPECT_EQ(FunnelPeople(index, def, {}, both, nullptr).status().code(), Code::kInvalidArgument);
  PeopleQuery last;
  last.dropped_at = 2;  // the last step: nobody can drop there
  EXPECT_EQ(FunnelPeople(index, def, {}, last, nullptr).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LastCompletedStep(index, def, {}, ProfileId(99), 0, nullptr).status().code(),
            Code::kNotFound);
  FunnelOptions backwards;
  backwards.from = 10;
  backwards.to = 5;
  EXPECT_EQ(RunFunnel(index, def, backwards, nullptr).status().code(), Code::kInvalidArgument);
}

TEST(FunnelQuery, UnknownEventNamesMatchNothing) {
  EventIndex index;
  index.Add(ProfileId(1), TrackEvent(1, 0, "A"));
  auto r = RunFunnel(index, Steps("Nope>A"), {}, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entered, 0u);
  EXPECT_EQ(r->conversion, 0.0);
}

}  // namespace
}  // namespace signpost::analytics

namespace signpost::analytics {
namespace {}  // namespace
}  // namespace signpost::analytics

namespace signpost::analytics {
namespace {

TEST(FunnelQuery, PropertyConditionsFollowMergedEvents) {
  std::vector<Event> stored = {TrackEvent(1, 100, "A", R"({"m":"link"})"),
                               TrackEvent(2, 200, "B", R"({"m":"code"})"),
                               TrackEvent(3, 300, "B", R"({"m":"sms"})")};
  testing::VectorPropertySource source(&stored);
  auto def = ParseFunnelDefinition("steps: [A, { event: B, where: { properties.m: code } }]");
  ASSERT_TRUE(def.ok());
  for (bool seal_first : {false, true}) {
    EventIndex index;
    index.Add(ProfileId(1), stored[0]);
    index.Add(ProfileId(2), stored[1]);
    index.Add(ProfileId(3), stored[2]);
    if (seal_first) index.Seal();
    ASSERT_TRUE(index.MergeProfiles(ProfileId(2), ProfileId(1)).ok());
    auto r = RunFunnel(index, *def, {}, &source);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->steps[1].count, 1u);
    ASSERT_TRUE(index.MergeProfiles(ProfileId(3), ProfileId(1)).ok());
    index.Seal();
    r = RunFunnel(index, *def, {}, &source);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->entered, 1u);
    EXPECT_EQ(r->steps[1].count, 1u);
    PeopleQuery q;
    q.completed = 2;
    q.now = 1000;
    auto people = FunnelPeople(index, *def, {}, q, &source);
    ASSERT_TRUE(people.ok());
    ASSERT_EQ(people->size(), 1u);
    EXPECT_EQ((*people)[0].profile, ProfileId(1));
    EXPECT_EQ((*people)[0].last_step_at, 200);
    EXPECT_EQ((*people)[0].stuck_ms, 800);
  }
}

}  // namespace
}  // namespace signpost::analytics

namespace signpost::analytics {
namespace {

// Issue 11: a funnel whose step has a regex over a 30,000-character value crashed the server
// (std::regex overflowed the stack). The step is matched by RE2 and counted.
TEST(FunnelQuery, RegexStepOverAHugeValueIsCounted) {
  const std::string huge(30'000, 'a');
  std::vector<Event> stored = {
      TrackEvent(1, 100, "A"), TrackEvent(2, 200, "B", R"({"email":")" + huge + R"(@gmail.com"})"),
      TrackEvent(3, 150, "A"), TrackEvent(4, 250, "B", R"({"email":")" + huge + R"("})")};
  testing::VectorPropertySource source(&stored);
  auto def = ParseFunnelDefinition(
      R"(steps: [A, { event: B, where: { properties.email: { regex: '^.*@gmail\.com$' } } }])");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EventIndex index;
  index.Add(ProfileId(1), stored[0]);
  index.Add(ProfileId(1), stored[1]);
  index.Add(ProfileId(2), stored[2]);
  index.Add(ProfileId(2), stored[3]);
  auto r = RunFunnel(index, *def, {}, &source);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->entered, 2u);
  EXPECT_EQ(r->steps[1].count, 1u);
}

}  // namespace
}  // namespace signpost::analytics
