// `signpost segments [NAME] [--json]` and `signpost segments --profile ID`: the segments (static
// lists and rule segments), one segment's members now, or the segments one profile is in now.
#include <iostream>
#include <string>

#include "cli/command_support.h"

namespace signpost::cli {

namespace {

using nlohmann::json;

std::string Text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void PrintSegmentList(const json& doc) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "TYPE", "VERSION", "MEMBERS / RULE"}};
  for (const auto& s : doc["segments"]) {
    const bool rule = s["type"] == "rule";
    rows.push_back({Text(s["name"]), Text(s["type"]), Text(s["version"]),
                    rule ? s["rule"].dump() : Text(s["members"])});
  }
  PrintTable(rows);
}

void PrintSegment(const json& s) {
  if (s["type"] == "rule") {
    std::cout << "segment " << Text(s["name"]) << " (rule, version " << Text(s["version"])
              << "): " << Text(s["count"]) << " members at " << Text(s["evaluated_at"]) << "\n"
              << "rule: " << s["rule"].dump() << "\n";
    for (const auto& m : s["members"]) {
      std::string ids;
      for (const auto& id : m["identities"]) ids += (ids.empty() ? "" : ", ") + Text(id);
      std::cout << "  " << ids << "\n";
    }
    return;
  }
  std::cout << "segment " << Text(s["name"]) << " (static, version " << Text(s["version"])
            << "): " << Text(s["count"]) << " identities\n";
  for (const auto& id : s["identities"]) std::cout << "  " << Text(id) << "\n";
}

void PrintProfileSegments(const json& doc) {
  std::cout << Text(doc["identity"]) << " (profile " << Text(doc["profile"]) << ") at "
            << Text(doc["evaluated_at"]) << ":";
  if (doc["segments"].empty()) std::cout << " in no segment";
  for (const auto& s : doc["segments"]) std::cout << "\n  " << Text(s);
  std::cout << "\n";
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
  cmd->callback([&g, name, profile] {
    // Without the analytics index: evaluation reads profiles from the store.
    WithEngine(g, false, [&](Engine& engine) {
      if (!profile->empty()) return Show(g, engine.SegmentsOf(*profile), PrintProfileSegments);
      if (!name->empty()) return Show(g, engine.Segment(*name), PrintSegment);
      return Show(g, engine.ListSegments(), PrintSegmentList);
    });
  });
}

}  // namespace signpost::cli
