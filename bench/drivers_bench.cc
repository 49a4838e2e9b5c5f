// drivers_bench: the error rates and the cost of step drivers (src/engine/driver_simulation.h,
// src/analytics/step_drivers.h, src/experiments/association.h).
//
//   drivers_bench                              # the defaults below; same flags = same figures
//   drivers_bench --seeds 200 --people 20000 --cost-events 10000000 --cost-profiles 1000000
//
// Part 1, the proof over --seeds seeded populations (the generator plants a plan that triples the
// base conversion of 10% and a message that adds 5 points in the "trial" segment among 50 null
// events and 5 null colours): how often each planted driver is found (power) and how often its true
// odds ratio and difference fall inside both 95% intervals (coverage), and the false-discovery
// rate over the null candidates (mean false-discovery proportion over seeds, with its 95% interval,
// against the stated 5%).
// Part 2, the cost: drivers for one step (every event name as a candidate) over an in-memory index
// of --cost-events events and --cost-profiles profiles, --threads threads: best and median wall
// time of --runs runs after a warm-up, and the CPU seconds of the process per run; then the same
// for multi-path reporting of that step (src/analytics/funnel_paths.h: the top 10 sequences of up
// to 5 events after step 1, on the same index; every person's events are random names, so nearly
// every sequence is distinct and the distinct-sequence cap is reached: the worst case for its
// memory).
//   drivers_bench --seeds 0 --runs 3          # the cost figures only
// Prints a table to stderr and one JSON line to stdout.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "analytics/bulk_load.h"
#include "analytics/event_index.h"
#include "analytics/funnel_definition.h"
#include "analytics/funnel_paths.h"
#include "analytics/step_drivers.h"
#include "engine/driver_simulation.h"
#include "experiments/association.h"
#include "experiments/stats.h"

