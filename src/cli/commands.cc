#include "cli/commands.h"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "api/server.h"
#include "base/duration.h"
#include "base/time.h"
#include "cli/command_support.h"
#include "cli/output.h"
#include "cli/report_text.h"
#include "signpost/engine.h"

namespace signpost::cli {
namespace {

using nlohmann::json;

// Blocks SIGINT/SIGTERM in every thread and stops the server from a thread that waits for them.
// The built dashboard when --web is not given: beside the binary (`<bin>/web`, an install), or the
// source tree's `web/dist` seen from a build folder (`<bin>/../web/dist`), or from the current
// folder. "" when none has an index.html.
std::string FindDashboard() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(exe.parent_path() / "web");
    candidates.push_back(exe.parent_path().parent_path() / "web" / "dist");
  }
  candidates.push_back(fs::current_path(ec) / "web" / "dist");
  for (const auto& c : candidates) {
    if (fs::exists(c / "index.html", ec)) return c.lexically_normal().string();
  }
  return "";
}

std::thread StopOnSignal(api::Server& server) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return std::thread([set, &server] {
    int sig = 0;
    sigwait(&set, &sig);
    std::cerr << "signpost: stopping (signal " << sig << ")\n";
    server.Stop();
  });
}

void RegisterServe(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP API, ingest and the dashboard");
  auto opts = std::make_shared<api::ServerOptions>();
  cmd->add_option("--host", opts->host, "Interface to bind")->capture_default_str();
  cmd->add_option("--port", opts->port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "HTTP worker threads")->capture_default_str();
  cmd->add_option(
      "--web", opts->web_root,
      "Folder of the built dashboard (default: found beside the binary or in web/dist)");
  auto public_url = std::make_shared<std::string>(EngineOptions().public_url);
  cmd->add_option("--public-url", *public_url,
                  "Base URL mail clients reach this server at (tracking pixels and links)")
      ->capture_default_str();
  auto future_skew = std::make_shared<std::string>("1d");
  cmd->add_option("--max-future-skew", *future_skew,
                  "Refuse events timed more than this ahead of their receipt (e.g. 1h, 1d)")
      ->capture_default_str();
  auto journey_partitions =
      std::make_shared<uint32_t>(std::max(1u, std::thread::hardware_concurrency()));
  cmd->add_option("--journey-partitions", *journey_partitions,
                  "Journey runtime partitions by profile, one thread each (default: the cores; 0 = "
                  "as the data folder was written)")
      ->capture_default_str();
  auto delivery_workers = std::make_shared<uint32_t>(EngineOptions().delivery_workers);
  cmd->add_option("--delivery-workers", *delivery_workers,
                  "Outbox messages sent at once (each channel's rate_limit still holds)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  cmd->callback([&g, opts, public_url, future_skew, journey_partitions, delivery_workers] {
    spdlog::set_level(spdlog::level::info);
    EngineOptions engine_options;
    engine_options.data_dir = g.data_dir;
    engine_options.public_url = *public_url;
    engine_options.delivery_thread = true;
    engine_options.retention_thread = true;  // privacy: retention
    engine_options.journey_partitions = *journey_partitions;
    engine_options.delivery_workers = *delivery_workers;
    Result<DurationMs> skew = ParseDuration(*future_skew);
    if (!skew.ok()) {
      g.exit_code =
          PrintError(Status::InvalidArgument("--max-future-skew: " + skew.status().message()));
      return;
    }
    engine_options.max_future_skew_ms = *skew;
    auto opened = Engine::Open(engine_options);
    if (!opened.ok()) {
      g.exit_code = PrintError(opened.status());
      return;
    }
    g.exit_code = [&](Engine& engine) {
      auto keys = engine.ListKeys();
      if (keys.ok() && keys->empty()) {
        // First start: without a key nobody could send or read anything.
        auto write = engine.CreateKey("write", "default");
        auto admin = engine.CreateKey("admin", "default");
        if (write.ok() && admin.ok()) {
          std::cout << "first start: created write key " << write->token << " and admin token "
                    << admin->token << " (list them with `signpost keys list`)\n";
        }
      }
      if (opts->web_root.empty()) opts->web_root = FindDashboard();
      if (opts->web_root.empty())
        spdlog::warn(
            "no dashboard found (build it with `make web`, or pass --web DIR); serving the API "
            "only");
      api::Server server(engine, *opts);
      Status bound = server.Bind();
      if (!bound.ok()) return PrintError(bound);
      std::thread stopper = StopOnSignal(server);
      std::cout << "listening on http://" << opts->host << ":" << server.port() << std::endl;
      Status s = server.Run();
      pthread_kill(stopper.native_handle(), SIGTERM);
      stopper.join();
      return s.ok() ? 0 : PrintError(s);
    }(**opened);
  });
}

