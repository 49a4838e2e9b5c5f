// journeys_bench: the journey engine's throughput and latency (issue 4) and goal attribution's
// throughput (issue 5). There is no peer: nothing comparable runs journeys locally.
//
// 1. runtime: 100 live journeys (waits, messages, branches, splits, correlated waits, updates,
//    holdout, exclusion, suppression) over --profiles profiles; --events pre-generated InputEvents
//    in time order (about 8% triggers, 7% awaited/goal events, the rest irrelevant) driven through
//    journeys::Runtime as replay drives it (AdvanceTo before each event, Process when Interested),
//    with an in-memory Environment (consent and address traits, two segments). Reports events/s
//    over all events, entries, messages, timers fired, peak memory. Then the same stream over
//    --partitions runtimes on as many threads (default: the cores), each event routed to the
//    partition of its profile (journeys::PartitionOf) as the engine routes them, each partition
//    with its own Environment: events_per_second_1 and events_per_second_n, and a check that the
//    partitions decided exactly what the one runtime did.
// 2. goals: goals::AttributeProfile over the event histories (own events + the runtime's system
//    events) of every 10th profile, once per goal event of that profile, with the 100 journeys'
//    goals (10 shared goal events): what the live engine does per goal event.
// 3. latency: a real Engine on a temp folder (file channel, delivery thread, fsync on), 100 live
//    journeys whose first step is an email, events ingested through Engine::IngestEvents at a paced
//    rate; per trigger the time from the start of the ingest call to its line in the channel file.
//    The rate is half the maximum live ingest, measured first in the same run (the same engine
//    setup, unpaced); the journeys' backlog (queue, lag) is sampled from /metrics and its maximum
//    reported (max_journey_queue, max_journey_lag_events).
//
// Prints human-readable lines on stderr and one JSON line on stdout.
// 4. step segments (--only-step-segments): part 1's runtime over the same stream without and with
//    --step-segments live step segments (funnel rules kept current by events and by time, each
//    entering a join-later journey): the cost on events/s (RunStepSegments).
//
// Usage: journeys_bench [--profiles 1000000] [--events 5000000] [--partitions 0 (cores)]
//        [--latency-rate R (0 = half the maximum live ingest, measured first in the run)]
//        [--max-ingest-seconds 5] [--latency-seconds 10] [--skip-latency] [--seed 42]
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/funnel_query.h"
#include "base/system_events.h"
#include "base/time.h"
#include "goals/attribution.h"
#include "goals/goal_definition.h"
#include "journeys/partition.h"
#include "journeys/runtime.h"
#include "segments/catalog.h"
#include "segments/profile_facts.h"
#include "segments/segment_definition.h"
#include "signpost/engine.h"
#include "signpost/options.h"
#include "synthetic.h"

namespace {

using namespace signpost;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr TimeMs kT0 = 1'790'000'000'000;  // 2026-09-21
constexpr int kJourneys = 100;
constexpr int kTriggers = 50;  // journey k enters on trigger k % 50: two journeys per trigger
const char* const kGoalEvents[10] = {
    "Order Completed", "Subscription Started", "Plan Upgraded", "Feature Used", "Invite Sent",
    "Review Posted",   "Profile Completed",    "App Opened",    "Article Read", "Coupon Redeemed"};

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
long RssMb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE) / (1 << 20);
}
uint64_t Mix(uint64_t x) { return bench::SplitMix64(x); }
std::string TriggerName(int t) { return fmt::format("Trigger {:02}", t); }

// ---- the 100 journeys ---------------------------------------------------------------------------

// Journey k: five shapes in turn. `message_first`: every journey is shape 0 (the latency test).
std::string JourneyYaml(int k, bool message_first) {
  const int shape = message_first ? 0 : k % 5;
  const std::string goal = kGoalEvents[k % 10];
  std::string head = fmt::format(
      "kind: journey\nid: j{:03}\nname: Journey {}\nentry: {{ event: \"{}\"{} }}\n"
      "goal: {{ type: custom, met_when: {{ event: \"{}\" }} }}\n",
      k, k, TriggerName(k % kTriggers),
      shape == 1 ? ", where: { properties.value: { gt: 20 } }, reentry: after 1d" : "", goal);
  switch (shape) {
    case 0:  // welcome series
      return head +
             "steps:\n  - { id: m1, message: { channel: email, template: t-email } }\n"
             "  - { id: w1, wait: { for: 1d } }\n"
             "  - { id: m2, message: { channel: email, template: t-email2 } }\n";
    case 1:  // abandoned cart: wait, email, correlated wait with timeout, sms
      return head +
             "suppress: [buyers]\nsteps:\n  - { id: w1, wait: { for: 1h } }\n"
             "  - { id: m1, message: { channel: email, template: t-email } }\n"
             "  - id: w2\n    wait: { until_event: \"" +
             goal +
             "\", match: { properties.cart_id: \"{{entry.properties.cart_id}}\" }, timeout: 1d }\n"
             "    on_event: exit\n    on_timeout: m2\n"
             "  - { id: m2, message: { channel: sms, template: t-sms } }\n";
    case 2:  // branch on a trait, then a split
      return head +
             "exclude: [vip]\nsettings: { holdout: 10% }\nsteps:\n"
             "  - id: b1\n    branch:\n      - { if: { traits.plan: pro }, goto: mp }\n"
             "      - { else: s1 }\n"
             "  - id: s1\n    split: { variants: [ { id: A, weight: 50%, goto: ma }, { id: B, "
             "weight: 50%, goto: mb } ] }\n"
             "  - { id: ma, message: { channel: email, template: t-email }, next: end }\n"
             "  - { id: mb, message: { channel: push, template: t-push }, next: end }\n"
             "  - { id: mp, message: { channel: email, template: t-email2 } }\n";
    case 3:  // email, wait, update, branch on a segment
      return head +
             "steps:\n  - { id: m1, message: { channel: email, template: t-email } }\n"
             "  - { id: w1, wait: { for: 6h } }\n"
             "  - { id: u1, update: { traits: { nudged: true } } }\n"
             "  - id: b1\n    branch:\n      - { if: { segment: vip }, goto: end }\n"
             "      - { else: m2 }\n"
             "  - { id: m2, message: { channel: sms, template: t-sms } }\n";
    default:  // wait for the goal event with a short timeout
      return head + "steps:\n  - id: w1\n    wait: { until_event: \"" + goal +
             "\", timeout: 2h }\n"
             "    on_event: mt\n    on_timeout: mn\n"
             "  - { id: mn, message: { channel: push, template: t-push }, next: end }\n"
             "  - { id: mt, message: { channel: email, template: t-email } }\n";
  }
}

