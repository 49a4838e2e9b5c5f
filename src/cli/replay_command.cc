// `signpost replay`: back-test a journey, a programme of journeys (repeated --journey, or --all)
// or two versions of one journey (--versions A,B) on stored events, with no real sends.
#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"

namespace signpost::cli {

void PrintSteps(const nlohmann::json& steps);         // journeys_command.cc
void PrintGoalSummary(const nlohmann::json& report);  // journeys_command.cc

namespace {

void PrintReplay(const nlohmann::json& r) {
  std::cout << fmt::format("replay of {} v{} from {} to {}: {} events used of {}\n",
                           r.value("journey", ""), r["version"].dump(), r.value("from", ""),
                           r.value("to", ""), r["events_used"].dump(), r["events_read"].dump());
  PrintSteps(r["steps"]);
  std::cout << "would send: " << r["messages"]["would_send"].dump() << " by channel "
            << r["messages"]["by_channel"].dump() << "\n";
  if (r.contains("goal")) PrintGoalSummary(r["goal"]);
}

}  // namespace

void RegisterReplay(CLI::App& app, Globals& g) {
  struct Args {
    std::vector<std::string> journeys;
    bool all = false;
    std::vector<uint64_t> versions;
    std::string from, to;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("replay",
                                 "Back-test journeys on stored events (nothing is sent or stored)");
  cmd->add_option("--journey", a->journeys,
                  "A journey (repeat it to replay several together, as a programme)");
  cmd->add_flag("--all", a->all, "Replay every journey together (with --versions: beside it)");
  cmd->add_option("--versions", a->versions,
                  "What-if: two stored versions of the (first) journey, e.g. --versions 1,2; "
                  "other --journey options are replayed beside each")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--from", a->from, "Start of the window (ISO 8601)")->required();
  cmd->add_option("--to", a->to, "End of the window (ISO 8601)")->required();
  cmd->callback([&g, a] {
    enum class Mode { kOne, kProgramme, kCompare };
    nlohmann::json body = {{"from", a->from}, {"to", a->to}};
    Mode mode = Mode::kOne;
    Status bad = Status::Ok();
    if (!a->versions.empty()) {
      mode = Mode::kCompare;
      if (a->journeys.empty()) bad = Status::InvalidArgument("--versions needs --journey");
      body["journey"] = a->journeys.empty() ? "" : a->journeys.front();
      body["versions"] = a->versions;
      body["with"] = a->journeys.size() > 1
                         ? std::vector<std::string>(a->journeys.begin() + 1, a->journeys.end())
                         : std::vector<std::string>{};
      body["with_all"] = a->all;
    } else if (a->all || a->journeys.size() > 1) {
      mode = Mode::kProgramme;
      body["journeys"] = a->journeys;
      body["all"] = a->all;
    } else if (a->journeys.empty()) {
      bad =
          Status::InvalidArgument("--journey: name a journey to replay, or replay them all: --all");
    } else {
      body["journey"] = a->journeys.front();
    }
    if (!bad.ok()) {
      g.exit_code = PrintError(bad);
      return;
    }
    auto text = [mode](const nlohmann::json& r) {
      if (mode == Mode::kOne) {
        PrintReplay(r);
      } else if (mode == Mode::kProgramme) {
        std::cout << fmt::format(
            "programme replay from {} to {}: {} events used of {}, {} would "
            "be sent\n",
            r.value("from", ""), r.value("to", ""), r["events_used"].dump(),
            r["events_read"].dump(), r["would_send"].dump());
        for (const auto& j : r["journeys"]) PrintReplay(j);
      } else {
        std::cout << "version a:\n";
        PrintReplay(r["a"]);
        std::cout << "version b:\n";
        PrintReplay(r["b"]);
        if (!r["rate_difference"].is_null())
          std::cout << fmt::format("goal rate b - a: {} (95% interval {})\n",
                                   r["rate_difference"].dump(), r["difference_interval"].dump());
      }
    };
    LocalOrRemote(
        g, true,
        [&](Engine& e) -> int {
          switch (mode) {
            case Mode::kCompare: {
              auto req = wire::ParseReplayComparisonRequest(body);
              if (!req.ok()) return PrintError(req.status());
              return Show(g, Written(e.CompareReplays(*req)), text);
            }
            case Mode::kProgramme: {
              auto req = wire::ParseProgrammeReplayRequest(body);
              if (!req.ok()) return PrintError(req.status());
              return Show(g, Written(e.ReplayProgramme(*req)), text);
            }
            case Mode::kOne:
              break;
          }
          auto req = wire::ParseReplayRequest(body);
          if (!req.ok()) return PrintError(req.status());
          return Show(g, Written(e.Replay(*req)), text);
        },
        [&] { return Show(g, RemoteCall(g, "POST", "/api/replay", body.dump()), text); });
  });
}

}  // namespace signpost::cli
