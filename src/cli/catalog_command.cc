// `signpost catalog`: the event catalog (every event name and type, its properties with their
// JSON types, volumes, sources, plan violations); `--drift`: the schema drift findings.
#include "cli/catalog_command.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/remote.h"
#include "signpost/engine.h"
#include "signpost/event_catalog.h"
#include "wire/event_catalog_json.h"

namespace signpost::cli {

namespace {

// An ISO time of the document, or "-" (null when unknown).
std::string TimeText(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : "-"; }

void PrintCatalog(const nlohmann::json& doc) {
  const auto& events = doc["events"];
  if (events.empty()) std::cout << "no events in the catalog\n";
  for (const auto& e : events) {
    const std::string name = e["name"].get<std::string>();
    std::cout << fmt::format("{} {}  {} events  first {}  last {}\n", e["type"].get<std::string>(),
                             name.empty() ? "(no name)" : "'" + name + "'",
                             e["count"].get<uint64_t>(), TimeText(e["first_seen"]),
                             TimeText(e["last_seen"]));
    for (const auto& p : e["properties"]) {
      std::string types;
      for (const auto& t : p["types"]) {
        types += fmt::format("{}{} {:.0f}%", types.empty() ? "" : ", ",
                             t["type"].get<std::string>(), 100 * t["share"].get<double>());
      }
      std::string examples;
      for (const auto& x : p["examples"]) {
        examples += (examples.empty() ? "" : ", ") + x.get<std::string>();
      }
      std::cout << fmt::format("  {}  {}  on {:.0f}%{}\n", p["path"].get<std::string>(), types,
                               100 * p["presence"].get<double>(),
                               examples.empty() ? "" : "  e.g. " + examples);
    }
    for (const auto& v : e["violations"]) {
      std::cout << fmt::format("  violation ({} plan '{}'): {}  x{} ({} blocked)\n",
                               v["rule"].get<std::string>(), v["plan"].get<std::string>(),
                               v["message"].get<std::string>(), v["count"].get<uint64_t>(),
                               v["blocked"].get<uint64_t>());
    }
  }
  const auto& limits = doc["limits"];
  if (limits["events_over_cap"].get<uint64_t>() > 0) {
    std::cout << fmt::format("{} events of names past the cap of {} were only counted\n",
                             limits["events_over_cap"].get<uint64_t>(),
                             limits["max_events"].get<uint64_t>());
  }
}

void PrintDrift(const nlohmann::json& doc) {
  const auto& findings = doc["findings"];
  if (findings.empty()) std::cout << "no schema drift\n";
  for (const auto& f : findings) {
    std::cout << fmt::format("{}  {}\n  {}\n  since {}  key {}\n", f["kind"].get<std::string>(),
                             f["title"].get<std::string>(), f["detail"].get<std::string>(),
                             f["first_detected"].get<std::string>(), f["key"].get<std::string>());
  }
}

// `r` as its JSON document (command_support.h's Written sees only wire.h's writers).
template <class T>
Result<nlohmann::json> CatalogJson(const Result<T>& r) {
  if (!r.ok()) return r.status();
  return wire::ToJson(*r);
}

}  // namespace

void RegisterCatalog(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "catalog", "The event catalog: every event, its properties, types, volumes and sources");
  struct Flags {
    std::string search;
    int hours = 48;
    bool drift = false;
  };
  auto flags = std::make_shared<Flags>();
  cmd->add_option("--search", flags->search, "Only events whose name or a property path has this");
  cmd->add_option("--hours", flags->hours, "Hourly volumes for the last N hours (0-1344)");
  cmd->add_flag("--drift", flags->drift,
                "The schema drift findings instead (new, renamed, stopped events; type changes)");
  cmd->callback([&g, flags] {
    if (flags->drift) {
      LocalOrRemote(
          g, false,
          [&](Engine& engine) { return Show(g, CatalogJson(engine.SchemaDrift()), PrintDrift); },
          [&] { return Show(g, RemoteCall(g, "GET", "/api/catalog/drift"), PrintDrift); });
      return;
    }
    const nlohmann::json query = {{"search", flags->search},
                                  {"hours", std::to_string(flags->hours)}};
    LocalOrRemote(
        g, false,
        [&](Engine& engine) -> int {
          auto q = wire::ParseCatalogQuery(query);
          if (!q.ok()) return PrintError(q.status());
          return Show(g, CatalogJson(engine.EventCatalog(*q)), PrintCatalog);
        },
        [&] {
          return Show(g, RemoteCall(g, "GET", "/api/catalog" + QueryString(query)), PrintCatalog);
        });
  });
}

}  // namespace signpost::cli