// ---- the in-memory world ------------------------------------------------------------------------

// Traits and segments as pure functions of the profile id.
struct World {
  static bool Consent(uint64_t p, std::string_view ch) {
    uint64_t h = Mix(p * 31 + 7);
    if (ch == "email") return h % 100 < 90;
    if (ch == "sms") return (h >> 8) % 100 < 70;
    if (ch == "push") return (h >> 16) % 100 < 60;
    return false;
  }
  static bool Pro(uint64_t p) { return (Mix(p * 31 + 7) >> 24) % 4 == 0; }
  static bool Vip(uint64_t p) { return (Mix(p * 31 + 7) >> 32) % 100 < 5; }
  static bool Buyer(uint64_t p) { return (Mix(p * 31 + 7) >> 40) % 100 < 3; }
};

// Part 4 (--step-segments N): N funnels over the stream's events, each with a live step segment
// (`funnel: {id: fK, reached: 2, not_reached: 3, stuck_for: {gt: 1d}}`) that a join-later
// journey enters on, evaluated as the engine does: the segment catalog's rule over each profile's
// position in the funnel as of the time asked (analytics::PositionAsOf on an EventIndex of the
// whole stream, which reads no event after that time).
std::string StepFunnelYaml(int k) {
  return fmt::format("kind: funnel\nid: f{}\nsteps: [\"{}\", \"{}\", \"{}\"]\n", k,
                     TriggerName((2 * k) % kTriggers), TriggerName((2 * k + 1) % kTriggers),
                     kGoalEvents[k % 10]);
}
std::string StepSegmentYaml(int k) {
  return fmt::format(
      "kind: segment\nid: stuck-{0}\nrule: {{ funnel: {{ id: f{0}, reached: 2, not_reached: 3, "
      "stuck_for: {{ gt: 1d }} }} }}\n",
      k);
}
std::string StepJourneyYaml(int k) {
  return fmt::format(
      "kind: journey\nid: stuck-{0}\nentry: {{ segment: stuck-{0}, join_later: true }}\n"
      "steps:\n  - {{ id: w1, wait: {{ for: 1h }} }}\n",
      k);
}

struct StepWorld {
  analytics::EventIndex index;
  std::map<FunnelId, analytics::FunnelDefinition, std::less<>> funnels;
  std::map<SegmentId, std::vector<std::string>, std::less<>> events;  // a segment's step events
  segments::SegmentCatalog catalog;
};

class StepFacts final : public segments::ProfileFacts {
 public:
  StepFacts(const StepWorld& w, ProfileId p) : w_(w), p_(p) {}
  std::optional<std::string> TraitAt(std::string_view, TimeMs) const override {
    return std::nullopt;
  }
  Status ForEachEvent(std::string_view, TimeMs, TimeMs,
                      const std::function<bool(TimeMs, std::string_view)>&) const override {
    return Status::Ok();
  }
  bool InStaticSegment(const SegmentId&) const override { return false; }
  Result<segments::FunnelFact> FunnelAt(const FunnelId& funnel, TimeMs at) const override {
    auto it = w_.funnels.find(funnel);
    if (it == w_.funnels.end()) return Status::NotFound(funnel.value());
    SP_ASSIGN_OR_RETURN(
        analytics::FunnelPosition pos,
        analytics::PositionAsOf(w_.index, it->second, analytics::FunnelOptions{}, p_, at, nullptr));
    return segments::FunnelFact{pos.last_step, pos.last_step_at};
  }

 private:
  const StepWorld& w_;
  ProfileId p_;
};

class BenchScope final : public journeys::ProfileScope {
 public:
  explicit BenchScope(ProfileId p, const StepWorld* steps = nullptr)
      : p_(p.value()), identity_("user:" + std::to_string(p.value())), steps_(steps) {}
  const std::string& Identity() override { return identity_; }
  std::optional<std::string> TraitAt(std::string_view name, TimeMs) override {
    if (name.rfind("consent.", 0) == 0)
      return World::Consent(p_, name.substr(8)) ? "true" : "false";
    if (name == "email") return fmt::format("\"p{}@x.test\"", p_);
    if (name == "phone") return fmt::format("\"+1555{:07}\"", p_ % 10'000'000);
    if (name == "push_token") return fmt::format("\"tok{}\"", p_);
    if (name == "plan") return World::Pro(p_) ? "\"pro\"" : "\"free\"";
    return std::nullopt;
  }
  json TraitsAt(TimeMs) override {
    return {{"email", fmt::format("p{}@x.test", p_)},
            {"plan", World::Pro(p_) ? "pro" : "free"},
            {"consent",
             {{"email", World::Consent(p_, "email")},
              {"sms", World::Consent(p_, "sms")},
              {"push", World::Consent(p_, "push")}}}};
  }
  Result<bool> InSegment(const SegmentId& name, TimeMs at) override {
    if (name == "vip") return World::Vip(p_);
    if (name == "buyers") return World::Buyer(p_);
    if (steps_ != nullptr && steps_->catalog.IsRule(name))
      return steps_->catalog.IsMember(name, Facts(), at);
    return Status::NotFound(name.value());
  }
  std::optional<TimeMs> SegmentChangesAt(const SegmentId& name, TimeMs at) override {
    if (steps_ == nullptr || !steps_->catalog.IsRule(name)) return std::nullopt;
    auto next = steps_->catalog.NextTimeChange(name, Facts(), at);
    return next.ok() ? *next : std::nullopt;
  }
  Result<bool> DidEvent(const rules::EventMatcher&, TimeMs, TimeMs) override { return false; }
  Result<journeys::FunnelStepState> FunnelStepAt(const FunnelId&, TimeMs) override {
    return journeys::FunnelStepState{};
  }

