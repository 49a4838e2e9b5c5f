#include "analytics/step_drivers.h"

#include <gtest/gtest.h>

#include "analytics/test_support.h"

namespace signpost::analytics {
namespace {

using testing::TrackEvent;

const StepDriver* FindDriver(const StepDriverCounts& r, const std::string& kind,
                             const std::string& event, const std::string& value = "") {
  for (const StepDriver& d : r.candidates)
    if (d.kind == kind && d.event == event && d.value == value) return &d;
  return nullptr;
}

Event Identify(uint64_t seq, TimeMs ts, std::string traits) {
  Event e;
  e.type = EventType::kIdentify;
  e.seq = seq;
  e.timestamp = ts;
  e.traits = std::move(traits);
  return e;
}

class StepDriversTest : public ::testing::Test {
 protected:
  void Add(uint64_t profile, Event e) {
    events_.push_back(e);
    index_.Add(ProfileId(profile), e);
  }
  void Build() {
    const TimeMs day = kDayMs;
    uint64_t s = 0;
    // 1: Help before converting (counts); 2: Help only after converting (must not count);
    // 3: Help, dropped; 4: nothing, dropped; 5: Help after the 7-day window (must not count);
    // 6: never entered.
    Add(1, TrackEvent(++s, 1000, "A", R"({"plan":"pro"})"));
    Add(1, TrackEvent(++s, 2000, "Help"));
    Add(1, TrackEvent(++s, 3000, "B"));
    Add(2, Identify(++s, 500, R"({"tier":"gold"})"));
    Add(2, TrackEvent(++s, 1000, "A", R"({"plan":"pro"})"));
    Add(2, TrackEvent(++s, 3000, "B"));
    Add(2, TrackEvent(++s, 4000, "Help"));
    Add(3, TrackEvent(++s, 1000, "A", R"({"plan":"free"})"));
    Add(3, TrackEvent(++s, 2000, "Help"));
    Add(3, Event(TrackEvent(++s, 2500, "Message Delivered", R"({"journey":"j","step":"s1"})")));
    Add(4, Identify(++s, 500, R"({"tier":"gold"})"));
    Add(4, TrackEvent(++s, 1000, "A", R"({"plan":"free"})"));
    Add(4,
        Identify(++s, 1500, R"({"tier":"silver"})"));  // after step 1: the value as of it is gold
    Add(5, TrackEvent(++s, 1000, "A"));
    Add(5, TrackEvent(++s, 1000 + 8 * day, "Help"));
    Add(6, TrackEvent(++s, 1000, "Help"));
  }
  EventIndex index_;
  std::vector<Event> events_;
};

TEST_F(StepDriversTest, CountsOnlyTheExposureBeforeConversionOrWithinTheWindow) {
  Build();
  testing::VectorPropertySource source(&events_);
  DriverCandidates cand;
  cand.properties.push_back(*rules::ParsePropertyPath("properties.plan"));
  cand.traits.push_back(*rules::ParsePropertyPath("traits.tier"));
  cand.segments.push_back({"odd", std::vector<uint8_t>(index_.SlotCount(), 0)});
  for (ProfileId p : {ProfileId(1), ProfileId(3), ProfileId(5)})
    cand.segments[0].slots[static_cast<size_t>(index_.SlotOf(p))] = 1;
  auto r = CountStepDrivers(index_, *ParseAdHocFunnel("A>B"), {}, 1, false, cand, &source);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->reached, 5u);
  EXPECT_EQ(r->converted, 2u);
  const StepDriver* help = FindDriver(*r, "event", "Help");
  ASSERT_NE(help, nullptr);
  EXPECT_EQ(help->converted_with, 1u);     // person 1 (person 2's Help came after B)
  EXPECT_EQ(help->dropped_with, 1u);       // person 3 (person 5's came after the window)
  EXPECT_EQ(help->converted_without, 1u);  // person 2
  EXPECT_EQ(help->dropped_without, 2u);    // persons 4, 5
  // The target step's event is never inside a converter's exposure.
  EXPECT_EQ(FindDriver(*r, "event", "B"), nullptr);
  const StepDriver* pro = FindDriver(*r, "property", "A", "pro");
  ASSERT_NE(pro, nullptr);
  EXPECT_EQ(pro->path, "properties.plan");
  EXPECT_EQ(pro->converted_with, 2u);
  EXPECT_EQ(pro->dropped_with, 0u);
  const StepDriver* free = FindDriver(*r, "property", "A", "free");
  ASSERT_NE(free, nullptr);
  EXPECT_EQ(free->dropped_with, 2u);
  const StepDriver* gold = FindDriver(*r, "trait", "", "gold");
  ASSERT_NE(gold, nullptr);  // persons 2 and 4, as of their step-1 event
  EXPECT_EQ(gold->converted_with, 1u);
  EXPECT_EQ(gold->dropped_with, 1u);
  EXPECT_EQ(FindDriver(*r, "trait", "", "silver"), nullptr);
  const StepDriver* message = FindDriver(*r, "message", "j/s1");
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->dropped_with, 1u);
  const StepDriver* odd = FindDriver(*r, "segment", "", "odd");
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(odd->converted_with, 1u);
  EXPECT_EQ(odd->dropped_with, 2u);
}