void RegisterImport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("import", "Import events from NDJSON or CSV files");
  auto files = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("auto");
  cmd->add_option("files", *files, "Files to import")->required();
  cmd->add_option("--format", *format, "ndjson | csv | auto (by extension)")
      ->check(CLI::IsMember({"auto", "ndjson", "csv"}));
  cmd->callback([&g, files, format] {
    WithEngine(g, false, [&](Engine& engine) {
      ImportFormat f = *format == "csv"      ? ImportFormat::kCsv
                       : *format == "ndjson" ? ImportFormat::kNdjson
                                             : ImportFormat::kAuto;
      const bool bar = !g.json && StderrIsTerminal();
      json summaries = json::array();
      for (const auto& path : *files) {
        auto start = std::chrono::steady_clock::now();
        auto progress = [&](const ImportProgress& p) {
          if (!bar) return;
          DrawProgress(
              p, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        };
        auto summary = engine.Import(path, f, progress);
        if (bar) std::cerr << "\n";
        if (!summary.ok()) return PrintError(summary.status());
        summaries.push_back(ImportSummaryJson(path, *summary));
      }
      if (g.json) {
        PrintJson(summaries.size() == 1 ? summaries[0] : summaries);
      } else {
        for (const auto& s : summaries) PrintImportSummary(s);
      }
      return 0;
    });
  });
}

void RegisterProfile(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("profile", "Show a profile: identities, traits, consent, events");
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "userId, anonymousId, or user:/anon: identity")->required();
  cmd->callback([&g, id] {
    WithEngine(g, false,
               [&](Engine& engine) { return Show(g, Written(engine.Profile(*id)), PrintProfile); });
  });
}

void RegisterEvents(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("events", "List a profile's events, or count all events");
  auto profile = std::make_shared<std::string>();
  auto limit = std::make_shared<size_t>(100);
  auto count = std::make_shared<bool>(false);
  cmd->add_option("--profile", *profile, "The profile (any of its identities)");
  cmd->add_option("--limit", *limit, "At most this many events")->capture_default_str();
  cmd->add_flag("--count", *count, "Print the number of stored events");
  cmd->callback([&g, profile, limit, count] {
    WithEngine(g, false, [&](Engine& engine) {
      if (*count || profile->empty()) {
        json doc = {{"count", engine.EventCount()}};
        return Show(g, doc, [](const json& d) { std::cout << d["count"] << " events\n"; });
      }
      return Show(g, Written(engine.ProfileEvents(*profile, *limit)), PrintEvents);
    });
  });
}

void RegisterDeadLetters(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("deadletters", "List rejected input, or re-import it");
  auto limit = std::make_shared<size_t>(100);
  cmd->add_option("--limit", *limit, "At most this many")->capture_default_str();
  auto* reimport =
      cmd->add_subcommand("reimport", "Parse dead letters again; store those now valid");
  auto ids = std::make_shared<std::vector<uint64_t>>();
  reimport->add_option("ids", *ids, "Dead-letter ids (default: all)");
  reimport->callback([&g, ids] {
    WithEngine(g, false, [&](Engine& engine) {
      auto outcome = engine.ReimportDeadLetters(*ids);
      if (!outcome.ok()) return PrintError(outcome.status());
      json doc = {{"accepted", outcome->accepted},
                  {"duplicates", outcome->duplicates},
                  {"still_rejected", outcome->rejections.size()}};
      return Show(g, doc, [](const json& d) {
        std::cout << d["accepted"] << " re-imported, " << d["duplicates"] << " duplicates, "
                  << d["still_rejected"] << " still rejected\n";
      });
    });
  });
  cmd->callback([&g, limit, cmd] {
    if (cmd->got_subcommand("reimport")) return;
    WithEngine(g, false, [&](Engine& engine) {
      return Show(g, Written(engine.ListDeadLetters(*limit)), PrintDeadLetters);
    });
  });
}

void RegisterKeys(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("keys", "Write keys (ingest) and admin tokens (API)");
  cmd->require_subcommand(1);
  auto* create = cmd->add_subcommand("create", "Create a key");
  auto kind = std::make_shared<std::string>("write");
  auto name = std::make_shared<std::string>("");
  create->add_option("--kind", *kind, "write | admin")->check(CLI::IsMember({"write", "admin"}));
  create->add_option("--name", *name, "A label for the key");
  create->callback([&g, kind, name] {
    WithEngine(g, false, [&](Engine& engine) {
      return Show(g, Written(engine.CreateKey(*kind, *name)),
                  [](const json& d) { std::cout << d["token"].get<std::string>() << "\n"; });
    });
  });
  cmd->add_subcommand("list", "List keys")->callback([&g] {
    WithEngine(g, false, [&](Engine& engine) {
      auto keys = engine.ListKeys();
      if (!keys.ok()) return PrintError(keys.status());
      json doc = json::array();
      for (const ApiKeyInfo& k : *keys) doc.push_back(wire::ToJson(k));
      return Show(g, doc, PrintKeys);
    });
  });
  auto* revoke = cmd->add_subcommand("revoke", "Revoke a key");
  auto token = std::make_shared<std::string>();
  revoke->add_option("token", *token, "The key, or a unique prefix of it")->required();
  revoke->callback([&g, token] {
    WithEngine(g, false, [&](Engine& engine) {
      Status s = engine.RevokeKey(*token);
      if (!s.ok()) return PrintError(s);
      if (!g.json) std::cout << "revoked\n";
      return 0;
    });
  });
}