 private:
  const StepFacts& Facts() {
    if (!facts_) facts_.emplace(*steps_, ProfileId(p_));
    return *facts_;
  }
  uint64_t p_;
  std::string identity_;
  const StepWorld* steps_;
  std::optional<StepFacts> facts_;
};

class BenchEnv final : public journeys::Environment {
 public:
  explicit BenchEnv(const StepWorld* steps = nullptr) : steps_(steps) {}
  std::unique_ptr<journeys::ProfileScope> Open(ProfileId p) override {
    return std::make_unique<BenchScope>(p, steps_);
  }
  journeys::SegmentDependencies DependenciesOf(const SegmentId& segment) override {
    if (segment == "buyers") return {{"Order Completed"}, false};
    if (steps_ != nullptr) {
      if (auto it = steps_->events.find(segment); it != steps_->events.end())
        return {it->second, false, true};  // the funnel's step events, and time (stuck_for)
    }
    return {};
  }

 private:
  const StepWorld* steps_;

 public:
  Result<std::vector<ProfileId>> Members(const SegmentId&, TimeMs) override {
    return std::vector<ProfileId>{};
  }
};

// ---- the stream ---------------------------------------------------------------------------------

// `events` events of `profiles` profiles over `span` ms, in time order: 8% triggers (half of them
// with value > 20), 7% goal/awaited events, 85% other names no journey reacts to.
std::vector<journeys::InputEvent> Stream(uint64_t events, uint64_t profiles, DurationMs span,
                                         uint64_t seed) {
  std::vector<std::string> noise;
  for (int i = 0; i < 60; ++i) noise.push_back(fmt::format("Page Event {:02}", i));
  std::vector<journeys::InputEvent> out(events);
  bench::Rng rng(seed);
  for (uint64_t i = 0; i < events; ++i) {
    journeys::InputEvent& e = out[i];
    e.seq = i + 1;
    e.profile = ProfileId(1 + rng.Next() % profiles);
    e.timestamp = kT0 + static_cast<TimeMs>(i * static_cast<uint64_t>(span) / events);
    uint64_t r = rng.Next() % 1000;
    uint64_t cart = rng.Next() % 3;
    if (r < 80) {
      e.name = TriggerName(static_cast<int>(rng.Next() % kTriggers));
      e.properties = fmt::format("{{\"value\":{},\"cart_id\":\"c{}\"}}", 5 + rng.Next() % 40, cart);
    } else if (r < 150) {
      e.name = kGoalEvents[rng.Next() % 10];
      e.properties =
          fmt::format("{{\"cart_id\":\"c{}\",\"total\":{}}}", cart, 1 + rng.Next() % 100);
    } else {
      e.name = noise[rng.Next() % noise.size()];
    }
  }
  return out;
}

// ---- 1 + 2: runtime and goals
// ----------------------------------------------------------------------

struct RuntimeFigures {
  json out;
  double events_per_second = 0;
};

json RunGoals(const std::vector<goals::JourneyGoal>& goal_list,
              std::unordered_map<uint64_t, std::vector<Event>>& histories) {
  std::vector<double> call_us;
  uint64_t history_events = 0, credits = 0;
  std::vector<goals::ProfileEvent> views;
  auto t0 = Clock::now();
  double total = 0;
  for (auto& [pid, events] : histories) {
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
    });
    // As live: one attribution per goal event, over the history up to and including it.
    for (size_t i = 0; i < events.size(); ++i) {
      bool goal_event = false;
      for (const char* g : kGoalEvents) goal_event = goal_event || events[i].event == g;
      if (!goal_event) continue;
      auto c0 = Clock::now();
      views.clear();
      for (size_t k = 0; k <= i; ++k)
        views.push_back({events[k].timestamp, events[k].seq, events[k].event, events[k].properties,
                         events[k].message_id});
      auto got = goals::AttributeProfile(goal_list, views);
      double us = std::chrono::duration<double, std::micro>(Clock::now() - c0).count();
      total += us;
      call_us.push_back(us);
      history_events += i + 1;
      credits += got.size();
    }
  }
  double wall = Since(t0);
  std::sort(call_us.begin(), call_us.end());
  auto pct = [&call_us](double q) {
    return call_us.empty()
               ? 0.0
               : call_us[static_cast<size_t>(q * static_cast<double>(call_us.size() - 1))];
  };
  json g = {{"profiles", histories.size()},
            {"goal_events", call_us.size()},
            {"history_events_read", history_events},
            {"credits", credits},
            {"seconds", wall},
            {"goal_events_per_second",
             call_us.empty() ? 0.0 : static_cast<double>(call_us.size()) / (total / 1e6)},
            {"history_events_per_second",
             total > 0 ? static_cast<double>(history_events) / (total / 1e6) : 0.0},
            {"added_latency_us",
             {{"mean", call_us.empty() ? 0.0 : total / static_cast<double>(call_us.size())},
              {"p50", pct(0.5)},
              {"p99", pct(0.99)},
              {"max", pct(1.0)}}}};
  std::cerr << fmt::format(
      "goals: 100 journeys, 10 shared goal events, {} sampled profiles: {} goal events, each one "
      "AttributeProfile over the history so far ({:.1f} events on average)\n"
      "  ours: {:.0f} goal events/s, {:.2f}M history events/s; added latency per goal event mean "
      "{:.1f} us, p50 {:.1f} us, p99 {:.1f} us; {} credits\n",
      histories.size(), call_us.size(),
      call_us.empty() ? 0.0
                      : static_cast<double>(history_events) / static_cast<double>(call_us.size()),
      g["goal_events_per_second"].get<double>(), g["history_events_per_second"].get<double>() / 1e6,
      g["added_latency_us"]["mean"].get<double>(), pct(0.5), pct(0.99), credits);
  return g;
}

