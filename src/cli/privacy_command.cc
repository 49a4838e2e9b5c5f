// `signpost erase ID...`, `signpost suppress ID...`, `signpost unsuppress ID...`: privacy
// regulations (Engine::Regulate). Ids on the command line and/or `--file FILE` (one id per line,
// blank lines skipped); a progress bar on a terminal, plain progress lines on stderr otherwise.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

namespace {

// Reads one id per line from `path` into `ids` (a trailing \r and blank lines dropped). A line
// longer than kMaxRegulationIdBytes is an error naming the file and line.
Status ReadIdFile(const std::string& path, std::vector<std::string>& ids) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the file; check the path and permissions");
  std::string line;
  size_t number = 0;
  // getline into a bounded string: a line longer than the limit is refused, not buffered whole.
  while (in.good()) {
    line.clear();
    ++number;
    char c;
    bool too_long = false;
    while (in.get(c) && c != '\n') {
      if (line.size() > kMaxRegulationIdBytes) {
        too_long = true;
        continue;
      }
      line.push_back(c);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (too_long || line.size() > kMaxRegulationIdBytes) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: the line is longer than {} bytes; one id "
                      "per line",
                      path, number, kMaxRegulationIdBytes));
    }
    if (!line.empty()) ids.push_back(line);
  }
  return Status::Ok();
}

// Where each regulation of `ids` ends: at most kMaxRegulationIds ids and kMaxRegulationBodyBytes
// of ids each, so every one fits in one request to a server too (remote mode).
constexpr size_t kMaxRegulationBodyBytes = size_t{6} << 20;
std::vector<size_t> RegulationEnds(const std::vector<std::string>& ids) {
  std::vector<size_t> ends;
  size_t count = 0, bytes = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const size_t size = ids[i].size() + 8;  // quotes, comma, escapes of a usual id
    if (count == kMaxRegulationIds || (count > 0 && bytes + size > kMaxRegulationBodyBytes)) {
      ends.push_back(i);
      count = 0;
      bytes = 0;
    }
    ++count;
    bytes += size;
  }
  if (count > 0) ends.push_back(ids.size());
  return ends;
}

void DrawRegulationProgress(std::string_view verb, const RegulationProgress& p, bool bar,
                            double seconds) {
  if (bar) {
    constexpr int kWidth = 30;
    const double frac = p.total ? double(p.done) / double(p.total) : 1.0;
    const int filled = int(frac * kWidth);
    fmt::print(stderr, "\r{} [{}{}] {:5.1f}%  {}/{} ids  {:.0f} ids/s ", verb,
               std::string(filled, '#'), std::string(kWidth - filled, '.'), frac * 100, p.done,
               p.total, seconds > 0 ? double(p.done) / seconds : 0.0);
  } else {
    fmt::print(stderr, "{}: {}/{} ids\n", verb, p.done, p.total);
  }
  std::fflush(stderr);
}

void PrintRegulation(const nlohmann::json& r) {
  std::cout << fmt::format("regulation {} ({}): {}\n", r["regulationId"].get<std::string>(),
                           r["regulationType"].get<std::string>(), r["state"].get<std::string>());
  std::cout << fmt::format("  ids {}  found {}  not found {}\n", r["subjects"].get<uint64_t>(),
                           r["found"].get<uint64_t>(), r["notFound"].size());
  const std::string type = r["regulationType"];
  if (type == "DELETE" || type == "SUPPRESS_WITH_DELETE") {
    std::cout << fmt::format("  erased: {} profiles, {} identities, {} events; purged: {}\n",
                             r["profilesErased"].get<uint64_t>(),
                             r["identitiesErased"].get<uint64_t>(),
                             r["eventsErased"].get<uint64_t>(), r["purged"].get<bool>());
  }
  if (type != "DELETE") {
    std::cout << fmt::format("  identities suppressed {}  unsuppressed {}\n",
                             r["identitiesSuppressed"].get<uint64_t>(),
                             r["identitiesUnsuppressed"].get<uint64_t>());
  }
}