void RegisterAudit(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "audit", "The audit log of admin actions: who applied, started, erased what, and when");
  auto query = std::make_shared<AuditQuery>();
  cmd->add_option("--limit", query->limit, "Entries to show (the last ones unless --after)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--after", query->after, "Entries after this seq, oldest first");
  cmd->add_option("--action", query->action, "Only this action (apply, journey.state, erase, ...)");
  cmd->callback([&g, query] {
    WithEngine(g, false, [&](Engine& engine) {
      return Show(g, Written(engine.Audit(*query)), [](const json& d) {
        std::vector<std::vector<std::string>> rows = {
            {"SEQ", "AT", "ACTOR", "ACTION", "TARGET", "OUTCOME"}};
        for (const json& e : d["entries"]) {
          rows.push_back({std::to_string(e["seq"].get<uint64_t>()),
                          FormatIso8601(e["at"].get<TimeMs>()), e["actor"].get<std::string>(),
                          e["action"].get<std::string>(), e["target"].get<std::string>(),
                          e["outcome"].get<std::string>()});
        }
        PrintTable(rows);
      });
    });
  });
}

void RegisterApply(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "apply",
      "Validate and store definitions (funnel, segment, journey, template, channel, settings)");
  auto files = std::make_shared<std::vector<std::string>>();
  auto note = std::make_shared<std::string>();
  cmd->add_option("-f,--file", *files,
                  "YAML or JSON definitions (repeat -f; `---` separates documents)")
      ->required();
  cmd->add_option("--note", *note, "Change note (else the definition's `note`)");
  cmd->callback([&g, files, note] {
    // Every document of every file is applied as one: all or nothing.
    std::vector<std::string> texts;
    std::vector<std::string_view> docs;
    std::vector<std::string> where;
    texts.reserve(files->size());
    for (const auto& file : *files) {
      std::ifstream in(file);
      if (!in) {
        g.exit_code = PrintError(Status::NotFound(file + ": cannot read the file"));
        return;
      }
      std::stringstream text;
      text << in.rdbuf();
      texts.push_back(text.str());
    }
    for (size_t f = 0; f < texts.size(); ++f) {
      auto parts = DefinitionDocuments(texts[f]);
      for (size_t i = 0; i < parts.size(); ++i) {
        docs.push_back(parts[i]);
        where.push_back(parts.size() > 1 ? fmt::format("{} (document {})", (*files)[f], i + 1)
                                         : (*files)[f]);
      }
    }
    if (docs.empty()) {
      g.exit_code = PrintError(Status::InvalidArgument("no definitions in the files given"));
      return;
    }
    WithEngine(g, false, [&](Engine& engine) {
      size_t failed = 0;
      auto r = engine.ApplyDocuments(docs, *note, &failed);
      if (!r.ok())
        return PrintError(Status(r.status().code(), where[failed] + ": " + r.status().message()));
      if (g.json) {
        json applied = json::array();
        for (const AppliedDefinition& a : r->applied) applied.push_back(wire::ToJson(a));
        PrintJson(applied.size() == 1 ? applied[0] : applied);
      } else {
        for (const AppliedDefinition& a : r->applied)
          std::cout << "applied " << DefinitionKindName(a.kind) << " " << a.id << " version "
                    << a.version << "\n";
      }
      return 0;
    });
  });
}

}  // namespace

void RegisterCommands(CLI::App& app, Globals& g) {
  app.add_option("--data", g.data_dir, "The data folder")->capture_default_str();
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  // --data and --json are accepted after the subcommand too.
  app.fallthrough();
  RegisterServe(app, g);
  RegisterImport(app, g);
  RegisterProfile(app, g);
  RegisterEvents(app, g);
  RegisterDeadLetters(app, g);
  RegisterKeys(app, g);
  RegisterAudit(app, g);
  RegisterApply(app, g);
  RegisterFunnel(app, g);
  RegisterSegments(app, g);
  RegisterJourneys(app, g);
  RegisterGoals(app, g);
  RegisterReplay(app, g);
  RegisterPrivacy(app, g);
  RegisterDelivery(app, g);
  RegisterExperiments(app, g);
  RegisterExport(app, g);
  RegisterRetention(app, g);  // privacy: retention
}

}  // namespace signpost::cli