// 100 live journeys started at kT0 in `rt`; their goals into `goal_list` when given.
Status AddJourneys(journeys::Runtime& rt, std::vector<goals::JourneyGoal>* goal_list) {
  journeys::Effects fx;
  for (int k = 0; k < kJourneys; ++k) {
    SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition def,
                        journeys::ParseJourneyDefinition(JourneyYaml(k, false), {}));
    SP_ASSIGN_OR_RETURN(goals::GoalDefinition g, goals::ParseGoalJson(def.goal, "goal"));
    if (goal_list) goal_list->push_back({def.id, g, def.listening_window});
    JourneyId id = def.id;
    rt.AddVersion(std::make_shared<journeys::JourneyDefinition>(std::move(def)), 1);
    SP_RETURN_IF_ERROR(rt.Start(id, kT0, &fx));
  }
  rt.Refresh();
  return Status::Ok();
}

// What one partition's run produced (the sums must agree between 1 and N partitions).
struct PartitionRun {
  uint64_t relevant = 0, messages = 0, system_events = 0, entered = 0, profiles_with_state = 0;
};

// Drives one runtime over `stream` as the live engine drives a partition: timers due before each
// event first, then the event when the runtime is interested. `sink` sees each round's effects.
template <class Sink>
PartitionRun DrivePartition(journeys::Runtime& rt, const std::vector<journeys::InputEvent>& stream,
                            TimeMs end, Sink&& sink) {
  PartitionRun r;
  journeys::Effects fx;
  auto drain = [&] {
    r.messages += fx.messages.size();
    r.system_events += fx.events.size();
    for (const Event& e : fx.events) r.entered += e.event == system_events::kJourneyEntered;
    sink(fx);
    fx = journeys::Effects{};
  };
  uint64_t n = 0;
  for (const journeys::InputEvent& e : stream) {
    rt.AdvanceTo(e.timestamp - 1, &fx);
    if (rt.Interested(e.type, e.name)) {
      ++r.relevant;
      rt.Process(e, &fx);
    }
    if ((++n & 4095) == 0) drain();
  }
  rt.AdvanceTo(end, &fx);
  drain();
  r.profiles_with_state = rt.ProfileCount();
  return r;
}

// The same stream over `partitions` runtimes on as many threads, each event routed to the
// partition of its profile (journeys::PartitionOf), as the live engine routes them. The routing
// (splitting the stream) is outside the timing: in the engine the commit thread does it.
struct PartitionedFigures {
  double seconds = 0, cpu_seconds = 0;
  PartitionRun sum;
};
Result<PartitionedFigures> RunPartitioned(std::vector<journeys::InputEvent> stream,
                                          uint32_t partitions, TimeMs end) {
  std::vector<std::vector<journeys::InputEvent>> parts(partitions);
  for (journeys::InputEvent& e : stream)
    parts[journeys::PartitionOf(e.profile, partitions)].push_back(std::move(e));
  stream = {};
  std::vector<std::unique_ptr<BenchEnv>> envs;
  std::vector<std::unique_ptr<journeys::Runtime>> runtimes;
  for (uint32_t i = 0; i < partitions; ++i) {
    envs.push_back(std::make_unique<BenchEnv>());
    runtimes.push_back(std::make_unique<journeys::Runtime>(envs.back().get(),
                                                           journeys::RuntimeOptions{3, 1000, ""}));
    SP_RETURN_IF_ERROR(AddJourneys(*runtimes.back(), nullptr));
  }
  std::vector<PartitionRun> runs(partitions);
  auto t0 = Clock::now();
  const double cpu0 = CpuSeconds();
  std::vector<std::thread> threads;
  for (uint32_t i = 0; i < partitions; ++i) {
    threads.emplace_back([&, i] {
      runs[i] = DrivePartition(*runtimes[i], parts[i], end, [](journeys::Effects&) {});
    });
  }
  for (auto& t : threads) t.join();
  PartitionedFigures f;
  f.seconds = Since(t0);
  f.cpu_seconds = CpuSeconds() - cpu0;
  for (const PartitionRun& r : runs) {
    f.sum.relevant += r.relevant;
    f.sum.messages += r.messages;
    f.sum.system_events += r.system_events;
    f.sum.entered += r.entered;
    f.sum.profiles_with_state += r.profiles_with_state;
  }
  return f;
}

