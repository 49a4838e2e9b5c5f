// erase_bench: privacy erasure on a large store (issue 13). Builds a data folder of --events
// synthetic events over --profiles profiles (bench/synthetic.h; userId = the profile number, an
// identify with an email trait first for every profile), ingested through Engine::IngestEvents with
// fsync on, then:
//  1. erases 1 person (Engine::Regulate DELETE): the time until the person is erased and refused
//     from then on (the regulation's last chunk done: events, identities, traits gone from the
//     store and the index; "acknowledged") and until Regulate returns (the store purged: the bytes
//     gone from every file, "physically gone");
//  2. erases --batch people in one regulation, the same two times.
// Prints human-readable lines on stderr and one JSON line on stdout.
// Usage: erase_bench [--events 10000000] [--profiles 1000000] [--batch 10000] [--seed 42]
//        [--dir DIR (default: a new temp folder, removed after)]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "base/time.h"
#include "signpost/engine.h"
#include "synthetic.h"

namespace {

using namespace signpost;
using Steady = std::chrono::steady_clock;

constexpr TimeMs kT0 = 1'767'225'600'000;  // 2026-01-01
constexpr TimeMs kRange = 30LL * 24 * 3600 * 1000;

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The events of profiles [first, end) as Events: an identify (email trait) then the synthetic
// tracks.
void ProfileEvents(uint64_t seed, const std::vector<uint32_t>& counts, uint32_t first, uint32_t end,
                   std::vector<Event>& out) {
  std::vector<bench::SyntheticEvent> synthetic;
  for (uint32_t p = first; p < end; ++p) {
    synthetic.clear();
    bench::GenerateProfile(seed, p + 1, counts[p], kT0, kRange, bench::ProfileModel{}, synthetic);
    const std::string user = std::to_string(p + 1);
    Event id;
    id.type = EventType::kIdentify;
    id.user_id = user;
    id.message_id = "i" + user;
    id.timestamp = id.received_at = synthetic.front().ts_ms - 1;
    id.traits = fmt::format(R"({{"email":"person{}@example.com"}})", user);
    out.push_back(std::move(id));
    for (const auto& s : synthetic) {
      Event e;
      e.type = EventType::kTrack;
      e.user_id = user;
      e.event = bench::kEventNames[s.name];
      e.message_id = fmt::format("g{}-{}", user, s.seq);
      e.timestamp = e.received_at = s.ts_ms;
      out.push_back(std::move(e));
    }
  }
}

struct Timing {
  double acknowledged = 0, gone = 0;
  RegulationReport report;
};

Result<Timing> TimeErase(Engine& engine, std::vector<std::string> ids) {
  RegulationRequest request;
  request.subject = SubjectType::kUserId;
  request.ids = std::move(ids);
  Timing t;
  const auto start = Steady::now();
  auto r = engine.Regulate(request, [&](const RegulationProgress& p) {
    if (p.done == p.total) t.acknowledged = Seconds(start, Steady::now());
  });
  t.gone = Seconds(start, Steady::now());
  if (!r.ok()) return r.status();
  t.report = *r;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"erase_bench: erasing people from a large store"};
  uint64_t events = 10'000'000, profiles = 1'000'000, seed = 42;
  size_t batch = 10'000;
  std::string dir;
  app.add_option("--events", events)->capture_default_str();
  app.add_option("--profiles", profiles)->capture_default_str();
  app.add_option("--batch", batch, "People erased in one regulation")->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  app.add_option("--dir", dir, "Data folder (default: a new temp folder, removed after)");
  CLI11_PARSE(app, argc, argv);
  const bool temp = dir.empty();
  if (temp) {
    dir = (std::filesystem::temp_directory_path() /
           fmt::format("signpost-erase-bench-{}", std::random_device{}()))
              .string();
  }
  auto fail = [&](const Status& s) {
    std::cerr << "erase_bench: " << s.ToString() << "\n";
    if (temp) std::filesystem::remove_all(dir);
    return 1;
  };

  EngineOptions options;
  options.data_dir = dir;
  auto opened = Engine::Open(options);
  if (!opened.ok()) return fail(opened.status());
  std::unique_ptr<Engine> engine = std::move(opened).value();
  const auto counts = bench::EventsPerProfile(seed, events, profiles);
  const auto load_start = Steady::now();
  if (engine->EventCount() == 0) {
    std::vector<Event> chunk;
    for (uint32_t p = 0; p < profiles;) {
      const uint32_t end = std::min<uint32_t>(profiles, p + 20000);
      chunk.clear();
      ProfileEvents(seed, counts, p, end, chunk);
      auto r = engine->IngestEvents(std::move(chunk));
      if (!r.ok()) return fail(r.status());
      p = end;
    }
  }
  const double load = Seconds(load_start, Steady::now());
  const uint64_t stored = engine->EventCount();
  fmt::print(stderr, "erase_bench: {} events, {} profiles stored in {:.1f}s ({})\n", stored,
             profiles, load, dir);

  // 1. One person, in the middle of the store.
  auto one = TimeErase(*engine, {std::to_string(profiles / 2)});
  if (!one.ok()) return fail(one.status());
  fmt::print(stderr,
             "erase 1 person ({} events): acknowledged (erased, refused from now on) {:.3f}s, "
             "physically gone (purged) {:.3f}s\n",
             one->report.events_erased, one->acknowledged, one->gone);

  // 2. A batch of people spread over the store.
  std::vector<std::string> ids;
  for (size_t i = 0; i < batch; ++i) ids.push_back(std::to_string(1 + (i * 7919) % profiles));
  auto many = TimeErase(*engine, std::move(ids));
  if (!many.ok()) return fail(many.status());
  fmt::print(stderr,
             "erase {} people ({} events) in one regulation: acknowledged {:.3f}s, physically "
             "gone {:.3f}s\n",
             many->report.profiles_erased, many->report.events_erased, many->acknowledged,
             many->gone);

  nlohmann::json out = {{"events", stored},
                        {"profiles", profiles},
                        {"load_seconds", load},
                        {"one",
                         {{"events_erased", one->report.events_erased},
                          {"acknowledged_seconds", one->acknowledged},
                          {"gone_seconds", one->gone}}},
                        {"batch",
                         {{"people", many->report.profiles_erased},
                          {"events_erased", many->report.events_erased},
                          {"acknowledged_seconds", many->acknowledged},
                          {"gone_seconds", many->gone}}}};
  std::cout << out.dump() << "\n";
  engine.reset();
  if (temp) std::filesystem::remove_all(dir);
  return 0;
}
