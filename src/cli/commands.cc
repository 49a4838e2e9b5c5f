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
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "api/access_log.h"
#include "api/cors.h"
#include "api/import_json.h"
#include "api/logging.h"
#include "api/server.h"
#include "api/tls.h"
#include "base/build_info.h"
#include "base/duration.h"
#include "base/time.h"
#include "cli/catalog_command.h"
#include "cli/command_support.h"
#include "cli/env_names.h"
#include "cli/output.h"
#include "cli/remote_config.h"
#include "cli/report_text.h"
#include "signpost/engine.h"

namespace signpost::cli {
namespace {

using nlohmann::json;

// The built dashboard when --web is not given: an install's `<prefix>/share/signpost/web` seen
// from `<prefix>/bin/signpost`, or beside the binary (`<bin>/web`), or the source tree's
// `web/dist` seen from a build folder (`<bin>/../web/dist`), or from the current folder. "" when
// none has an index.html.
std::string FindDashboard() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path() / "share" / "signpost" / "web");
    candidates.push_back(exe.parent_path() / "web");
    candidates.push_back(exe.parent_path().parent_path() / "web" / "dist");
  }
  candidates.push_back(fs::current_path(ec) / "web" / "dist");
  for (const auto& c : candidates) {
    if (fs::exists(c / "index.html", ec)) return c.lexically_normal().string();
  }
  return "";
}

// SIGINT/SIGTERM for `serve`: blocked in the calling thread and so in every thread it starts after
// (construct it first, before any thread exists: a thread started earlier would take the signal
// and die of it, skipping the clean stop), and waited for on a thread of its own. While a server is
// set, a signal stops it; before that (opening the store) the process ends as the signal would
// have ended it.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] { Wait(); });
  }
  ~StopSignals() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    pthread_kill(thread_.native_handle(), SIGTERM);  // wakes the waiter if it still waits
    thread_.join();
  }
  // The server a signal stops (nullptr: none, it has stopped).
  void Serving(api::Server* server) {
    std::lock_guard<std::mutex> lock(mu_);
    server_ = server;
  }

 private:
  void Wait() {
    int sig = 0;
    sigwait(&set_, &sig);
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) return;
    spdlog::info("stopping (signal {})", sig);  // through the log, in its format
    if (server_ == nullptr) std::_Exit(128 + sig);
    server_->Stop();
  }

  sigset_t set_;
  std::mutex mu_;
  api::Server* server_ = nullptr;
  bool done_ = false;
  std::thread thread_;
};

// serve's log flags: the application log (stderr) and the access log (stdout by default, as
// nginx's container images do: requests and the server's own messages are separate streams, and
// a service manager or `docker logs` keeps both; `--access-log FILE` or `off` otherwise).
struct ServeLogFlags {
  std::string access_log = "-";
  std::string format = "text";
  std::string level = "info";

  // Installs the application log and opens the access log into `server` (none for "off").
  Result<std::unique_ptr<api::ApplicationLog>> Open(api::ServerOptions& server) const {
    SP_ASSIGN_OR_RETURN(api::LogFormat log_format, api::ParseLogFormat(format));
    SP_ASSIGN_OR_RETURN(spdlog::level::level_enum log_level, api::ParseLogLevel(level));
    if (access_log != "off") {
      auto opened = api::AccessLog::Open(access_log, log_format);
      if (!opened.ok())
        return Status::InvalidArgument("--access-log: " + opened.status().message());
      server.access_log = std::move(*opened);
    }
    return std::make_unique<api::ApplicationLog>(log_level, log_format);
  }
};

