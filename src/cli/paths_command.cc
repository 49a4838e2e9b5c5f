// `signpost funnel F --paths K`: the top event sequences from step K to the next required step,
// the any_of alternatives and the optional steps' effect on completion; local or remote, as text
// or JSON.
#include "cli/paths_command.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"
#include "wire/paths.h"

namespace signpost::cli {

namespace {

using nlohmann::json;

std::string PathPercent(double v) { return fmt::format("{:.1f}%", 100 * v); }

std::string SequenceText(const json& s) {
  std::string out;
  for (const json& e : s.value("events", json::array()))
    out += (out.empty() ? "" : " > ") + e.get<std::string>();
  if (s.value("more", false)) out += " > …";
  return out.empty() ? "(nothing)" : out;
}

void PrintPaths(const json& r) {
  std::cout << fmt::format(
      "paths from step {} ({}) to step {} ({}), funnel {} v{}: {} people, {} converted ({})\n",
      r.value("step", 0), r.value("step_name", ""), r.value("next_step", 0),
      r.value("next_name", ""), r.value("funnel", json("")).dump(), r.value("version", 0),
      r.value("reached", 0), r.value("converted", 0), PathPercent(r.value("rate", 0.0)));
  std::cout << fmt::format(
      "the events after step {} up to step {} (or the end of the window), at most {}{}; {} "
      "distinct\n",
      r.value("step", 0), r.value("next_step", 0), r.value("max_length", 0),
      r.value("collapse_repeats", false) ? ", repeats collapsed" : "", r.value("distinct", 0));
  std::vector<std::vector<std::string>> rows = {{"sequence", "people", "share", "conversion"}};
  auto row = [&rows](const std::string& label, const json& s) {
    rows.push_back({label, std::to_string(s.value("people", 0)), PathPercent(s.value("share", 0.0)),
                    PathPercent(s.value("conversion", 0.0))});
  };
  for (const json& s : r.value("sequences", json::array())) row(SequenceText(s), s);
  if (r.contains("other") && r["other"].value("people", 0) > 0) row("(other)", r["other"]);
  PrintTable(rows);
  for (const json& b : r.value("any_of", json::array())) {
    const bool next = b.value("next_step", json()).is_number();
    std::cout << fmt::format("\nstep {} ({}): {} people, by the path that filled it\n",
                             b.value("step", 0), b.value("name", ""), b.value("people", 0));
    std::vector<std::vector<std::string>> alt = {
        {"path", "people", "share", next ? "on to " + b.value("next_name", std::string()) : "on",
         "completed"}};
    for (const json& a : b.value("alternatives", json::array()))
      alt.push_back({a.value("label", ""), std::to_string(a.value("people", 0)),
                     PathPercent(a.value("share", 0.0)),
                     next ? PathPercent(a.value("conversion", 0.0)) : std::string("-"),
                     PathPercent(a.value("completion", 0.0))});
    PrintTable(alt);
  }
  const json optional = r.value("optional", json::array());
  if (!optional.empty()) {
    std::cout << "\noptional steps: completion of the people who reached the step before\n";
    std::vector<std::vector<std::string>> opt = {
        {"step", "did", "completed", "skipped", "completed", "difference (95%)", "p"}};
    for (const json& e : optional) {
      const json ci = e.value("difference_interval", json::array());
      opt.push_back(
          {fmt::format("{}. {} (after {})", e.value("step", 0), e.value("name", ""),
                       e.value("after_name", "")),
           std::to_string(e.value("with", 0)), PathPercent(e.value("rate_with", 0.0)),
           std::to_string(e.value("without", 0)), PathPercent(e.value("rate_without", 0.0)),
           fmt::format("{:+.1f} pts [{:+.1f}, {:+.1f}]", 100 * e.value("difference", 0.0),
                       ci.size() == 2 && ci[0].is_number() ? 100 * ci[0].get<double>() : 0.0,
                       ci.size() == 2 && ci[1].is_number() ? 100 * ci[1].get<double>() : 0.0),
           fmt::format("{:.2g}", e.value("p_value", 1.0))});
    }
    PrintTable(opt);
  }
}

}  // namespace

void AddPathFlags(CLI::App* cmd, PathArgs& a) {
  cmd->add_option("--paths", a.step,
                  "Paths: the top event sequences from step K to the next, the people of each "
                  "any_of path and the optional steps' effect on completion (--top rows)");
  cmd->add_option("--max-length", a.max_length, "Paths: events kept per sequence, 1-20 (5)");
  cmd->add_flag("--collapse-repeats", a.collapse_repeats,
                "Paths: read repeated events as one (A, A, B as A, B)");
}

void RunPaths(Globals& g, const std::string& id, const json& funnel_query, const PathArgs& a) {
  json q = funnel_query;
  q.erase("completed");
  q.erase("dropped_at");
  q["step"] = a.step;
  if (a.max_length > 0) q["max_length"] = a.max_length;
  if (a.collapse_repeats) q["collapse_repeats"] = "true";
  // `top` of the funnel flags is the number of sequences here.
  auto query = wire::ParseFunnelPathsQuery(id, q);
  if (!query.ok()) {
    g.exit_code = PrintError(query.status());
    return;
  }
  LocalOrRemote(
      g, true,
      [&](Engine& e) {
        Result<FunnelPathsReport> r = e.FunnelPaths(*query);
        if (!r.ok()) return PrintError(r.status());
        return Show(g, wire::ToJson(*r), PrintPaths);
      },
      [&] {
        if (id.empty())
          return Show(g, RemoteCall(g, "POST", "/api/funnels/paths", q.dump()), PrintPaths);
        return Show(
            g, RemoteCall(g, "GET", "/api/funnels/" + UrlEncode(id) + "/paths" + QueryString(q)),
            PrintPaths);
      });
}

}  // namespace signpost::cli
