// `signpost segments [NAME] [--json]` and `signpost segments --profile ID`: the segments (static
// lists and rule segments), one segment's members now, or the segments one profile is in now.
// `signpost segments import NAME FILE [--note TEXT] [--add]`: a static list from a file of ids.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <string>

#include "cli/command_support.h"

namespace signpost::cli {

namespace {

using nlohmann::json;

std::string SegmentCell(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void PrintSegmentList(const json& doc) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "TYPE", "VERSION", "MEMBERS / RULE"}};
  for (const auto& s : doc["segments"]) {
    const bool rule = s["type"] == "rule";
    rows.push_back({SegmentCell(s["name"]), SegmentCell(s["type"]), SegmentCell(s["version"]),
                    rule ? s["rule"].dump() : SegmentCell(s["members"])});
  }
  PrintTable(rows);
}

void PrintSegment(const json& s) {
  if (s["type"] == "rule") {
    std::cout << "segment " << SegmentCell(s["name"]) << " (rule, version "
              << SegmentCell(s["version"]) << "): " << SegmentCell(s["count"]) << " members at "
              << SegmentCell(s["evaluated_at"]) << "\n"
              << "rule: " << s["rule"].dump() << "\n";
    for (const auto& m : s["members"]) {
      std::string ids;
      for (const auto& id : m["identities"]) ids += (ids.empty() ? "" : ", ") + SegmentCell(id);
      std::cout << "  " << ids << "\n";
    }
    return;
  }
  std::cout << "segment " << SegmentCell(s["name"]) << " (static, version "
            << SegmentCell(s["version"]) << "): " << SegmentCell(s["count"]) << " identities\n";
  for (const auto& id : s["identities"]) std::cout << "  " << SegmentCell(id) << "\n";
}

void PrintProfileSegments(const json& doc) {
  std::cout << SegmentCell(doc["identity"]) << " (profile " << SegmentCell(doc["profile"])
            << ") at " << SegmentCell(doc["evaluated_at"]) << ":";
  if (doc["segments"].empty()) std::cout << " in no segment";
  for (const auto& s : doc["segments"]) std::cout << "\n  " << SegmentCell(s);
  std::cout << "\n";
}

void PrintImport(const json& r) {
  std::cout << fmt::format(
      "segment {} version {} ({}): {} ids imported, {} identities in the list\n",
      SegmentCell(r["segment"]), SegmentCell(r["version"]), SegmentCell(r["mode"]),
      SegmentCell(r["imported"]), SegmentCell(r["members"]));
  if (r["unknown_count"].get<size_t>() == 0) return;
  std::cout << fmt::format(
      "{} of them are no profile yet (kept: they count once such a profile exists):\n",
      SegmentCell(r["unknown_count"]));
  for (const auto& id : r["unknown"]) std::cout << "  " << SegmentCell(id) << "\n";
  if (r["unknown_count"].get<size_t>() > r["unknown"].size()) std::cout << "  ...\n";
}

// The ids of an import file: one per line; blank lines and `#` comments are skipped, white space
// around an id is ignored. kInvalidArgument naming the file when it cannot be read.
Result<std::vector<std::string>> ReadIds(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return Status::InvalidArgument(
        fmt::format("FILE: cannot read '{}'; give a file with one id per line", path));
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const size_t last = line.find_last_not_of(" \t\r");
    ids.push_back(line.substr(first, last - first + 1));
  }
  return ids;
}

}  // namespace

void RegisterSegments(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("segments",
                                 "List segments, show one's members now, or a profile's segments");
  auto name = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  cmd->add_option("name", *name, "A segment to show (rule segments are evaluated now)");
  cmd->add_option("--profile", *profile,
                  "The segments this profile (userId, anonymousId, user:.., anon:..) is in now")
      ->excludes(cmd->get_option("name"));
  struct ImportArgs {
    std::string name, file, note;
    bool add = false;
  };
  auto args = std::make_shared<ImportArgs>();
  auto* import_cmd = cmd->add_subcommand(
      "import",
      "Store a static segment from a file of ids, one per line (user-42, user:42 or anon:abc; "
      "blank lines and # comments skipped)");
  import_cmd->add_option("name", args->name, "The static segment (a new version of it)")
      ->required();
  import_cmd->add_option("file", args->file, "The file of ids")->required();
  import_cmd->add_option("--note", args->note, "A change note for this version");
  import_cmd->add_flag("--add", args->add,
                       "Add the ids to the current list instead of replacing it");
  import_cmd->callback([&g, args] {
    auto ids = ReadIds(args->file);
    if (!ids.ok()) {
      g.exit_code = PrintError(ids.status());
      return;
    }
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          return Show(
              g, Written(engine.ImportSegment(SegmentId(args->name), *ids, args->note, args->add)),
              PrintImport);
        },
        [&] {
          const json body = {
              {"ids", *ids}, {"note", args->note}, {"mode", args->add ? "add" : "replace"}};
          return Show(g,
                      RemoteCall(g, "POST", "/api/segments/" + UrlEncode(args->name) + "/members",
                                 body.dump()),
                      PrintImport);
        });
  });
  cmd->callback([&g, name, profile, import_cmd] {
    if (import_cmd->parsed()) return;  // `segments import` ran its own callback
    // Without the analytics index: evaluation reads profiles from the store.
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          if (!profile->empty())
            return Show(g, Written(engine.SegmentsOf(*profile)), PrintProfileSegments);
          if (!name->empty())
            return Show(g, Written(engine.Segment(SegmentId(*name))), PrintSegment);
          return Show(g, Written(engine.ListSegments()), PrintSegmentList);
        },
        [&] {
          if (!profile->empty())
            return Show(g,
                        RemoteCall(g, "GET", "/api/profiles/" + UrlEncode(*profile) + "/segments"),
                        PrintProfileSegments);
          if (!name->empty())
            return Show(g, RemoteCall(g, "GET", "/api/segments/" + UrlEncode(*name)), PrintSegment);
          return Show(g, RemoteCall(g, "GET", "/api/segments"), PrintSegmentList);
        });
  });
}

}  // namespace signpost::cli