void RegisterServe(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP API, ingest and the dashboard");
  auto opts = std::make_shared<api::ServerOptions>();
  cmd->add_option("--host", opts->host, "Interface to bind")->capture_default_str();
  cmd->add_option("--port", opts->port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "HTTP worker threads")->capture_default_str();
  cmd->add_option(
      "--web", opts->web_root,
      "Folder of the built dashboard (default: <prefix>/share/signpost/web of an install, "
      "else beside the binary or web/dist)");
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
  cmd->add_option("--tls-cert", opts->tls_cert_file,
                  "PEM certificate chain (the server's first): serve HTTPS only; needs --tls-key");
  cmd->add_option("--tls-key", opts->tls_key_file,
                  "PEM private key (unencrypted) of the --tls-cert certificate");
  auto cors_origins = std::make_shared<std::string>();
  cmd->add_option("--cors-origins", *cors_origins,
                  "Web origins whose pages may send to /v1/* from a browser (analytics.js): "
                  "comma-separated exact origins (https://shop.example.com), or * for any; "
                  "default none");
  // ---- operations: logs (src/api/logging.h, access_log.h)
  auto logs = std::make_shared<ServeLogFlags>();
  cmd->add_option("--access-log", logs->access_log,
                  "Access log, one line per request: a file (appended to), - for stdout, or off")
      ->capture_default_str();
  cmd->add_option("--log-format", logs->format, "Format of both logs: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--log-level", logs->level,
                  "Application log level (stderr): trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  auto delivery_workers = std::make_shared<uint32_t>(EngineOptions().delivery_workers);
  cmd->add_option("--delivery-workers", *delivery_workers,
                  "Outbox messages sent at once (each channel's rate_limit still holds)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  cmd->callback([&g, opts, public_url, future_skew, journey_partitions, cors_origins, logs,
                 delivery_workers] {
    StopSignals stop_signals;  // first, before any thread starts
    Result<std::unique_ptr<api::ApplicationLog>> app_log = logs->Open(*opts);
    if (!app_log.ok()) {
      g.exit_code = PrintError(app_log.status());
      return;
    }
    EngineOptions engine_options;
    engine_options.data_dir = g.data_dir;
    engine_options.public_url = *public_url;
    engine_options.delivery_thread = true;
    engine_options.retention_thread = true;  // privacy: retention
    engine_options.alerts_thread = true;     // alerts: step health each hour, notifications
    engine_options.journey_partitions = *journey_partitions;
    engine_options.delivery_workers = *delivery_workers;
    Result<DurationMs> skew = ParseDuration(*future_skew);
    if (!skew.ok()) {
      g.exit_code =
          PrintError(Status::InvalidArgument("--max-future-skew: " + skew.status().message()));
      return;
    }
    engine_options.max_future_skew_ms = *skew;
    Result<std::vector<std::string>> origins = api::CorsPolicy::ParseOrigins(*cors_origins);
    if (!origins.ok()) {
      g.exit_code = PrintError(origins.status());
      return;
    }
    opts->cors_origins = std::move(origins).value();
    // The TLS files are checked before the data folder is opened (Bind() loads them again).
    if (auto tls = api::MakeTlsContext(opts->tls_cert_file, opts->tls_key_file); !tls.ok()) {
      g.exit_code = PrintError(tls.status());
      return;
    }
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
      if (opts->upload_dir.empty()) opts->upload_dir = g.data_dir + "/uploads";  // remote import
      if (opts->web_root.empty())
        spdlog::warn(
            "no dashboard found (build it with `make web`, or pass --web DIR); serving the API "
            "only");
      api::Server server(engine, *opts);
      Status bound = server.Bind();
      if (!bound.ok()) return PrintError(bound);
      stop_signals.Serving(&server);
      std::cout << "listening on " << (opts->tls_cert_file.empty() ? "http" : "https") << "://"
                << opts->host << ":" << server.port() << std::endl;
      Status s = server.Run();
      stop_signals.Serving(nullptr);
      return s.ok() ? 0 : PrintError(s);
    }(**opened);
    opts->access_log.reset();  // the server is gone: its last lines are written now
  });
  // Last: every serve option, whoever added it, gets its SIGNPOST_* variable (env_names.h).
  AddEnvNames(*cmd);
}

