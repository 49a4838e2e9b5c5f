// `signpost funnel`: run a stored or ad-hoc funnel; list or save its people.
#include <iostream>

#include "cli/command_support.h"
#include "cli/insights_command.h"
#include "cli/output.h"
#include "cli/paths_command.h"
#include "cli/report_text.h"
#include "signpost/engine.h"

namespace signpost::cli {

namespace {

struct FunnelArgs {
  std::string id, steps, window, order, entry, from, to, breakdown, attribution, segment,
      completion, trend, save_segment, profile;
  int top = 0;
  int completed = 0, dropped_at = 0;
  bool people = false;
  DriverArgs drivers;  // --drivers K (insights_command.h)
  PathArgs paths;      // --paths K (paths_command.h)
};

// The query document of the flags that were given, as the HTTP API would get it.
nlohmann::json QueryOf(const FunnelArgs& a) {
  nlohmann::json q = nlohmann::json::object();
  auto put = [&q](const char* key, const std::string& v) {
    if (!v.empty()) q[key] = v;
  };
  put("steps", a.steps);
  put("window", a.window);
  put("order", a.order);
  put("entry", a.entry);
  put("from", a.from);
  put("to", a.to);
  put("breakdown", a.breakdown);
  put("breakdown_attribution", a.attribution);
  put("segment", a.segment);
  put("completion_windows", a.completion);
  put("trend", a.trend);
  if (a.top > 0) q["top"] = a.top;
  if (a.completed > 0) q["completed"] = a.completed;
  if (a.dropped_at > 0) q["dropped_at"] = a.dropped_at;
  return q;
}

// The same answer from the server: the stored funnel's routes, or the ad-hoc ones (POST with the
// query as the body) when there is no id.
Result<nlohmann::json> RemoteFunnel(const Globals& g, const FunnelArgs& a,
                                    const nlohmann::json& q) {
  const std::string id = UrlEncode(a.id);
  if (!a.profile.empty())
    return RemoteCall(g, "GET",
                      "/api/profiles/" + UrlEncode(a.profile) + "/funnels/" + id + "/last-step");
  if (!a.save_segment.empty()) {
    nlohmann::json with_name = q;
    with_name["name"] = a.save_segment;
    if (a.id.empty()) return RemoteCall(g, "POST", "/api/funnels/people/segment", with_name.dump());
    return RemoteCall(g, "POST", "/api/funnels/" + id + "/people/segment" + QueryString(with_name));
  }
  if (a.people || a.completed > 0 || a.dropped_at > 0) {
    if (a.id.empty()) return RemoteCall(g, "POST", "/api/funnels/people", q.dump());
    return RemoteCall(g, "GET", "/api/funnels/" + id + "/people" + QueryString(q));
  }
  if (a.id.empty()) return RemoteCall(g, "POST", "/api/funnels/query", q.dump());
  return RemoteCall(g, "GET", "/api/funnels/" + id + "/report" + QueryString(q));
}

}  // namespace

void RegisterFunnel(CLI::App& app, Globals& g) {
  auto a = std::make_shared<FunnelArgs>();
  auto* cmd = app.add_subcommand("funnel", "Run a goal-step funnel: conversion, drop-off, timing");
  cmd->add_option("id", a->id, "A stored funnel (see `signpost apply`)");
  cmd->add_option("--steps", a->steps, "Ad-hoc steps: 'Signed Up>Email Verified>Order Completed'");
  cmd->add_option("--window", a->window, "Conversion window from step 1, e.g. 7d, 14d");
  cmd->add_option("--order", a->order, "ordered | strict | any");
  cmd->add_option("--entry", a->entry, "any_attempt | first_entry | each_attempt");
  cmd->add_option("--from", a->from, "Entries from this date (ISO 8601)");
  cmd->add_option("--to", a->to, "Entries up to this date (ISO 8601)");
  cmd->add_option("--breakdown", a->breakdown, "A trait or property: traits.plan, properties.x");
  cmd->add_option("--attribution", a->attribution, "Breakdown value from: first | last | step:N");
  cmd->add_option("--top", a->top, "Breakdown: top N values plus other");
  cmd->add_option("--segment", a->segment, "Only profiles in this segment");
  cmd->add_option("--completion", a->completion, "Completion within windows, e.g. 7d,14d,30d");
  cmd->add_option("--trend", a->trend, "Conversion trend by entry day | week");
  cmd->add_flag("--people", a->people, "List people instead of the report");
  cmd->add_option("--completed", a->completed, "People: those who completed step K");
  cmd->add_option("--dropped-at", a->dropped_at, "People: those who reached step K but not K+1");
  cmd->add_option("--save-segment", a->save_segment, "Save the people as a static segment");
  cmd->add_option("--profile", a->profile, "The last completed step of this profile");
  AddDriverFlags(cmd, a->drivers);
  AddPathFlags(cmd, a->paths);
  AddNextBestActionFlags(cmd, a->drivers);
  cmd->callback([&g, a] {
    if (a->id.empty() && a->steps.empty()) {
      g.exit_code = PrintError(Status::InvalidArgument(
          "funnel: give a stored funnel id, or ad-hoc steps with --steps 'A>B>C'"));
      return;
    }
    // The flags are read as the HTTP API reads its query (src/wire), so both refuse the same
    // values with the same messages; results are printed from their one JSON form.
    const nlohmann::json q = QueryOf(*a);
    if (a->drivers.step != 0) {
      RunDrivers(g, a->id, q, a->drivers);
      return;
    }
    if (a->paths.step != 0) {
      RunPaths(g, a->id, q, a->paths);
      return;
    }
    if (a->drivers.next_best_action != 0 || !a->drivers.next_best_for.empty()) {
      RunNextBestAction(g, a->id, a->segment, a->drivers);
      return;
    }
    if (a->drivers.importance) {
      RunImportance(g, a->id, q, a->drivers);
      return;
    }
    void (*text)(const nlohmann::json&) = PrintFunnel;
    if (!a->profile.empty() || !a->save_segment.empty()) {
      text = PrintJson;
    } else if (a->people || a->completed > 0 || a->dropped_at > 0) {
      text = PrintPeople;
    }
    Result<nlohmann::json> r = nlohmann::json();
    if (!a->profile.empty() && a->id.empty()) {
      r = Status::InvalidArgument(
          "--profile: name a stored funnel (signpost funnel ID --profile P)");
    } else if (auto query = wire::ParseFunnelPeopleQuery(a->id, q);
               !query.ok() && a->profile.empty()) {
      r = query.status();
    } else if (IsRemote(g)) {
      r = RemoteFunnel(g, *a, q);
    } else {
      EngineOptions options;
      options.data_dir = g.data_dir;
      auto engine = Engine::Open(options);
      if (!engine.ok()) {
        g.exit_code = PrintError(engine.status());
        return;
      }
      Engine& e = **engine;
      if (!a->profile.empty()) {
        r = Written(e.LastCompletedStep(FunnelId(a->id), a->profile));
      } else if (!a->save_segment.empty()) {
        r = Written(e.SaveFunnelPeople(*query, SegmentId(a->save_segment)));
      } else if (text == PrintPeople) {
        r = Written(e.FunnelPeople(*query));
      } else {
        r = Written(e.Funnel(query->funnel));
      }
    }
    if (!r.ok()) {
      g.exit_code = PrintError(r.status());
      return;
    }
    if (g.json) {
      PrintJson(*r);
    } else {
      text(*r);
    }
  });
}

}  // namespace signpost::cli
