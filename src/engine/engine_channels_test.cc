// Channel optimization through the engine (`message: { channel: auto }`) on a ManualClock: waves of
// profiles with every channel available enter a journey; the test reads back the channel each got
// and sends the purchases (the goal) itself with known true rates per channel (sms far better),
// then checks that the control share holds near 10%, that the choices converge to sms, that the
// channel report's numbers are the ones it counts itself, and that the counts survive a restart
// (the bandit is rebuilt from the stored events, each send counted once).
#include "engine/engine_channels.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "base/system_events.h"
#include "base/time.h"
#include "engine/engine_impl.h"
#include "engine/engine_journeys.h"
#include "engine/test_support.h"
#include "signpost/engine.h"
#include "wire/wire.h"

namespace signpost {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
namespace se = system_events;

constexpr const char* kChannelDefinitions[] = {
    "kind: channel\nid: email\ntype: file\npath: email.ndjson\n",
    "kind: channel\nid: sms\ntype: file\npath: sms.ndjson\n",
    "kind: channel\nid: push\ntype: file\npath: push.ndjson\n",
    "kind: template\nid: cart-mail\nchannel: email\nsubject: Your cart\nhtml: \"<p>Back?</p>\"\n",
    "kind: template\nid: cart-sms\nchannel: sms\nbody: Back?\n",
    "kind: template\nid: cart-push\nchannel: push\nbody: Back?\n",
    R"(kind: journey
id: cart
entry: { event: Cart Abandoned }
goal: { type: drive_purchase, met_when: { event: Order Completed } }
steps:
  - id: nudge
    message: { channel: auto, default: email, templates: { email: cart-mail, sms: cart-sms, push: cart-push } }
)"};

// What one profile was sent, read back from its `Message Sent`.
struct Sent {
  std::string channel;
  bool control = false;
};

class EngineChannelsTest : public EngineFixture<> {
 protected:
  std::string StartAt() const override { return "2026-11-01T00:00:00Z"; }
  void SetUp() override {
    EngineFixture::SetUp();
    t0_ = clock_.NowMs();
    for (const char* d : kChannelDefinitions) ASSERT_NO_FATAL_FAILURE(Apply(d));
    ASSERT_NO_FATAL_FAILURE(Live("cart"));
  }

  static std::string User(int i) { return "u" + std::to_string(i); }
  Sent SentTo(int i) {
    Sent s;
    auto r = engine_->ProfileEvents(User(i), 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& e : EventsJson(*r)) {
      const json p = e.value("properties", json::object());
      if (e.value("event", "") != se::kMessageSent) continue;
      EXPECT_TRUE(p.value("auto", false)) << p.dump();
      s.channel = p.value("channel", "");
      s.control = p.value("control", false);
    }
    return s;
  }

  // Profiles [from, to) get every channel and abandon a cart at the start of day `day`; each is
  // sent through the channel the engine picks; a day later the test sends the purchases of those
  // whose channel "worked" (true rates: email 5%, sms 40%, push 5%, by a seeded generator).
  void Wave(int from, int to, int day) {
    const TimeMs start = t0_ + day * kDayMs;
    std::vector<Event> events;
    for (int i = from; i < to; ++i) {
      events.push_back(Identify(User(i), start + kMinuteMs,
                                {{"email", User(i) + "@x.test"},
                                 {"phone", "+1" + std::to_string(i)},
                                 {"push_token", "tok" + std::to_string(i)},
                                 {"consent", {{"email", true}, {"sms", true}, {"push", true}}}}));
      events.push_back(Track(User(i), "Cart Abandoned", start + kHourMs));
    }
    clock_.Set(start + 2 * kHourMs);
    ASSERT_NO_FATAL_FAILURE(Ingest(std::move(events)));
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
    events.clear();
    for (int i = from; i < to; ++i) {
      Sent s = SentTo(i);
      ASSERT_FALSE(s.channel.empty()) << User(i) << " was sent nothing";
      if (s.control) {
        EXPECT_EQ(s.channel, "email") << User(i);
      }
      const double rate = s.channel == "sms" ? 0.40 : 0.05;
      const bool buys = std::uniform_real_distribution<double>(0, 1)(rng_) < rate;
      if (buys) {
        events.push_back(Track(User(i), "Order Completed", start + 6 * kHourMs));
      }
      sent_.push_back(s);
      converted_.push_back(buys);
    }
    clock_.Set(start + 12 * kHourMs);
    if (!events.empty()) {
      ASSERT_NO_FATAL_FAILURE(Ingest(std::move(events)));
    }
    ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  }