Result<RuntimeFigures> RunRuntime(uint64_t profiles, uint64_t events, uint64_t seed,
                                  uint32_t partitions, json* goals_out) {
  BenchEnv env;
  journeys::Runtime rt(&env, journeys::RuntimeOptions{3, 1000, ""});
  std::vector<goals::JourneyGoal> goal_list;
  SP_RETURN_IF_ERROR(AddJourneys(rt, &goal_list));
  const DurationMs span = 3 * kDayMs;
  long rss_before_stream = RssMb();
  auto g0 = Clock::now();
  std::vector<journeys::InputEvent> stream = Stream(events, profiles, span, seed);
  double gen_seconds = Since(g0);
  long rss_before = RssMb();
  std::cerr << fmt::format(
      "runtime: {} events of {} profiles over 3 days generated in {:.1f}s ({} MB)\n", events,
      profiles, gen_seconds, rss_before - rss_before_stream);

  // Every 10th profile's own events and system events, for the goal benchmark.
  std::unordered_map<uint64_t, std::vector<Event>> histories;
  std::map<std::string, uint64_t> exits;
  auto t0 = Clock::now();
  const double cpu0 = CpuSeconds();
  PartitionRun one = DrivePartition(rt, stream, kT0 + span, [&](journeys::Effects& fx) {
    for (Event& e : fx.events) {
      uint64_t pid = std::strtoull(e.user_id.c_str(), nullptr, 10);
      if (pid % 10 == 0) histories[pid].push_back(std::move(e));
    }
  });
  double seconds = Since(t0);
  const double cpu_seconds = CpuSeconds() - cpu0;
  const uint64_t relevant = one.relevant, messages = one.messages,
                 system_events = one.system_events, entered = one.entered;

  // Timers fired: every wait step passed on by its timer (a `for` wait always; an event wait by its
  // timeout, as the event arrival exits: `on_event: exit` counts as completed, not passed on).
  uint64_t timers = 0, in_progress = 0, completed = 0;
  for (const auto& id : rt.JourneyIds()) {
    const journeys::JourneyStatus* st = rt.StatusOf(id);
    auto def = rt.Definition(id, 1);
    in_progress += st->in_progress;
    completed += st->completed;
    for (const auto& s : def->steps) {
      auto it = st->steps.find(s.id);
      if (it == st->steps.end()) continue;
      for (const auto& [reason, count] : it->second.exits) exits[reason] += count;
      if (s.kind != journeys::StepKind::kWait) continue;
      if (s.wait != journeys::WaitKind::kEvent || s.on_event == journeys::kExitNow) {
        timers += it->second.passed_on;
      } else {
        // shape 4: arrivals and timeouts both pass on; the timeout ones went to the on_timeout
        // step.
        auto t = st->steps.find(def->steps[static_cast<size_t>(s.on_timeout)].id);
        if (t != st->steps.end()) timers += t->second.inflow;
      }
    }
  }
  RuntimeFigures f;
  f.events_per_second = static_cast<double>(events) / seconds;
  long peak = PeakRssMb();
  f.out = {{"journeys", kJourneys},
           {"profiles", profiles},
           {"events", events},
           {"relevant_events", relevant},
           {"seconds", seconds},
           {"events_per_second", f.events_per_second},
           {"cpu_seconds", cpu_seconds},
           {"events_per_cpu_second", static_cast<double>(events) / cpu_seconds},
           {"relevant_events_per_second", static_cast<double>(relevant) / seconds},
           {"entries", entered},
           {"profiles_with_state", rt.ProfileCount()},
           {"messages", messages},
           {"system_events", system_events},
           {"timers_fired", timers},
           {"in_progress_at_end", in_progress},
           {"completed", completed},
           {"exits", exits},
           {"rss_mb_before_run", rss_before},
           {"rss_mb_after_run", RssMb()},
           {"peak_rss_mb", peak},
           {"stream_mb", rss_before - rss_before_stream}};
  std::cerr << fmt::format(
      "  ours: {:.2f}M events/s ({} events in {:.2f}s wall, {:.2f}s CPU: {:.2f}M events per CPU "
      "second; {} reached the runtime, {:.0f}k/s); {} entries, "
      "{} messages, {} timers fired, {} system events; {} profiles with state; RSS {} MB -> {} MB "
      "(peak "
      "{} MB, of which the pre-generated stream {} MB)\n",
      f.events_per_second / 1e6, events, seconds, cpu_seconds,
      static_cast<double>(events) / cpu_seconds / 1e6, relevant,
      static_cast<double>(relevant) / seconds / 1e3, entered, messages, timers, system_events,
      rt.ProfileCount(), rss_before, RssMb(), peak, rss_before - rss_before_stream);

  // The same stream over N partitions on N threads (the stream moves into the partitions' parts).
  SP_ASSIGN_OR_RETURN(PartitionedFigures pn,
                      RunPartitioned(std::move(stream), partitions, kT0 + span));
  const double eps_n = static_cast<double>(events) / pn.seconds;
  // The partitions must decide what one runtime decides (each profile's work is its own).
  const bool agree = pn.sum.relevant == relevant && pn.sum.messages == messages &&
                     pn.sum.system_events == system_events && pn.sum.entered == entered &&
                     pn.sum.profiles_with_state == rt.ProfileCount();
  f.out["partitions"] = partitions;
  f.out["events_per_second_1"] = f.events_per_second;
  f.out["events_per_second_n"] = eps_n;
  f.out["seconds_n"] = pn.seconds;
  f.out["cpu_seconds_n"] = pn.cpu_seconds;
  f.out["partitions_agree"] = agree;
  std::cerr << fmt::format(
      "  ours, {} partitions on {} threads: {:.2f}M events/s ({:.2f}s wall, {:.2f}s CPU; x{:.2f} "
      "one partition); same decisions as one runtime: {}\n",
      partitions, partitions, eps_n / 1e6, pn.seconds, pn.cpu_seconds, eps_n / f.events_per_second,
      agree ? "yes" : "NO");
  if (!agree) return Status::Internal("the partitioned runtimes decided differently");
  // The sampled profiles' own track events join their system events.
  std::vector<journeys::InputEvent> replay = Stream(events, profiles, span, seed);
  for (const auto& e : replay) {
    if (e.profile.value() % 10 != 0) continue;
    auto it = histories.find(e.profile.value());
    if (it == histories.end()) continue;  // never entered: the engine attributes only entrants
    Event ev;
    ev.event = e.name;
    ev.timestamp = e.timestamp;
    ev.seq = e.seq;
    ev.properties = e.properties;
    ev.message_id = fmt::format("m{}", e.seq);
    it->second.push_back(std::move(ev));
  }
  replay = {};
  *goals_out = RunGoals(goal_list, histories);
  return f;
}

// ---- 4: keeping step segments current ----------------------------------------------------------

