// Randomized checks of the attribution kernel's invariants on generated profiles: two journeys
// with the same goal (plus one with another goal), repeated entries, every exit reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "goals/attribution.h"

namespace signpost::goals {
namespace {

struct Generated {
  std::vector<std::string> text;  // owns what the events view
  std::vector<ProfileEvent> events;
};

Generated Generate(std::mt19937_64& rng) {
  static const char* kReasons[] = {"completed",  "journey_stopped", "journey_completed",
                                   "suppressed", "no_consent",      "merged"};
  static const char* kJourneys[] = {"a", "b", "c"};
  Generated g;
  g.text.reserve(200);
  uint64_t seq = 0;
  auto add = [&](TimeMs t, std::string name, std::string props) {
    g.text.push_back(std::move(name));
    std::string_view n = g.text.back();
    g.text.push_back(std::move(props));
    g.events.push_back({t, ++seq, n, g.text.back(), ""});
  };
  for (const char* j : kJourneys) {
    TimeMs t = static_cast<TimeMs>(rng() % (2 * kDayMs));
    for (uint32_t entry = 1, n = 1 + rng() % 3; entry <= n; ++entry) {
      std::string key =
          std::string(R"("journey":")") + j + R"(","version":1,"entry":)" + std::to_string(entry);
      add(t, "Journey Entered", "{" + key + "}");
      if (rng() % 4 == 0) break;  // still active
      t += static_cast<TimeMs>(rng() % (3 * kDayMs));
      add(t, "Journey Exited", "{" + key + R"(,"reason":")" + kReasons[rng() % 6] + "\"}");
      t += static_cast<TimeMs>(rng() % (5 * kDayMs));
    }
  }
  for (int h = 0, n = static_cast<int>(rng() % 6); h < n; ++h) {
    add(static_cast<TimeMs>(rng() % (20 * kDayMs)), rng() % 2 ? "Order Completed" : "Form Sent",
        "{}");
  }
  return g;
}

// True when `t` is in the window of `entry` (the kernel's rule, restated).
bool InWindow(const EntryRecord& e, TimeMs t, DurationMs listening) {
  if (t < e.entered_at) return false;
  if (!e.exited_at || t <= *e.exited_at) return true;
  return ExitListens(e.exit_reason) && t - *e.exited_at <= listening;
}

TEST(AttributionProperty, CreditsAreUniqueInsideTheirWindowAndIndependentOfArrivalOrder) {
  auto goal = [](const char* event) {
    return *ParseGoal(YAML::Load(std::string("{ type: custom, met_when: ") + event + " }"), "goal");
  };
  std::vector<JourneyGoal> journeys = {{JourneyId("a"), goal("Order Completed"), 3 * kDayMs},
                                       {JourneyId("b"), goal("Order Completed"), kDayMs},
                                       {JourneyId("c"), goal("Form Sent"), 3 * kDayMs}};
  std::mt19937_64 rng(42);
  size_t credited = 0;
  for (int profile = 0; profile < 2000; ++profile) {
    Generated g = Generate(rng);
    std::vector<Credit> credits = AttributeProfile(journeys, g.events);
    std::vector<EntryRecord> entries = Entries(g.events);
    std::vector<ProfileEvent> shuffled = g.events;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::vector<Credit> again = AttributeProfile(journeys, shuffled);
    ASSERT_EQ(credits.size(), again.size()) << "profile " << profile;
    for (size_t i = 0; i < credits.size(); ++i) {
      const Credit& c = credits[i];
      EXPECT_EQ(c.journey, again[i].journey);
      EXPECT_EQ(c.hit_seq, again[i].hit_seq);
      EXPECT_EQ(c.entry, again[i].entry);
      if (i > 0) {
        EXPECT_NE(c.journey, credits[i - 1].journey) << "two credits for one journey";
      }
      const JourneyGoal& jg =
          *std::find_if(journeys.begin(), journeys.end(),
                        [&](const JourneyGoal& j) { return j.journey == c.journey; });
      EXPECT_EQ(c.hit_event, jg.goal.trigger.event);
      auto e = std::find_if(entries.begin(), entries.end(), [&](const EntryRecord& r) {
        return r.journey == c.journey && r.entry == c.entry;
      });
      ASSERT_NE(e, entries.end());
      EXPECT_TRUE(InWindow(*e, c.hit_at, jg.listening_window)) << "profile " << profile;
      // An active journey always takes a hit, so no earlier hit fell while this one was active.
      for (const ProfileEvent& ev : g.events) {
        if (ev.name != c.hit_event || ev.timestamp >= c.hit_at) continue;
        for (const EntryRecord& r : entries) {
          bool active = r.journey == c.journey && ev.timestamp >= r.entered_at &&
                        (!r.exited_at || ev.timestamp <= *r.exited_at);
          EXPECT_FALSE(active) << "an earlier hit inside an active window was skipped, profile "
                               << profile;
        }
      }
    }
    credited += credits.size();
  }
  EXPECT_GT(credited, 200u);  // the generator exercises real credits
}

}  // namespace
}  // namespace signpost::goals