void RegisterImport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("import", "Import events from NDJSON or CSV files");
  auto files = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("auto");
  cmd->add_option("files", *files, "Files to import")->required();
  cmd->add_option("--format", *format, "ndjson | csv | auto (by extension)")
      ->check(CLI::IsMember({"auto", "ndjson", "csv"}));
  cmd->callback([&g, files, format] {
    if (IsRemote(g)) {
      g.exit_code = RemoteImport(g, *files, *format);
      return;
    }
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
        summaries.push_back(api::ImportSummaryJson(path, *summary));
      }
      return PrintImportSummaries(g, summaries);
    });
  });
}

void RegisterProfile(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("profile", "Show a profile: identities, traits, consent, events");
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "userId, anonymousId, or user:/anon: identity")->required();
  cmd->callback([&g, id] {
    LocalOrRemote(
        g, false,
        [&](Engine& engine) { return Show(g, Written(engine.Profile(*id)), PrintProfile); },
        [&] {
          return Show(g, RemoteCall(g, "GET", "/api/profiles/" + UrlEncode(*id)), PrintProfile);
        });
  });
}

void RegisterEvents(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("events", "List a profile's events, or count all events");
  auto profile = std::make_shared<std::string>();
  auto limit = std::make_shared<size_t>(100);
  auto count = std::make_shared<bool>(false);
  cmd->add_option("--profile", *profile, "The profile (any of its identities)");
  cmd->add_option("--limit", *limit, "At most this many events")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->add_flag("--count", *count, "Print the number of stored events");
  cmd->callback([&g, profile, limit, count] {
    auto print_count = [](const json& d) { std::cout << d["count"] << " events\n"; };
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          if (*count || profile->empty())
            return Show(g, json{{"count", engine.EventCount()}}, print_count);
          return Show(g, Written(engine.ProfileEvents(*profile, *limit)), PrintEvents);
        },
        [&] {
          if (*count || profile->empty())
            return Show(g, RemoteCall(g, "GET", "/api/events/count"), print_count);
          return Show(g,
                      RemoteCall(g, "GET",
                                 fmt::format("/api/profiles/{}/events?limit={}",
                                             UrlEncode(*profile), *limit)),
                      PrintEvents);
        });
  });
}