// The runtime's events/s over the same stream with the 100 journeys alone, then with `funnels`
// step segments and their join-later journeys besides (one runtime, as part 1's first run). The
// EventIndex of the stream is built outside the timing (the live engine indexes at ingest for its
// funnels anyway); what is timed is what keeping the segments current adds to the runtime: each
// step event of a funnel re-evaluates that segment for its profile (PositionAsOf), and each stuck
// profile's watch fires at its instant. `runs` runs of each, alternating (without, with, ...); the
// figures are each one's best, in CPU seconds of the (single-threaded) run, so a loaded machine
// does not count its waits.
Result<json> RunStepSegments(uint64_t profiles, uint64_t events, uint64_t seed, int funnels,
                             int runs) {
  const DurationMs span = 3 * kDayMs;
  std::vector<journeys::InputEvent> stream = Stream(events, profiles, span, seed);
  auto run = [&](const StepWorld* steps) -> Result<std::pair<double, PartitionRun>> {
    BenchEnv env(steps);
    journeys::Runtime rt(&env, journeys::RuntimeOptions{3, 1000, ""});
    SP_RETURN_IF_ERROR(AddJourneys(rt, nullptr));
    if (steps != nullptr) {
      journeys::Effects fx;
      for (int k = 0; k < funnels; ++k) {
        SP_ASSIGN_OR_RETURN(journeys::JourneyDefinition def,
                            journeys::ParseJourneyDefinition(StepJourneyYaml(k), {}));
        JourneyId id = def.id;
        rt.AddVersion(std::make_shared<journeys::JourneyDefinition>(std::move(def)), 1);
        SP_RETURN_IF_ERROR(rt.Start(id, kT0, &fx));
      }
      rt.Refresh();
    }
    const double cpu0 = CpuSeconds();
    PartitionRun r = DrivePartition(rt, stream, kT0 + span, [](journeys::Effects&) {});
    return std::make_pair(CpuSeconds() - cpu0, r);
  };

  StepWorld world;
  auto i0 = Clock::now();
  world.index.Reserve(stream.size());
  for (const journeys::InputEvent& e : stream)
    world.index.AddTrack(e.profile, e.timestamp, e.seq, e.name);
  world.index.Seal();
  const double index_seconds = Since(i0);
  for (int k = 0; k < funnels; ++k) {
    SP_ASSIGN_OR_RETURN(analytics::FunnelDefinition f,
                        analytics::ParseFunnelDefinition(StepFunnelYaml(k)));
    SP_ASSIGN_OR_RETURN(segments::SegmentDefinition s,
                        segments::ParseSegmentDefinition(StepSegmentYaml(k)));
    std::vector<std::string> names;
    for (const auto& step : f.steps)
      for (const auto& m : step.any_of) names.push_back(m.event);
    world.events[s.id] = std::move(names);
    world.funnels.emplace(FunnelId(fmt::format("f{}", k)), std::move(f));
    SP_RETURN_IF_ERROR(world.catalog.Put(std::move(s)));
  }
  std::pair<double, PartitionRun> without{1e300, {}}, with{1e300, {}};
  for (int i = 0; i < std::max(1, runs); ++i) {
    SP_ASSIGN_OR_RETURN(auto a, run(nullptr));
    SP_ASSIGN_OR_RETURN(auto b, run(&world));
    if (a.first < without.first) without = a;
    if (b.first < with.first) with = b;
  }
  const double eps_without = static_cast<double>(events) / without.first;
  const double eps_with = static_cast<double>(events) / with.first;
  json out = {{"funnels", funnels},
              {"profiles", profiles},
              {"events", events},
              {"runs", std::max(1, runs)},
              {"cpu_seconds_without", without.first},
              {"cpu_seconds_with", with.first},
              {"events_per_cpu_second_without", eps_without},
              {"events_per_cpu_second_with", eps_with},
              {"cost_percent", 100.0 * (1.0 - eps_with / eps_without)},
              {"relevant_events_without", without.second.relevant},
              {"relevant_events_with", with.second.relevant},
              {"step_segment_entries", with.second.entered - without.second.entered},
              {"index_seconds", index_seconds}};
  std::cerr << fmt::format(
      "step segments: {} funnels, {} events of {} profiles, best of {}: {:.2f}M events per CPU "
      "second without, {:.2f}M with ({:.1f}% cost); {} step-segment journey entries; {} events "
      "reached the runtime (was {}); index built in {:.1f}s outside the timing\n",
      funnels, events, profiles, std::max(1, runs), eps_without / 1e6, eps_with / 1e6,
      100.0 * (1.0 - eps_with / eps_without), with.second.entered - without.second.entered,
      with.second.relevant, without.second.relevant, index_seconds);
  return out;
}

// ---- 3: latency through the live engine ---------------------------------------------------------

