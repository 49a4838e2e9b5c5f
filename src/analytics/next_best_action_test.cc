#include "analytics/next_best_action.h"

#include <gtest/gtest.h>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

const ActionCounts* FindAction(const NextBestActionCounts& r, const std::string& journey,
                               const std::string& step = "") {
  for (const ActionCounts& a : r.actions)
    if (a.journey == journey && a.step == step) return &a;
  return nullptr;
}

class NextBestActionCountTest : public ::testing::Test {
 protected:
  void Add(uint64_t profile, Event e) {
    events_.push_back(e);
    index_.Add(ProfileId(profile), e);
  }
  static std::string Entered(const char* journey, bool holdout) {
    return std::string(R"({"journey":")") + journey + R"(","holdout":)" +
           (holdout ? "true" : "false") + "}";
  }
  void AtB(uint64_t p) {
    Add(p, TrackEvent(++seq_, 1000, "A"));
    Add(p, TrackEvent(++seq_, 2000, "B"));
  }
  void Build() {
    // 1: treated in j, sent j/s1, converted. 2: held out of j, dropped. 3: treated in j, dropped.
    AtB(1);
    Add(1, TrackEvent(++seq_, 3000, "Journey Entered", Entered("j", false)));
    Add(1, TrackEvent(++seq_, 3000, "Message Delivered", R"({"journey":"j","step":"s1"})"));
    Add(1, TrackEvent(++seq_, 4000, "C"));
    AtB(2);
    Add(2, TrackEvent(++seq_, 3000, "Journey Entered", Entered("j", true)));
    AtB(3);
    Add(3, TrackEvent(++seq_, 3000, "Journey Entered", Entered("j", false)));
    // 4: entered j at step 1 (before B): not at the step. 5: entered after reaching C.
    Add(4, TrackEvent(++seq_, 1000, "A"));
    Add(4, TrackEvent(++seq_, 1500, "Journey Entered", Entered("j", false)));
    Add(4, TrackEvent(++seq_, 2000, "B"));
    Add(4, TrackEvent(++seq_, 4000, "C"));
    AtB(5);
    Add(5, TrackEvent(++seq_, 2500, "C"));
    Add(5, TrackEvent(++seq_, 3000, "Journey Entered", Entered("j", false)));
    // 6: entered after the 7-day window of its attempt.
    AtB(6);
    Add(6, TrackEvent(++seq_, 1000 + 8 * kDayMs, "Journey Entered", Entered("j", true)));
    // 7: held out of j, entered twice (the first entry counts), converted; its second entry's
    // message (impossible live, a holdout is sent nothing) does not make it treated.
    AtB(7);
    Add(7, TrackEvent(++seq_, 3000, "Journey Entered", Entered("j", true)));
    Add(7, TrackEvent(++seq_, 3500, "Journey Entered", Entered("j", false)));
    Add(7, TrackEvent(++seq_, 3600, "Message Delivered", R"({"journey":"j","step":"s1"})"));
    Add(7, TrackEvent(++seq_, 4000, "C"));
    // 8: treated in k, converted.
    AtB(8);
    Add(8, TrackEvent(++seq_, 3000, "Journey Entered", Entered("k", false)));
    Add(8, TrackEvent(++seq_, 4000, "C"));
  }
  EventIndex index_;
  std::vector<Event> events_;
  uint64_t seq_ = 0;
};

TEST_F(NextBestActionCountTest, CountsEntriesAtTheStepByGroupAndSegment) {
  Build();
  testing::VectorPropertySource source(&events_);
  std::vector<uint8_t> seg(index_.SlotCount(), 0);
  for (uint64_t p : {1, 2}) seg[static_cast<size_t>(index_.SlotOf(ProfileId(p)))] = 1;
  auto r = CountNextBestActions(index_, *ParseAdHocFunnel("A>B>C"), {}, 2, {seg}, &source);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->step, 1);
  EXPECT_EQ(r->target, 2);
  ASSERT_EQ(r->at_step.size(), 2u);
  EXPECT_EQ(r->at_step[0], 5u);  // 1, 2, 3, 7, 8
  EXPECT_EQ(r->at_step[1], 2u);  // 1, 2
  const ActionCounts* j = FindAction(*r, "j");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->cells[0].treated, 2u);  // 1, 3
  EXPECT_EQ(j->cells[0].treated_converted, 1u);
  EXPECT_EQ(j->cells[0].holdout, 2u);  // 2, 7
  EXPECT_EQ(j->cells[0].holdout_converted, 1u);
  EXPECT_EQ(j->cells[1].treated, 1u);
  EXPECT_EQ(j->cells[1].treated_converted, 1u);
  EXPECT_EQ(j->cells[1].holdout, 1u);
  EXPECT_EQ(j->cells[1].holdout_converted, 0u);
  const ActionCounts* s1 = FindAction(*r, "j", "s1");
  ASSERT_NE(s1, nullptr);
  EXPECT_EQ(s1->cells[0].treated, 1u);  // 1 only (7 is held out of j)
  EXPECT_EQ(s1->cells[0].treated_converted, 1u);
  EXPECT_EQ(s1->cells[0].holdout, 2u);  // j's held-out people
  EXPECT_EQ(s1->cells[0].holdout_converted, 1u);
  const ActionCounts* k = FindAction(*r, "k");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->cells[0].treated, 1u);
  EXPECT_EQ(k->cells[0].holdout, 0u);
  EXPECT_EQ(k->cells[1].treated, 0u);
  EXPECT_EQ(r->actions.size(), 3u);
}

TEST_F(NextBestActionCountTest, StepMustHaveANextRequiredStep) {
  Build();
  testing::VectorPropertySource source(&events_);
  EXPECT_FALSE(CountNextBestActions(index_, *ParseAdHocFunnel("A>B>C"), {}, 3, {}, &source).ok());
  EXPECT_FALSE(CountNextBestActions(index_, *ParseAdHocFunnel("A>B>C"), {}, 0, {}, &source).ok());
}

}  // namespace
}  // namespace signpost::analytics
