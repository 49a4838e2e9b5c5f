// Multi-path reporting's counts on a hand-made funnel: the sequences between two steps (with
// truncation, collapsed repeats and the "other" bucket), the any_of alternatives and the optional
// step's with/without completion. Every expected number is worked out in the comments from the
// events below.
#include "analytics/funnel_paths.h"

#include <gtest/gtest.h>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

constexpr const char* kPathsFunnel = R"(kind: funnel
id: p
steps:
  - event: Signed Up
  - name: Connected
    any_of:
      - { event: Integration Connected }
      - { event: Data Imported, where: { properties.rows: { ">": 0 } } }
  - { event: Invited, optional: true }
  - event: Activated
)";

std::vector<std::string> PathNames(std::initializer_list<const char*> names) {
  return std::vector<std::string>(names.begin(), names.end());
}

class FunnelPathsTest : public ::testing::Test {
 protected:
  void Add(uint64_t profile, TimeMs minute, std::string name, std::string props = "{}") {
    Event e = TrackEvent(events_.size() + 1, minute * 60'000, std::move(name), std::move(props));
    events_.push_back(e);
    index_.Add(ProfileId(profile), e);
  }
  void Build() {
    // 1: Browse x2, Integration Connected, Invited, Activated (alt 1, invited, completes)
    for (auto [m, n] : {std::pair{0, "Signed Up"},
                        {1, "Browse"},
                        {2, "Browse"},
                        {3, "Integration Connected"},
                        {4, "Invited"},
                        {5, "Activated"}})
      Add(1, m, n);
    // 2: Docs, Data Imported rows 5, Activated (alt 2, completes)
    Add(2, 0, "Signed Up");
    Add(2, 1, "Docs");
    Add(2, 2, "Data Imported", R"({"rows":5})");
    Add(2, 3, "Activated");
    // 3: Browse, Integration Connected, then nothing (alt 1, drops at step 2)
    Add(3, 0, "Signed Up");
    Add(3, 1, "Browse");
    Add(3, 2, "Integration Connected");
    // 4: an identify (skipped), Data Imported with 0 rows (fills nothing), Help: drops at step 1
    Add(4, 0, "Signed Up");
    Event id;
    id.type = EventType::kIdentify;
    id.seq = events_.size() + 1;
    id.timestamp = 60'000;
    id.traits = R"({"plan":"pro"})";
    events_.push_back(id);
    index_.Add(ProfileId(4), id);
    Add(4, 2, "Data Imported", R"({"rows":0})");
    Add(4, 3, "Help");
    // 5: Data Imported rows 3, Invited (alt 2, invited, drops at step 2)
    Add(5, 0, "Signed Up");
    Add(5, 1, "Data Imported", R"({"rows":3})");
    Add(5, 2, "Invited");
    // 6: nothing after signing up
    Add(6, 0, "Signed Up");
    // 7: straight through without inviting
    Add(7, 0, "Signed Up");
    Add(7, 1, "Integration Connected");
    Add(7, 2, "Activated");
    // 8: Browse x2, Integration Connected, Activated 8 days later (after the 7-day window)
    Add(8, 0, "Signed Up");
    Add(8, 1, "Browse");
    Add(8, 2, "Browse");
    Add(8, 3, "Integration Connected");
    Add(8, 8 * 24 * 60, "Activated");
    // 9: Integration Connected, Invited, Activated
    Add(9, 0, "Signed Up");
    Add(9, 1, "Integration Connected");
    Add(9, 2, "Invited");
    Add(9, 3, "Activated");
  }
  Result<FunnelPathsReport> Run(PathOptions po, int threads = 1) {
    testing::VectorPropertySource source(&events_);
    FunnelOptions options;
    options.threads = threads;
    return CountFunnelPaths(index_, *ParseFunnelDefinition(kPathsFunnel), options, po, &source);
  }
  EventIndex index_;
  std::vector<Event> events_;
};

TEST_F(FunnelPathsTest, SequencesAfterStepOneRankedWithOther) {
  Build();
  PathOptions po;
  po.step = 1;
  po.top = 3;
  auto r = Run(po);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Everyone entered; all but 4 and 6 reached Connected.
  EXPECT_EQ(r->reached, 9u);
  EXPECT_EQ(r->converted, 7u);
  EXPECT_EQ(r->next_name, "Connected");
  EXPECT_EQ(r->goal_name, "Activated");
  // [] : 5, 6, 7, 9 (6 dropped); [Browse, Browse]: 1, 8; [Browse]: 3; [Data Imported, Help]: 4
  // (the identify is skipped, rows 0 fills nothing); [Docs]: 2. Ties at 1 by text.
  EXPECT_EQ(r->distinct, 5u);
  ASSERT_EQ(r->sequences.size(), 3u);
  EXPECT_EQ(r->sequences[0].events, PathNames({}));
  EXPECT_EQ(r->sequences[0].people, 4u);
  EXPECT_EQ(r->sequences[0].converted, 3u);
  EXPECT_DOUBLE_EQ(r->sequences[0].share, 4.0 / 9);
  EXPECT_DOUBLE_EQ(r->sequences[0].conversion, 0.75);
  EXPECT_EQ(r->sequences[1].events, PathNames({"Browse", "Browse"}));
  EXPECT_EQ(r->sequences[1].people, 2u);
  EXPECT_EQ(r->sequences[1].converted, 2u);
  EXPECT_EQ(r->sequences[2].events, PathNames({"Browse"}));
  EXPECT_EQ(r->sequences[2].people, 1u);
  // other: 4 (dropped) and 2 (converted).
  EXPECT_EQ(r->other.people, 2u);
  EXPECT_EQ(r->other.converted, 1u);
  EXPECT_DOUBLE_EQ(r->other.conversion, 0.5);
}

TEST_F(FunnelPathsTest, CollapsedRepeatsAndTruncation) {
  Build();
  PathOptions po;
  po.collapse_repeats = true;
  auto r = Run(po);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Browse, Browse reads Browse: 1, 3, 8 all converted; ties with [] (4 people) broken by count.
  ASSERT_GE(r->sequences.size(), 2u);
  EXPECT_EQ(r->sequences[1].events, PathNames({"Browse"}));
  EXPECT_EQ(r->sequences[1].people, 3u);
  EXPECT_EQ(r->sequences[1].converted, 3u);

  po.collapse_repeats = false;
  po.max_length = 1;
  r = Run(po);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // [Browse …] (1, 8), [Browse] exactly (3), [Data Imported …] (4), [Docs] (2), [] (4 people).
  bool saw_more = false, saw_exact = false;
  for (const PathSequence& s : r->sequences) {
    if (s.events == PathNames({"Browse"}) && s.more) {
      saw_more = true;
      EXPECT_EQ(s.people, 2u);
    }
    if (s.events == PathNames({"Browse"}) && !s.more) {
      saw_exact = true;
      EXPECT_EQ(s.people, 1u);
    }
    EXPECT_LE(s.events.size(), 1u);
  }
  EXPECT_TRUE(saw_more);
  EXPECT_TRUE(saw_exact);
}

TEST_F(FunnelPathsTest, SequencesAfterStepTwoStopAtTheWindow) {
  Build();
  PathOptions po;
  po.step = 2;
  auto r = Run(po, 2);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Reached Connected: 1, 2, 3, 5, 7, 8, 9; Activated in the window: 1, 2, 7, 9.
  EXPECT_EQ(r->reached, 7u);
  EXPECT_EQ(r->converted, 4u);
  EXPECT_EQ(r->next_step, 4);
  // [] : 2, 3, 7, 8 (8's Activated is after the window: not in its sequence); [Invited]: 1, 5, 9.
  ASSERT_EQ(r->sequences.size(), 2u);
  EXPECT_EQ(r->sequences[0].events, PathNames({}));
  EXPECT_EQ(r->sequences[0].people, 4u);
  EXPECT_EQ(r->sequences[0].converted, 2u);
  EXPECT_EQ(r->sequences[1].events, PathNames({"Invited"}));
  EXPECT_EQ(r->sequences[1].people, 3u);
  EXPECT_EQ(r->sequences[1].converted, 2u);
  EXPECT_EQ(r->other.people, 0u);
}

TEST_F(FunnelPathsTest, AnyOfAlternativesAndOptionalStep) {
  Build();
  auto r = Run(PathOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->any_of.size(), 1u);
  const AnyOfBreakdown& b = r->any_of[0];
  EXPECT_EQ(b.step, 2);
  EXPECT_EQ(b.next_step, 4);
  EXPECT_EQ(b.people, 7u);
  ASSERT_EQ(b.alternatives.size(), 2u);
  // Integration Connected: 1, 3, 7, 8, 9; on to Activated: 1, 7, 9.
  EXPECT_EQ(b.alternatives[0].label, "Integration Connected");
  EXPECT_EQ(b.alternatives[0].people, 5u);
  EXPECT_EQ(b.alternatives[0].converted, 3u);
  EXPECT_EQ(b.alternatives[0].completed, 3u);
  EXPECT_DOUBLE_EQ(b.alternatives[0].share, 5.0 / 7);
  // Data Imported with rows > 0: 2, 5; on: 2.
  EXPECT_EQ(b.alternatives[1].label, "Data Imported where properties.rows > 0");
  EXPECT_EQ(b.alternatives[1].people, 2u);
  EXPECT_EQ(b.alternatives[1].converted, 1u);
  EXPECT_DOUBLE_EQ(b.alternatives[1].conversion, 0.5);
  // Optional Invited after Connected: with 1, 5, 9 (1, 9 complete); without 2, 3, 7, 8 (2, 7).
  ASSERT_EQ(r->optional.size(), 1u);
  const OptionalStepEffect& e = r->optional[0];
  EXPECT_EQ(e.step, 3);
  EXPECT_EQ(e.after_step, 2);
  EXPECT_EQ(e.with, 3u);
  EXPECT_EQ(e.with_completed, 2u);
  EXPECT_EQ(e.without, 4u);
  EXPECT_EQ(e.without_completed, 2u);
  EXPECT_DOUBLE_EQ(e.difference, 2.0 / 3 - 0.5);
}

// The alternatives' people add up to the funnel report's count of the step (any_attempt, one
// attempt a person), and a segment restricts every part.
TEST_F(FunnelPathsTest, AlternativesAddUpToTheStepCountAndSegmentRestricts) {
  Build();
  testing::VectorPropertySource source(&events_);
  auto def = *ParseFunnelDefinition(kPathsFunnel);
  auto report = RunFunnel(index_, def, {}, &source);
  ASSERT_TRUE(report.ok());
  auto r = Run(PathOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->any_of[0].people, report->steps[1].count);
  EXPECT_EQ(r->reached, report->steps[0].count);
  FunnelOptions options;
  options.segment = std::vector<ProfileId>{ProfileId(1), ProfileId(6)};
  auto seg = CountFunnelPaths(index_, def, options, PathOptions{}, &source);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ(seg->reached, 2u);
  EXPECT_EQ(seg->converted, 1u);
  EXPECT_EQ(seg->any_of[0].people, 1u);
}

TEST_F(FunnelPathsTest, RefusesBadBoundsAndSteps) {
  Build();
  PathOptions po;
  po.step = 4;  // the last required step
  EXPECT_EQ(Run(po).status().code(), Code::kInvalidArgument);
  po.step = 3;  // optional
  EXPECT_EQ(Run(po).status().code(), Code::kInvalidArgument);
  po.step = 1;
  po.max_length = 0;
  EXPECT_EQ(Run(po).status().code(), Code::kInvalidArgument);
  po.max_length = kMaxPathLength + 1;
  EXPECT_EQ(Run(po).status().code(), Code::kInvalidArgument);
  po.max_length = 5;
  po.top = kMaxPathTop + 1;
  EXPECT_EQ(Run(po).status().code(), Code::kInvalidArgument);
}

// Bounded memory: past max_distinct, new sequences are counted in other and untracked; the ones
// already kept stay exact.
TEST_F(FunnelPathsTest, DistinctCapCountsTheRestInOther) {
  Build();
  PathOptions po;
  po.max_distinct = 2;
  auto r = Run(po);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->distinct, 2u);
  uint64_t listed = 0;
  for (const PathSequence& s : r->sequences) listed += s.people;
  EXPECT_EQ(listed + r->other.people, 9u);
  EXPECT_EQ(r->other.people, r->untracked);
  EXPECT_GT(r->untracked, 0u);
}

}  // namespace
}  // namespace signpost::analytics