namespace {

using signpost::TimeMs;
namespace analytics = signpost::analytics;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Each profile: Signed Up, then events of 40 names over the next week; 30% also Activated.
void LoadCostIndex(analytics::EventIndex& index, uint64_t events, uint64_t profiles, int threads,
                   uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> names;
  for (int k = 0; k < 40; ++k) names.push_back("Event " + std::to_string(k));
  std::vector<analytics::BulkRows> parts(1);
  parts[0].Reserve(events);
  const uint64_t per = std::max<uint64_t>(2, events / profiles);
  uint64_t seq = 0;
  const TimeMs t0 = 1'700'000'000'000;
  for (uint64_t p = 1; p <= profiles; ++p) {
    const TimeMs t = t0 + static_cast<TimeMs>(rng() % (30ull * 86'400'000));
    parts[0].Add(p, t, ++seq, "Signed Up", signpost::EventType::kTrack);
    const bool activated = rng() % 10 < 3;
    const TimeMs at = t + static_cast<TimeMs>(rng() % (7ull * 86'400'000));
    for (uint64_t e = 2; e < per + (activated ? 0 : 1); ++e)
      parts[0].Add(p, t + static_cast<TimeMs>(rng() % (7ull * 86'400'000)), ++seq,
                   names[rng() % names.size()], signpost::EventType::kTrack);
    if (activated) parts[0].Add(p, at, ++seq, "Activated", signpost::EventType::kTrack);
  }
  if (!index.BulkLoad(parts, threads).ok()) std::fprintf(stderr, "bulk load failed\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"drivers_bench: step drivers' error rates and cost"};
  int seeds = 200, threads = 2, runs = 5;
  uint64_t people = 20000, cost_events = 10'000'000, cost_profiles = 1'000'000, seed = 42;
  app.add_option("--seeds", seeds, "seeded populations for the error rates");
  app.add_option("--people", people, "people per seeded population");
  app.add_option("--cost-events", cost_events, "events of the cost index (0: skip)");
  app.add_option("--cost-profiles", cost_profiles, "profiles of the cost index");
  app.add_option("--threads", threads, "query threads");
  app.add_option("--runs", runs, "timed runs of the cost query");
  app.add_option("--seed", seed, "first seed");
  CLI11_PARSE(app, argc, argv);

  // ---- part 1: the proof
  int pro_found = 0, pro_covered = 0, message_found = 0, message_covered = 0;
  double fdp_sum = 0, fdp_sq = 0;
  uint64_t null_tested = 0, null_discoveries = 0, discoveries = 0;
  signpost::engine::DriverSimulationOptions o;
  o.people = people;
  o.threads = threads;
  for (int s = 0; s < seeds; ++s) {
    o.seed = seed + static_cast<uint64_t>(s);
    const auto r = signpost::engine::SimulateDrivers(o);
    pro_found += r.pro_found;
    pro_covered += r.pro_covered;
    message_found += r.message_found;
    message_covered += r.message_covered;
    fdp_sum += r.false_discovery_proportion;
    fdp_sq += r.false_discovery_proportion * r.false_discovery_proportion;
    null_tested += r.null_tested;
    null_discoveries += r.null_discoveries;
    discoveries += r.discoveries;
  }
  const double n = std::max(1, seeds);
  const double fdr = fdp_sum / n;
  const double fdr_se = std::sqrt(std::max(0.0, fdp_sq / n - fdr * fdr) / n);
  auto rate = [&](int k) { return k / n; };
  std::fprintf(stderr, "step drivers: %d seeds x %llu people, stated FDR %.0f%%\n", seeds,
               static_cast<unsigned long long>(people), 100 * o.fdr);
  std::fprintf(stderr, "  plan=pro (x%.0f base)   found %5.1f%%  true effect covered %5.1f%%\n",
               o.pro_factor, 100 * rate(pro_found), 100 * rate(pro_covered));
  std::fprintf(stderr, "  message (+%.0f pts, trial) found %5.1f%%  true effect covered %5.1f%%\n",
               100 * o.message_lift, 100 * rate(message_found), 100 * rate(message_covered));
  std::fprintf(stderr,
               "  false-discovery rate %.2f%% (95%% CI %.2f%%-%.2f%%); %llu null discoveries "
               "of %llu null tests, %llu discoveries\n",
               100 * fdr, 100 * std::max(0.0, fdr - 1.96 * fdr_se), 100 * (fdr + 1.96 * fdr_se),
               static_cast<unsigned long long>(null_discoveries),
               static_cast<unsigned long long>(null_tested),
               static_cast<unsigned long long>(discoveries));

  // ---- part 2: the cost
  double best = 0, median = 0, cpu_per_run = 0, load_seconds = 0;
  uint64_t candidates = 0, reached = 0;
  double paths_best = 0, paths_median = 0, paths_cpu_per_run = 0;
  uint64_t paths_distinct = 0, paths_untracked = 0;
  if (cost_events > 0) {
    analytics::EventIndex index;
    const double l0 = WallSeconds();
    LoadCostIndex(index, cost_events, cost_profiles, threads, seed);
    load_seconds = WallSeconds() - l0;
    const auto def = *analytics::ParseAdHocFunnel("Signed Up>Activated");
    analytics::FunnelOptions options;
    options.threads = threads;
    analytics::DriverCandidates cand;
    std::vector<double> walls;
    double cpu = 0;
    for (int r = 0; r <= runs; ++r) {
      const double w0 = WallSeconds(), c0 = CpuSeconds();
      auto counts = analytics::CountStepDrivers(index, def, options, 1, false, cand, nullptr);
      signpost::StepDriversReport report;
      if (counts.ok()) {
        reached = counts->reached;
        candidates = counts->candidates.size();
        signpost::experiments::RankDrivers(std::move(counts->candidates), 30, 0.05, 50, &report);
      }
      const double w = WallSeconds() - w0, c = CpuSeconds() - c0;
      if (r == 0) continue;  // warm-up
      walls.push_back(w);
      cpu += c;
    }
    // Multi-path reporting of the same step on the same index.
    std::vector<double> path_walls;
    double path_cpu = 0;
    for (int r = 0; r <= runs; ++r) {
      const double w0 = WallSeconds(), c0 = CpuSeconds();
      auto paths =
          analytics::CountFunnelPaths(index, def, options, analytics::PathOptions{}, nullptr);
      const double w = WallSeconds() - w0, c = CpuSeconds() - c0;
      if (paths.ok()) {
        paths_distinct = paths->distinct;
        paths_untracked = paths->untracked;
      }
      if (r == 0) continue;  // warm-up
      path_walls.push_back(w);
      path_cpu += c;
    }
    std::sort(path_walls.begin(), path_walls.end());
    paths_best = path_walls.front();
    paths_median = path_walls[path_walls.size() / 2];
    paths_cpu_per_run = path_cpu / runs;
    std::fprintf(stderr,
                 "paths of step 1 (top 10, up to 5 events): best %.3f s, median %.3f s wall, %.3f "
                 "CPU-s a run; %llu distinct sequences kept, %llu people past the cap\n",
                 paths_best, paths_median, paths_cpu_per_run,
                 static_cast<unsigned long long>(paths_distinct),
                 static_cast<unsigned long long>(paths_untracked));
    std::sort(walls.begin(), walls.end());
    best = walls.front();
    median = walls[walls.size() / 2];
    cpu_per_run = cpu / runs;
    std::fprintf(stderr,
                 "cost: %llu events, %llu profiles (%llu reached step 1, %llu candidates), %d "
                 "threads: best %.3f s, median %.3f s wall, %.3f CPU-s a run (load %.1f s)\n",
                 static_cast<unsigned long long>(index.EventCount()),
                 static_cast<unsigned long long>(index.ProfileCount()),
                 static_cast<unsigned long long>(reached),
                 static_cast<unsigned long long>(candidates), threads, best, median, cpu_per_run,
                 load_seconds);
  }
  std::printf(
      "{\"seeds\":%d,\"people\":%llu,\"stated_fdr\":%.3f,\"fdr\":%.5f,\"fdr_ci\":[%.5f,%.5f],"
      "\"pro_power\":%.4f,\"pro_coverage\":%.4f,\"message_power\":%.4f,\"message_coverage\":%.4f,"
      "\"cost_events\":%llu,\"cost_profiles\":%llu,\"threads\":%d,\"best_seconds\":%.4f,"
      "\"median_seconds\":%.4f,\"cpu_seconds\":%.4f,\"paths_best_seconds\":%.4f,"
      "\"paths_median_seconds\":%.4f,\"paths_cpu_seconds\":%.4f}\n",
      seeds, static_cast<unsigned long long>(people), o.fdr, fdr,
      std::max(0.0, fdr - 1.96 * fdr_se), fdr + 1.96 * fdr_se, rate(pro_found), rate(pro_covered),
      rate(message_found), rate(message_covered), static_cast<unsigned long long>(cost_events),
      static_cast<unsigned long long>(cost_profiles), threads, best, median, cpu_per_run,
      paths_best, paths_median, paths_cpu_per_run);
  return 0;
}
