// Routes: journeys (list, one with step analytics, lifecycle), goal reports, replay, and the people
// stuck at a funnel step (what a step segment would hold now).
#include "api/routes.h"
#include "signpost/step_segments.h"
#include "wire/step_json.h"
#include "wire/wire.h"

namespace signpost::api {

using nlohmann::json;

namespace {

// The people at query.step of the stored funnel (reached it, not the next step: the funnel's
// people dropped_at the step, each at its best attempt over its events, as of the clock's now)
// for longer than query.stuck_for: the members now of the step segment rule `funnel: {id,
// reached: step, not_reached: step + 1, stuck_for: {gt: stuck_for}}` (a funnel with `consent:`
// counts only the people it counts). kNotFound for an unknown funnel; kInvalidArgument for a step
// that is not a required step before the last.
Result<FunnelStuck> StuckAt(const Engine& eng, const FunnelStuckQuery& query) {
  FunnelPeopleQuery people_query;
  people_query.funnel.id = query.funnel;
  people_query.dropped_at = query.step;
  SP_ASSIGN_OR_RETURN(FunnelPeople people, eng.FunnelPeople(people_query));
  SP_ASSIGN_OR_RETURN(DefinitionList funnels, eng.ListDefinitions(DefinitionKind::kFunnel));
  FunnelStuck out;
  out.funnel = query.funnel;
  out.version = people.version;
  out.step = query.step;
  out.next_step = query.step + 1;
  out.stuck_for = query.stuck_for;
  out.as_of = eng.clock().NowMs();
  for (const FunnelPerson& p : people.people) out.people += p.stuck_ms > query.stuck_for ? 1 : 0;
  for (const StoredDefinition& d : funnels.definitions) {
    if (d.id != query.funnel.value() || !d.funnel) continue;
    const auto& names = d.funnel->steps;
    if (static_cast<size_t>(query.step) < names.size()) {
      out.step_name = names[static_cast<size_t>(query.step) - 1];
      out.next_step_name = names[static_cast<size_t>(query.step)];
    }
  }
  return out;
}

}  // namespace

void AddJourneyRoutes(Router& r, Engine& eng) {
  AddAdmin(r, "GET", "/api/journeys", [&eng](const Request&) -> Result<json> {
    SP_ASSIGN_OR_RETURN(JourneyList list, eng.Journeys());
    return wire::ToJson(list);
  });
  AddAdmin(r, "GET", "/api/journeys/{id}", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(JourneyView journey, eng.Journey(req.captures[0]));
    return wire::ToJson(journey);
  });
  AddAdmin(r, "POST", "/api/journeys/{id}/state", [&eng](const Request& req) -> Result<json> {
    constexpr std::string_view kHint =
        "state: send {\"state\": \"live\"} or {\"state\": \"stopped\"}";
    SP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req.body, kHint));
    if (!body.contains("state") || !body["state"].is_string())
      return Status::InvalidArgument(std::string(kHint));
    SP_ASSIGN_OR_RETURN(JourneyStateChange change,
                        eng.SetJourneyState(req.captures[0], body["state"].get<std::string>()));
    return wire::ToJson(change);
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/goal", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(GoalReportQuery query, wire::ParseGoalReportQuery(QueryJson(req)));
    SP_ASSIGN_OR_RETURN(GoalReport report, eng.GoalReport(req.captures[0], query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "GET", "/api/journeys/{id}/goal/people", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(GoalReportQuery query, wire::ParseGoalReportQuery(QueryJson(req)));
    SP_ASSIGN_OR_RETURN(GoalPeople people, eng.GoalPeople(req.captures[0], query));
    return wire::ToJson(people);
  });
  AddAdmin(r, "POST", "/api/replay", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(
        json body, ParseJsonObject(req.body, "body: send {\"journey\", \"from\", \"to\"} as JSON"));
    // A what-if names two versions; a programme names journeys (or all); else one journey.
    if (body.contains("versions")) {
      SP_ASSIGN_OR_RETURN(ReplayComparisonRequest request,
                          wire::ParseReplayComparisonRequest(body));
      SP_ASSIGN_OR_RETURN(ReplayComparison comparison, eng.CompareReplays(request));
      return wire::ToJson(comparison);
    }
    if (body.contains("journeys") || body.contains("all")) {
      SP_ASSIGN_OR_RETURN(ProgrammeReplayRequest request, wire::ParseProgrammeReplayRequest(body));
      SP_ASSIGN_OR_RETURN(ProgrammeReplayReport report, eng.ReplayProgramme(request));
      return wire::ToJson(report);
    }
    SP_ASSIGN_OR_RETURN(ReplayRequest request, wire::ParseReplayRequest(body));
    SP_ASSIGN_OR_RETURN(ReplayReport report, eng.Replay(request));
    return wire::ToJson(report);
  });
  AddAdmin(r, "GET", "/api/funnels/{id}/stuck", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(FunnelStuckQuery query,
                        wire::ParseFunnelStuckQuery(req.captures[0], QueryJson(req)));
    SP_ASSIGN_OR_RETURN(FunnelStuck stuck, StuckAt(eng, query));
    return wire::ToJson(stuck);
  });
}

}  // namespace signpost::api