void AddRegulationCommand(CLI::App& app, Globals& g, const char* name, const char* help,
                          RegulationType type) {
  auto* cmd = app.add_subcommand(name, help);
  auto ids = std::make_shared<std::vector<std::string>>();
  auto file = std::make_shared<std::string>();
  auto subject = std::make_shared<std::string>("identity");
  cmd->add_option(
      "ids", *ids,
      "Ids of the people: user:X, anon:X, or a bare id (a userId, else an anonymousId)");
  cmd->add_option("--file", *file, "A file of ids, one per line");
  cmd->add_option("--type", *subject, "How the ids name people: identity | userId | anonymousId")
      ->check(CLI::IsMember({"identity", "userId", "anonymousId"}))
      ->capture_default_str();
  auto with_delete = std::make_shared<bool>(false);
  if (type == RegulationType::kSuppress) {
    cmd->add_flag("--delete", *with_delete, "Erase them too (SUPPRESS_WITH_DELETE)");
  }
  cmd->callback([&g, ids, file, subject, type, name, with_delete] {
    RegulationRequest request;
    request.type = *with_delete ? RegulationType::kSuppressWithDelete : type;
    request.subject = *ParseSubjectType(*subject);
    request.ids = *ids;
    if (!file->empty()) {
      Status read = ReadIdFile(*file, request.ids);
      if (!read.ok()) {
        g.exit_code = PrintError(read);
        return;
      }
    }
    if (request.ids.empty()) {
      g.exit_code = PrintError(Status::InvalidArgument("ids: none; give ids or --file FILE"));
      return;
    }
    const bool bar = !g.json && StderrIsTerminal();
    const auto start = std::chrono::steady_clock::now();
    // More ids than one regulation takes become several regulations, one after the other.
    const std::vector<std::string> all = std::move(request.ids);
    const std::vector<size_t> ends = RegulationEnds(all);
    auto progress = [&](size_t done) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      DrawRegulationProgress(name, {done, all.size()}, bar, s);
    };
    // Runs one regulation of ids [at, end) and returns its report.
    auto each = [&](auto&& regulate) {
      nlohmann::json reports = nlohmann::json::array();
      size_t at = 0;
      for (size_t end : ends) {
        request.ids.assign(all.begin() + long(at), all.begin() + long(end));
        Result<nlohmann::json> report = regulate(at);
        if (bar) std::cerr << "\n";
        if (!report.ok()) return PrintError(report.status());
        reports.push_back(std::move(report).value());
        at = end;
      }
      if (g.json) {
        PrintJson(reports.size() == 1 ? reports[0] : reports);
      } else {
        for (const auto& r : reports) PrintRegulation(r);
      }
      return 0;
    };
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          return each([&](size_t at) {
            return Written(engine.Regulate(
                request, [&](const RegulationProgress& p) { progress(at + p.done); }));
          });
        },
        [&] {
          return each([&](size_t at) {
            const nlohmann::json body = {
                {"regulationType", RegulationTypeName(request.type)},
                {"subject", {{"type", SubjectTypeName(request.subject)}, {"ids", request.ids}}}};
            Result<nlohmann::json> report = RemoteCall(g, "POST", "/api/regulations", body.dump());
            if (report.ok()) progress(at + request.ids.size());
            return report;
          });
        });
  });
}

}  // namespace

void RegisterPrivacy(CLI::App& app, Globals& g) {
  AddRegulationCommand(app, g, "erase",
                       "Erase people: every identity, trait, event and record of theirs, then "
                       "purge the data folder",
                       RegulationType::kDelete);
  AddRegulationCommand(app, g, "suppress",
                       "Suppress people: refuse (and count) their later events until unsuppress; "
                       "--delete erases them too",
                       RegulationType::kSuppress);
  AddRegulationCommand(app, g, "unsuppress", "Lift the suppression of people",
                       RegulationType::kUnsuppress);
}

}  // namespace signpost::cli