void RegisterDeadLetters(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("deadletters", "List rejected input, or re-import it");
  auto limit = std::make_shared<size_t>(100);
  cmd->add_option("--limit", *limit, "At most this many")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  auto* reimport =
      cmd->add_subcommand("reimport", "Parse dead letters again; store those now valid");
  auto ids = std::make_shared<std::vector<uint64_t>>();
  reimport->add_option("ids", *ids, "Dead-letter ids (default: all)");
  reimport->callback([&g, ids] {
    auto text = [](const json& d) {
      std::cout << d["accepted"] << " re-imported, " << d["duplicates"] << " duplicates, "
                << d["still_rejected"] << " still rejected\n";
    };
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          auto outcome = engine.ReimportDeadLetters(*ids);
          if (!outcome.ok()) return PrintError(outcome.status());
          return Show(g, api::ReimportJson(*outcome), text);
        },
        [&] {
          return Show(
              g, RemoteCall(g, "POST", "/api/deadletters/reimport", json{{"ids", *ids}}.dump()),
              text);
        });
  });
  cmd->callback([&g, limit, cmd] {
    if (cmd->got_subcommand("reimport")) return;
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          return Show(g, Written(engine.ListDeadLetters(*limit)), PrintDeadLetters);
        },
        [&] {
          return Show(g, RemoteCall(g, "GET", fmt::format("/api/deadletters?limit={}", *limit)),
                      PrintDeadLetters);
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
    auto text = [](const json& d) { std::cout << d["token"].get<std::string>() << "\n"; };
    LocalOrRemote(
        g, false,
        [&](Engine& engine) { return Show(g, Written(engine.CreateKey(*kind, *name)), text); },
        [&] {
          return Show(
              g, RemoteCall(g, "POST", "/api/keys", json{{"kind", *kind}, {"name", *name}}.dump()),
              text);
        });
  });
  cmd->add_subcommand("list", "List keys")->callback([&g] {
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          auto keys = engine.ListKeys();
          if (!keys.ok()) return PrintError(keys.status());
          json doc = json::array();
          for (const ApiKeyInfo& k : *keys) doc.push_back(wire::ToJson(k));
          return Show(g, doc, PrintKeys);
        },
        // The server never sends whole tokens: its list has each key's prefix instead.
        [&] { return Show(g, RemoteCall(g, "GET", "/api/keys"), PrintKeys); });
  });
  auto* revoke = cmd->add_subcommand("revoke", "Revoke a key");
  auto token = std::make_shared<std::string>();
  revoke->add_option("token", *token, "The key, or a unique prefix of it")->required();
  revoke->callback([&g, token] {
    auto done = [&g](const Status& s) {
      if (!s.ok()) return PrintError(s);
      if (!g.json) std::cout << "revoked\n";
      return 0;
    };
    LocalOrRemote(
        g, false, [&](Engine& engine) { return done(engine.RevokeKey(*token)); },
        [&] { return done(RemoteCall(g, "DELETE", "/api/keys/" + UrlEncode(*token)).status()); });
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
    auto text = [](const json& d) {
      std::vector<std::vector<std::string>> rows = {
          {"SEQ", "AT", "ACTOR", "ACTION", "TARGET", "OUTCOME"}};
      for (const json& e : d["entries"]) {
        rows.push_back({std::to_string(e["seq"].get<uint64_t>()),
                        FormatIso8601(e["at"].get<TimeMs>()), e["actor"].get<std::string>(),
                        e["action"].get<std::string>(), e["target"].get<std::string>(),
                        e["outcome"].get<std::string>()});
      }
      PrintTable(rows);
    };
    LocalOrRemote(
        g, false, [&](Engine& engine) { return Show(g, Written(engine.Audit(*query)), text); },
        [&] {
          json q = {{"limit", query->limit}};
          if (query->after > 0) q["after"] = query->after;
          if (!query->action.empty()) q["action"] = query->action;
          return Show(g, RemoteCall(g, "GET", "/api/audit" + QueryString(q)), text);
        });
  });
}

// `signpost version` (and `--version`): what this binary is (base/build_info.h).
void RegisterVersion(CLI::App& app, Globals& g) {
  app.set_version_flag("--version", BuildInfoLine(),
                       "Print the version, git commit, build type and compiler, and exit");
  auto* cmd = app.add_subcommand("version", "The version, git commit, build type and compiler");
  cmd->callback([&g] {
    const BuildInfo& b = GetBuildInfo();
    if (g.json) {
      PrintJson({{"version", b.version},
                 {"commit", b.commit},
                 {"build_type", b.build_type},
                 {"compiler", b.compiler}});
    } else {
      std::cout << BuildInfoLine() << "\n";
    }
  });
}

}  // namespace

void RegisterCommands(CLI::App& app, Globals& g) {
  // SIGNPOST_DATA is read in RegisterRemoteOptions' parse callback, where it can tell a folder
  // from the environment from one on the command line (remote_config.cc).
  app.add_option("--data", g.data_dir,
                 "The data folder (env SIGNPOST_DATA, which a server named by --server or "
                 "SIGNPOST_SERVER overrides)")
      ->capture_default_str();
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  RegisterRemoteOptions(app, g);  // --server, --token, ... (remote_config.h)
  // --data, --json and the remote options are accepted after the subcommand too.
  app.fallthrough();
  RegisterServe(app, g);
  RegisterImport(app, g);
  RegisterProfile(app, g);
  RegisterEvents(app, g);
  RegisterDeadLetters(app, g);
  RegisterKeys(app, g);
  RegisterAudit(app, g);
  RegisterDefinitions(app, g);  // apply, diff, delete
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
  RegisterCatalog(app, g);    // the event catalog, schema drift
  RegisterAlerts(app, g);     // alerts
  RegisterVersion(app, g);    // operations: --version
}

}  // namespace signpost::cli