  TimeMs t0_ = 0;
  std::mt19937_64 rng_{42};
  std::vector<Sent> sent_;  // by profile number
  std::vector<bool> converted_;
};

TEST_F(EngineChannelsTest, ConvergesToTheBetterChannelKeepsTheControlShareAndReportsWhatWasSent) {
  constexpr int kWave = 150, kWaves = 8;
  for (int w = 0; w < kWaves; ++w) ASSERT_NO_FATAL_FAILURE(Wave(w * kWave, (w + 1) * kWave, w));
  const int n = kWave * kWaves;

  // The control share: every profile has the default (email) available. 1,200 choices: sd 0.87
  // points; 4 sd.
  int control = 0;
  for (const Sent& s : sent_) control += s.control ? 1 : 0;
  EXPECT_NEAR(control / static_cast<double>(n), 0.10, 0.035) << control << " of " << n;

  // Convergence: the last wave's optimized choices go to sms far more than a third of the time.
  int optimized = 0, sms = 0;
  for (int i = (kWaves - 1) * kWave; i < n; ++i) {
    if (sent_[i].control) continue;
    ++optimized;
    sms += sent_[i].channel == "sms" ? 1 : 0;
  }
  EXPECT_GT(sms, optimized * 8 / 10) << sms << " of " << optimized;

  // The report counts exactly what the test saw and sent.
  std::map<std::string, std::pair<uint64_t, uint64_t>> want;  // channel -> sent, converted
  std::pair<uint64_t, uint64_t> want_control, want_optimized;
  for (int i = 0; i < n; ++i) {
    auto& c = want[sent_[i].channel];
    auto& g = sent_[i].control ? want_control : want_optimized;
    ++c.first, ++g.first;
    if (converted_[i]) ++c.second, ++g.second;
  }
  auto r = wire::ToJson(engine_->ChannelReport("cart", "nudge"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const json& rep = *r;
  EXPECT_EQ(rep["default"], "email");
  ASSERT_EQ(rep["channels"].size(), 3u);
  for (const auto& c : rep["channels"]) {
    SCOPED_TRACE(c.dump());
    const auto& [s, k] = want[c["channel"].get<std::string>()];
    EXPECT_EQ(c["sent"], s);
    EXPECT_EQ(c["converted"], k);
    if (s > 0) {
      EXPECT_NEAR(c["rate"].get<double>(), static_cast<double>(k) / s, 1e-12);
    }
    const auto wilson = experiments::stats::Wilson(k, s);
    EXPECT_NEAR(c["interval"][0].get<double>(), wilson.low, 1e-12);
    EXPECT_NEAR(c["interval"][1].get<double>(), wilson.high, 1e-12);
  }
  EXPECT_EQ(rep["channels"][0]["channel"], "email");  // in the order written
  EXPECT_EQ(rep["control"]["sent"], want_control.first);
  EXPECT_EQ(rep["control"]["converted"], want_control.second);
  EXPECT_EQ(rep["optimized"]["sent"], want_optimized.first);
  EXPECT_EQ(rep["optimized"]["converted"], want_optimized.second);
  const double tr = static_cast<double>(want_optimized.second) / want_optimized.first;
  const double cr = static_cast<double>(want_control.second) / want_control.first;
  EXPECT_NEAR(rep["lift"]["treated_rate"].get<double>(), tr, 1e-12);
  EXPECT_NEAR(rep["lift"]["holdout_rate"].get<double>(), cr, 1e-12);
  EXPECT_NEAR(rep["lift"]["absolute"].get<double>(), tr - cr, 1e-12);
  EXPECT_GT(tr, cr);  // optimizing pays: the control is stuck on email's 5%

  // /api/experiments lists it; a step that is not auto is refused.
  auto all = wire::ToJson(engine_->Experiments());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ((*all)["channels"].size(), 1u);
  EXPECT_EQ((*all)["channels"][0], rep);
  EXPECT_EQ(engine_->ChannelReport("cart", "nope").status().code(), Code::kNotFound);
  EXPECT_EQ(engine_->ChannelReport("nope", "nudge").status().code(), Code::kNotFound);

  // The live bandit holds the same counts as the stored events say (each send once, each
  // conversion once), before and after a restart, which rebuilds it from the store.
  auto live_counts = [this] {
    Engine::Impl& m = ImplOf(*engine_);
    auto r = m.channels->LiveReport(*m.journeys, JourneyId("cart"), "nudge");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : experiments::BanditReport();
  };
  auto same = [&rep](const experiments::BanditReport& b) {
    ASSERT_EQ(b.channels.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      const json& c = rep["channels"][i];
      // BanditReport is by channel name: email, push, sms.
      for (const auto& ch : b.channels) {
        if (ch.channel != c["channel"]) continue;
        EXPECT_EQ(ch.counts.sent, c["sent"].get<uint64_t>()) << ch.channel;
        EXPECT_EQ(ch.counts.converted, c["converted"].get<uint64_t>()) << ch.channel;
      }
    }
    EXPECT_EQ(b.control.sent, rep["control"]["sent"].get<uint64_t>());
    EXPECT_EQ(b.optimized.converted, rep["optimized"]["converted"].get<uint64_t>());
  };
  ASSERT_NO_FATAL_FAILURE(same(live_counts()));
  engine_.reset();
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(same(live_counts()));
  // After the restart the choices keep going to sms.
  sent_.clear();
  converted_.clear();
  ASSERT_NO_FATAL_FAILURE(Wave(n, n + kWave, kWaves));
  optimized = sms = 0;
  for (const Sent& s : sent_) {
    if (s.control) continue;
    ++optimized;
    sms += s.channel == "sms" ? 1 : 0;
  }
  EXPECT_GT(sms, optimized * 8 / 10) << sms << " of " << optimized;
}

TEST(ChannelBandits, ASendOrAGoalSeenTwiceCountsOnce) {
  ChannelBandits b;
  auto sent = [](const std::string& key, const std::string& channel, bool control, TimeMs at) {
    Event e;
    e.type = EventType::kTrack;
    e.event = std::string(se::kMessageSent);
    e.timestamp = at;
    e.properties = json{{"journey", "cart"}, {"step", "nudge"}, {"channel", channel},
                        {"key", key},        {"auto", true},    {"control", control}}
                       .dump();
    return e;
  };
  Event goal;
  goal.type = EventType::kTrack;
  goal.event = std::string(se::kGoalAttained);
  goal.timestamp = 500;
  goal.properties = json{{"journey", "cart"}}.dump();
  Event fixed = sent("k0", "email", false, 100);  // not auto: ignored
  fixed.properties = json{{"journey", "cart"}, {"step", "nudge"}, {"channel", "email"}}.dump();
  for (int twice = 0; twice < 2; ++twice) {
    b.Feed(sent("k1", "sms", false, 100), 1);
    b.Feed(sent("k2", "email", true, 100), 2);
    b.Feed(sent("k3", "sms", false, 900), 1);  // after the goal: not converted
    b.Feed(goal, 1);
    b.Feed(fixed, 3);
  }
  const experiments::BanditReport r = b.Report(JourneyId("cart"), "nudge");
  ASSERT_EQ(r.channels.size(), 2u);
  EXPECT_EQ(r.channels[1].channel, "sms");
  EXPECT_EQ(r.channels[1].counts.sent, 2u);
  EXPECT_EQ(r.channels[1].counts.converted, 1u);
  EXPECT_EQ(r.control.sent, 1u);
  EXPECT_EQ(r.control.converted, 0u);
  // A goal seen before the send converts it when it comes (events in any order).
  ChannelBandits late;
  late.Feed(goal, 1);
  late.Feed(sent("k1", "sms", false, 100), 1);
  EXPECT_EQ(late.Report(JourneyId("cart"), "nudge").optimized.converted, 1u);
  // A re-processing finds the recorded choice by its key.
  ASSERT_NE(b.SendOf("k2"), nullptr);
  EXPECT_TRUE(b.SendOf("k2")->control);
  EXPECT_EQ(b.SendOf("k9"), nullptr);
}

}  // namespace
}  // namespace signpost
