// catalog_bench: the event catalog's cost on ingest (issue 15). Imports the same NDJSON file
// (--file, e.g. bench/data/events-*.ndjson from gen_events) into a fresh data folder with the
// catalog counting every commit ("on") and with it off, alternating, --runs times each, through
// Engine::Import (parse on every core, one commit thread, fsync per group: what `signpost import`
// does). Reports the best events/s of each and the cost: 1 - on/off. Then checks the catalog of
// the last "on" run counted every accepted event. Prints human-readable lines on stderr and one
// JSON line on stdout.
// Usage: catalog_bench --file FILE [--runs 3] [--dir DIR (default: a new temp folder, removed)]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "signpost/engine.h"
#include "signpost/event_catalog.h"

namespace {

using namespace signpost;

struct RunResult {
  double seconds = 0;
  uint64_t accepted = 0;
  uint64_t cataloged = 0;  // events the catalog counted (on)
};

Result<RunResult> ImportOnce(const std::string& file, const std::filesystem::path& dir, bool on) {
  std::filesystem::remove_all(dir);
  EngineOptions o;
  o.data_dir = dir.string();
  SP_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(o));
  engine->SetEventCatalogObserving(on);
  const auto start = std::chrono::steady_clock::now();
  SP_ASSIGN_OR_RETURN(ImportSummary s, engine->Import(file, ImportFormat::kNdjson, {}));
  RunResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.accepted = s.outcome.accepted;
  if (on) {
    SP_ASSIGN_OR_RETURN(EventCatalogReport catalog, engine->EventCatalog(CatalogQuery{}));
    for (const CatalogEvent& e : catalog.events) r.cataloged += e.count;
  }
  engine.reset();
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("catalog_bench: the event catalog's cost on import");
  std::string file, dir;
  int runs = 3;
  app.add_option("--file", file, "NDJSON file to import")->required();
  app.add_option("--runs", runs, "Runs of each mode");
  app.add_option("--dir", dir, "Work folder (default: a new temp folder)");
  CLI11_PARSE(app, argc, argv);
  const bool own = dir.empty();
  const std::filesystem::path work =
      own ? std::filesystem::temp_directory_path() /
                ("signpost-catalog-bench-" + std::to_string(std::random_device{}()))
          : std::filesystem::path(dir);
  double best_on = 0, best_off = 0;
  uint64_t accepted = 0, cataloged = 0;
  for (int run = 0; run < runs; ++run) {
    for (int k = 0; k < 2; ++k) {
      const bool on = (run + k) % 2 == 0;  // alternate which mode goes first
      auto r = ImportOnce(file, work / "data", on);
      if (!r.ok()) {
        std::cerr << "catalog_bench: " << r.status().ToString() << "\n";
        return 1;
      }
      const double eps = double(r->accepted) / r->seconds;
      std::cerr << fmt::format("catalog {}: {} events in {:.3f} s = {:.0f} events/s\n",
                               on ? "on " : "off", r->accepted, r->seconds, eps);
      (on ? best_on : best_off) = std::max(on ? best_on : best_off, eps);
      accepted = r->accepted;
      if (on) cataloged = r->cataloged;
    }
  }
  if (own) std::filesystem::remove_all(work);
  const double cost = best_off > 0 ? 100.0 * (1.0 - best_on / best_off) : 0;
  std::cerr << fmt::format("catalog cost on import: {:.1f}% (best of {} runs each)\n", cost, runs);
  if (cataloged != accepted) {
    std::cerr << fmt::format("catalog_bench: the catalog counted {} of {} events\n", cataloged,
                             accepted);
    return 1;
  }
  std::cout << nlohmann::json{{"bench", "catalog"},
                              {"events", accepted},
                              {"runs", runs},
                              {"on_events_per_second", std::lround(best_on)},
                              {"off_events_per_second", std::lround(best_off)},
                              {"cost_percent", std::round(cost * 10) / 10}}
                   .dump()
            << "\n";
  return 0;
}