TEST_F(StepDriversTest, SegmentRestrictsThePopulationAndStepsAreChecked) {
  Build();
  FunnelOptions options;
  options.segment = std::vector<ProfileId>{ProfileId(1), ProfileId(4)};
  DriverCandidates cand;
  cand.messages = false;
  auto r = CountStepDrivers(index_, *ParseAdHocFunnel("A>B"), options, 1, false, cand, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->reached, 2u);
  EXPECT_EQ(r->converted, 1u);
  EXPECT_FALSE(
      CountStepDrivers(index_, *ParseAdHocFunnel("A>B"), {}, 2, false, cand, nullptr).ok());
  EXPECT_FALSE(
      CountStepDrivers(index_, *ParseAdHocFunnel("A>B"), {}, 0, false, cand, nullptr).ok());
}

TEST_F(StepDriversTest, ToGoalAndMaxValues) {
  uint64_t s = 0;
  // A>B>C: the goal is C. 40 people with 40 distinct plans; half reach C.
  for (uint64_t p = 1; p <= 40; ++p) {
    Add(p, TrackEvent(++s, 1000, "A", "{\"plan\":\"p" + std::to_string(p % 25) + "\"}"));
    Add(p, TrackEvent(++s, 2000, "B"));
    if (p % 2 == 0) Add(p, TrackEvent(++s, 3000, "C"));
  }
  testing::VectorPropertySource source(&events_);
  DriverCandidates cand;
  cand.properties.push_back(*rules::ParsePropertyPath("properties.plan"));
  cand.max_values = 10;
  auto r = CountStepDrivers(index_, *ParseAdHocFunnel("A>B>C"), {}, 1, true, cand, &source);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->target, 2);
  EXPECT_EQ(r->reached, 40u);
  EXPECT_EQ(r->converted, 20u);
  EXPECT_EQ(r->values_dropped, 15u);  // 25 values, 10 kept
  int plans = 0;
  for (const StepDriver& d : r->candidates) plans += d.kind == "property" ? 1 : 0;
  EXPECT_EQ(plans, 10);
  // B happens before C for everyone: present in every exposure.
  const StepDriver* b = FindDriver(*r, "event", "B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->converted_with + b->dropped_with, 40u);
}

TEST(StepDrivers, ThreadsAgree) {
  EventIndex index;
  uint64_t seq = 0;
  for (uint64_t p = 1; p <= 6000; ++p) {
    const TimeMs t = static_cast<TimeMs>(p);
    index.Add(ProfileId(p), TrackEvent(++seq, t, "A"));
    if (p % 3 == 0) index.Add(ProfileId(p), TrackEvent(++seq, t + 5, "Tip"));
    if (p % 2 == 0) index.Add(ProfileId(p), TrackEvent(++seq, t + 10, "B"));
  }
  index.Seal();
  DriverCandidates cand;
  FunnelOptions one, two;
  one.threads = 1;
  two.threads = 2;
  auto a = CountStepDrivers(index, *ParseAdHocFunnel("A>B"), one, 1, false, cand, nullptr);
  auto b = CountStepDrivers(index, *ParseAdHocFunnel("A>B"), two, 1, false, cand, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->candidates.size(), b->candidates.size());
  for (size_t i = 0; i < a->candidates.size(); ++i) {
    EXPECT_EQ(a->candidates[i].converted_with, b->candidates[i].converted_with);
    EXPECT_EQ(a->candidates[i].dropped_with, b->candidates[i].dropped_with);
  }
  const StepDriver* tip = nullptr;
  for (const StepDriver& d : b->candidates)
    if (d.event == "Tip") tip = &d;
  ASSERT_NE(tip, nullptr);
  EXPECT_EQ(tip->converted_with, 1000u);  // multiples of 6
  EXPECT_EQ(tip->dropped_with, 1000u);    // odd multiples of 3
}

}  // namespace
}  // namespace signpost::analytics