Result<json> RunLatency(double rate, double seconds, uint64_t profiles, uint64_t seed) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("journeys-bench-{}", getpid());
  std::filesystem::remove_all(dir);
  EngineOptions o;
  o.data_dir = dir.string();
  o.delivery_thread = true;
  o.load_index = false;
  SP_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(o));
  const char* defs[] = {
      "kind: channel\nid: email\ntype: file\npath: email.ndjson\n",
      "kind: template\nid: t-email\nchannel: email\nsubject: \"Hello {{traits.email}}\"\n"
      "text: \"Hi there\"\n",
      "kind: template\nid: t-email2\nchannel: email\nsubject: \"Again\"\ntext: \"Hi again\"\n"};
  for (const char* d : defs) SP_RETURN_IF_ERROR(engine->Apply(d, "bench").status());
  for (int k = 0; k < kJourneys; ++k) {
    SP_RETURN_IF_ERROR(engine->Apply(JourneyYaml(k, true), "bench").status());
    SP_RETURN_IF_ERROR(engine->SetJourneyState(fmt::format("j{:03}", k), "live").status());
  }
  // 2% of events are triggers, each right after an identify giving its (new) profile consent and an
  // address; the rest are events of other names from `profiles` existing-or-new profiles.
  const uint64_t total = static_cast<uint64_t>(rate * seconds);
  // (unpaced, `rate` is huge: the run ends after `seconds`, with at most 1M triggers)
  const uint64_t max_triggers = std::min<uint64_t>(total / 50 + 2, 1'000'000);
  std::vector<std::atomic<int64_t>> started(max_triggers);
  std::vector<TimeMs> started_wall_ms(max_triggers, 0);  // the same moment on the engine's clock
  std::vector<int64_t> seen_first(max_triggers, 0), seen_last(max_triggers, 0);
  std::vector<int> lines_of(max_triggers, 0);
  auto now_us = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
        .count();
  };
  std::atomic<bool> done{false};
  std::atomic<int64_t> done_at_us{0};
  // The backlog, sampled from /metrics every 20 ms: the journeys' queue and their lag (the
  // partition furthest behind), the largest seen.
  std::atomic<uint64_t> max_queue{0}, max_lag{0};
  std::thread sampler([&] {
    auto value = [](const std::string& text, std::string_view name) -> uint64_t {
      const std::string line = "\n" + std::string(name) + " ";
      size_t at = text.find(line);
      return at == std::string::npos ? 0
                                     : std::strtoull(text.c_str() + at + line.size(), nullptr, 10);
    };
    while (!done.load()) {
      const std::string text = engine->MetricsText();
      max_queue = std::max<uint64_t>(max_queue.load(), value(text, "signpost_journey_queue"));
      max_lag = std::max<uint64_t>(max_lag.load(), value(text, "signpost_journey_lag_events"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  constexpr int64_t kMaxDrainUs =
      60'000'000;  // after the last ingest, wait at most this long for sends
  std::thread tail([&] {
    const std::string path = (dir / "email.ndjson").string();
    std::FILE* f = nullptr;
    std::string carry;
    char buf[1 << 16];
    auto last_progress = Clock::now();
    for (;;) {
      if (f == nullptr) f = std::fopen(path.c_str(), "rb");
      size_t got = f ? std::fread(buf, 1, sizeof buf, f) : 0;
      if (got == 0) {
        if (f) std::clearerr(f);
        if (done.load() &&
            (Since(last_progress) > 10 || now_us() - done_at_us.load() > kMaxDrainUs))
          break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      last_progress = Clock::now();
      int64_t t = now_us();
      carry.append(buf, got);
      size_t start = 0;
      for (size_t nl; (nl = carry.find('\n', start)) != std::string::npos; start = nl + 1) {
        size_t at = carry.find("\"identity\":\"user:l", start);
        if (at == std::string::npos || at > nl) continue;
        uint64_t i = std::strtoull(carry.c_str() + at + 18, nullptr, 10);
        if (i >= max_triggers) continue;
        if (lines_of[i]++ == 0) seen_first[i] = t;
        seen_last[i] = t;
      }
      carry.erase(0, start);
      if (done.load()) {
        uint64_t complete = 0, expected = 0;
        for (uint64_t i = 0; i < max_triggers; ++i) {
          if (started[i].load() == 0) continue;
          ++expected;
          complete += lines_of[i] >= 2 ? 1 : 0;
        }
        if (complete == expected) break;
      }
    }
    if (f) std::fclose(f);
  });

  bench::Rng rng(seed ^ 0x5eed);
  uint64_t sent = 0, triggers = 0, calls = 0;
  std::vector<double> call_ms;
  auto t0 = Clock::now();
  while (sent < total && Since(t0) < seconds) {
    double elapsed = Since(t0);
    uint64_t due = std::min<uint64_t>(total, static_cast<uint64_t>(elapsed * rate));
    if (due <= sent) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    std::vector<Event> batch;
    std::vector<uint64_t> batch_triggers;
    const TimeMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    while (sent < due && batch.size() < 2400) {
      Event e;
      e.timestamp = e.received_at = now;
      ++sent;
      if (rng.Next() % 50 == 0 && triggers < max_triggers) {
        uint64_t i = triggers++;
        Event id;
        id.type = EventType::kIdentify;
        id.user_id = fmt::format("l{}", i);
        id.message_id = fmt::format("bench-id-{}", i);
        id.timestamp = id.received_at = now;
        id.traits = fmt::format("{{\"email\":\"l{}@x.test\",\"consent\":{{\"email\":true}}}}", i);
        batch.push_back(std::move(id));
        e.user_id = fmt::format("l{}", i);
        e.event = TriggerName(static_cast<int>(i % kTriggers));
        e.properties = "{\"value\":30}";
        batch_triggers.push_back(i);
      } else {
        e.user_id = fmt::format("n{}", rng.Next() % profiles);
        e.event = fmt::format("Page Event {:02}", rng.Next() % 60);
      }
      e.message_id = fmt::format("bench-{}", sent);
      batch.push_back(std::move(e));
    }
    int64_t call_start = now_us();
    for (uint64_t i : batch_triggers) started[i].store(call_start);
    const TimeMs call_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    for (uint64_t i : batch_triggers) started_wall_ms[i] = call_wall_ms;
    auto c0 = Clock::now();
    auto r = engine->IngestEvents(std::move(batch));
    call_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c0).count());
    ++calls;
    if (!r.ok()) {
      done = true;
      tail.join();
      sampler.join();
      return r.status();
    }
  }
  double wall = Since(t0);
  done_at_us = now_us();
  done = true;
  tail.join();
  sampler.join();
  // A trigger still unsent when the wait ended counts with the time waited so far (a lower bound).
  const int64_t tail_end = now_us();
  uint64_t unsent = 0;
  std::vector<double> first, last;
  uint64_t complete = 0;
  for (uint64_t i = 0; i < triggers; ++i) {
    const int64_t f = lines_of[i] >= 1 ? seen_first[i] : tail_end,
                  l = lines_of[i] >= 2 ? seen_last[i] : tail_end;
    unsent += lines_of[i] == 0 ? 1 : 0;
    first.push_back(static_cast<double>(f - started[i].load()) / 1000.0);
    last.push_back(static_cast<double>(l - started[i].load()) / 1000.0);
    complete += lines_of[i] >= 2 ? 1 : 0;
  }
  std::sort(first.begin(), first.end());
  std::sort(last.begin(), last.end());
  std::sort(call_ms.begin(), call_ms.end());
  // Where the time goes: the outbox's enqueued_at (ms, the engine's clock) is when the journey
  // thread made the send durable; the rest of the way to the file is the delivery thread's.
  std::vector<double> decided;
  if (auto box = engine->Outbox(static_cast<size_t>(2 * triggers + 100)); box.ok()) {
    std::unordered_map<uint64_t, TimeMs> first_enqueued;
    for (const OutboxMessageView& item : box->messages) {
      const std::string& identity = item.identity;
      if (identity.rfind("user:l", 0) != 0) continue;
      uint64_t i = std::strtoull(identity.c_str() + 6, nullptr, 10);
      const TimeMs at = item.enqueued_at;
      auto [it, fresh] = first_enqueued.emplace(i, at);
      if (!fresh) it->second = std::min(it->second, at);
    }
    for (auto [i, at] : first_enqueued)
      if (i < triggers) decided.push_back(static_cast<double>(at - started_wall_ms[i]));
  }
  std::sort(decided.begin(), decided.end());
  auto pct = [](const std::vector<double>& v, double q) {
    return v.empty() ? 0.0 : v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
  };
  json out = {
      {"offered_events_per_second", rate},
      {"achieved_events_per_second", static_cast<double>(sent) / wall},
      {"events", sent},
      {"identify_events", triggers},
      {"triggers", triggers},
      {"triggers_with_both_sends", complete},
      {"triggers_with_a_send", triggers - unsent},
      {"triggers_unsent_when_the_wait_ended", unsent},
      {"ingest_calls", calls},
      {"max_journey_queue", max_queue.load()},
      {"max_journey_lag_events", max_lag.load()},
      {"ingest_call_ms", {{"p50", pct(call_ms, 0.5)}, {"p99", pct(call_ms, 0.99)}}},
      {"first_send_ms",
       {{"p50", pct(first, 0.5)}, {"p99", pct(first, 0.99)}, {"max", pct(first, 1.0)}}},
      {"second_send_ms",
       {{"p50", pct(last, 0.5)}, {"p99", pct(last, 0.99)}, {"max", pct(last, 1.0)}}},
      {"outbox_ms",
       {{"p50", pct(decided, 0.5)}, {"p99", pct(decided, 0.99)}, {"max", pct(decided, 1.0)}}}};
  std::cerr << fmt::format(
      "latency: real Engine (fsync on, file channel, delivery thread), 100 live journeys whose "
      "first step "
      "is an email; 2% of events are triggers (each entering 2 journeys), each after an identify\n"
      "  ours: offered {:.0f} events/s, achieved {:.0f} events/s in {} ingest calls (p50 {:.2f} "
      "ms, p99 {:.2f} ms);"
      " event -> first send in the channel file p50 {:.2f} ms, p99 {:.2f} ms, max {:.1f} ms; -> "
      "second send "
      "p50 {:.2f} ms, p99 {:.2f} ms; {} of {} triggers got both sends; backlog at most {} queued, "
      "{} seqs behind; event -> in the outbox "
      "(journey thread "
      "done; 1 ms resolution) p50 {:.0f} ms, p99 {:.0f} ms\n",
      rate, static_cast<double>(sent) / wall, calls, pct(call_ms, 0.5), pct(call_ms, 0.99),
      pct(first, 0.5), pct(first, 0.99), pct(first, 1.0), pct(last, 0.5), pct(last, 0.99), complete,
      triggers, max_queue.load(), max_lag.load(), pct(decided, 0.5), pct(decided, 0.99));
  engine.reset();
  std::filesystem::remove_all(dir);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "signpost journeys benchmark: runtime events/s, goal attribution, event-to-send latency"};
  uint64_t profiles = 1'000'000, events = 5'000'000, seed = 42;
  uint32_t partitions = 0;
  double latency_rate = 0, latency_seconds = 10, max_ingest_seconds = 5;
  bool skip_latency = false, only_step_segments = false;
  int step_segments = 10, step_runs = 3;
  std::vector<double> extra_rates;
  app.add_option("--profiles", profiles, "Profiles (default 1000000)");
  app.add_option("--events", events, "Events in the generated stream (default 5000000)");
  app.add_option("--seed", seed, "PRNG seed (default 42)");
  app.add_option("--partitions", partitions,
                 "Runtime partitions (threads) of part 1's second run (default 0 = cores)");
  app.add_option("--latency-rate", latency_rate,
                 "Events/s offered to the live engine (default: half the maximum live ingest, "
                 "measured first)");
  app.add_option("--latency-extra-rates", extra_rates,
                 "More rates to measure latency at (events/s)");
  app.add_option("--latency-seconds", latency_seconds, "Seconds of paced ingest (default 10)");
  app.add_option("--max-ingest-seconds", max_ingest_seconds,
                 "Seconds of unpaced ingest measuring the maximum (default 5)");
  app.add_flag("--skip-latency", skip_latency, "Skip the live-engine latency part");
  app.add_option("--step-segments", step_segments,
                 "Funnels with a live step segment in part 4 (default 10)");
  app.add_option("--step-runs", step_runs,
                 "Runs of part 4 without and with the step segments, alternating (default 3)");
  app.add_flag("--only-step-segments", only_step_segments,
               "Run only part 4: the runtime's events/s without and with the step segments");
  CLI11_PARSE(app, argc, argv);
  if (only_step_segments) {
    auto steps = RunStepSegments(profiles, events, seed, step_segments, step_runs);
    if (!steps.ok()) {
      std::cerr << "journeys_bench: step segments: " << steps.status().ToString() << "\n";
      return 1;
    }
    std::cout << json{{"engine", "signpost"}, {"step_segments", *steps}}.dump() << std::endl;
    return 0;
  }

  std::cerr << "journeys: no peer (nothing comparable runs journeys locally); figures are "
               "signpost's only\n";
  json goals_json;
  if (partitions == 0) partitions = std::max(1u, std::thread::hardware_concurrency());
  auto rt = RunRuntime(profiles, events, seed, partitions, &goals_json);
  if (!rt.ok()) {
    std::cerr << "journeys_bench: " << rt.status().ToString() << "\n";
    return 1;
  }
  json out = {{"engine", "signpost"}, {"runtime", rt->out}, {"goals", goals_json}};
  if (!skip_latency) {
    // The maximum the live engine ingests (unpaced, the same journeys and mix), measured first in
    // this run unless --latency-rate is given; the latency is measured at half of it.
    double max_ingest = 0;
    if (latency_rate <= 0) {
      auto max = RunLatency(1e9, max_ingest_seconds, profiles, seed);
      if (!max.ok()) {
        std::cerr << "journeys_bench: maximum ingest: " << max.status().ToString() << "\n";
        return 1;
      }
      max_ingest = (*max)["achieved_events_per_second"].get<double>();
      out["max_ingest"] = *max;
      std::cerr << fmt::format("  maximum live ingest: {:.0f} events/s; latency at half of it\n",
                               max_ingest);
    }
    out["max_ingest_events_per_second"] = max_ingest;
    std::vector<double> rates = {latency_rate > 0 ? latency_rate : max_ingest / 2};
    rates.insert(rates.end(), extra_rates.begin(), extra_rates.end());
    json points = json::array();
    for (double rate : rates) {
      auto lat = RunLatency(rate, latency_seconds, profiles, seed);
      if (!lat.ok()) {
        std::cerr << "journeys_bench: latency: " << lat.status().ToString() << "\n";
        points.push_back({{"offered_events_per_second", rate}, {"error", lat.status().ToString()}});
        continue;
      }
      points.push_back(*lat);
    }
    out["latency"] = points;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}
