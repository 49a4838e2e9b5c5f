// Routes: Segment's ingest endpoints, the probes, profiles, dead letters, definitions, funnels and
// the keys (created, listed and revoked while serving).
#include <fmt/format.h>

#include "api/credentials.h"
#include "api/routes.h"
#include "api/server.h"
#include "wire/wire.h"

namespace signpost::api {

using nlohmann::json;

namespace {

// The kind named in a definitions path: kNotFound naming the kinds for anything else.
Result<DefinitionKind> KindOf(std::string_view name) {
  const std::optional<DefinitionKind> kind = DefinitionKindNamed(name);
  if (!kind)
    return Status::NotFound(fmt::format(
        "no definitions of kind '{}': the kinds are funnel, segment, journey, template, channel "
        "and settings",
        name.substr(0, 40)));
  return *kind;
}

json RejectionJson(const Rejection& r) {
  return {{"location", r.location}, {"field", r.field}, {"reason", r.reason}};
}

// A funnel query (report, people) from the request's parameters: every parameter as text, except
// the integers, which QueryInt checks here (bad → 400 naming the parameter) and passes as numbers.
// The engine checks what depends on the funnel (a step number past its last step).
Result<json> FunnelQueryJson(const Request& req) {
  struct IntParam {
    const char* name;
    uint64_t min, max;
  };
  static constexpr IntParam kInts[] = {
      {"version", 0, 1'000'000'000},  // 0 = the latest
      {"top", 1, 1'000'000},          // breakdown values shown
      {"completed", 0, 1'000'000},    // people: a step number (0 = not this filter)
      {"dropped_at", 0, 1'000'000},
  };
  json q = QueryJson(req);
  for (const IntParam& p : kInts) {
    if (!req.has_param(p.name)) continue;
    SP_ASSIGN_OR_RETURN(uint64_t v, QueryInt(req, p.name, 0, p.min, p.max));
    q[p.name] = v;
  }
  return q;
}

}  // namespace

void AddCoreRoutes(Router& r, Engine& eng) {
  // ---- ingest: Segment's HTTP tracking API ---------------------------------------------------
  for (std::string endpoint :
       {"track", "identify", "alias", "page", "screen", "group", "batch", "import"}) {
    r.Add("POST", "/v1/" + endpoint, Access::kWrite,
          [&eng, endpoint](const Request& req, Response& res) {
            // "import" is Segment's alias of /v1/batch.
            auto outcome = eng.IngestHttp(endpoint == "import" ? "batch" : endpoint, req.body,
                                          BasicAuthUser(req.authorization));
            if (!outcome.ok()) return ReplyError(res, outcome.status());
            json rejected = json::array();
            for (const auto& rej : outcome->rejections) rejected.push_back(RejectionJson(rej));
            const bool any_ok = outcome->accepted + outcome->duplicates > 0;
            Reply(res, any_ok || rejected.empty() ? 200 : 400,
                  {{"success", any_ok || rejected.empty()},
                   {"accepted", outcome->accepted},
                   {"duplicates", outcome->duplicates},
                   {"rejected", rejected}});
          });
  }
  // The one-letter paths Segment's browser SDK (analytics.js) posts to: each is its long name's
  // route (the same handler, credentials, limits and replies).
  for (const auto& [letter, name] :
       std::initializer_list<std::pair<const char*, const char*>>{{"t", "track"},
                                                                  {"i", "identify"},
                                                                  {"a", "alias"},
                                                                  {"p", "page"},
                                                                  {"s", "screen"},
                                                                  {"g", "group"},
                                                                  {"b", "batch"}}) {
    std::vector<std::string> captures;
    const Route* route = r.Find("POST", {"v1", name}, captures);
    r.Add("POST", std::string("/v1/") + letter, route->access, route->handler, route->runs);
  }
  // analytics.js's own telemetry (counters of its retries and errors, meant for Segment, sent to
  // the same host): accepted and dropped, so a page's SDK logs no error. A public route, so its
  // body is read under the small bound (server.cc).
  r.Add(
      "POST", "/v1/m", Access::kPublic,
      [](const Request&, Response& res) {
        Reply(res, 200, {{"success", true}});
      },
      Runs::kInline);

  // ---- probes: answered on the I/O thread, never queued behind reports -------------------------
  r.Add(
      "GET", "/healthz", Access::kPublic,
      [](const Request&, Response& res) {
        Reply(res, 200, {{"status", "ok"}});
      },
      Runs::kInline);
  r.Add(
      "GET", "/readyz", Access::kPublic,
      [&eng](const Request&, Response& res) {
        // Every check by name, so a probe's log says which one failed (src/api/README.md).
        json checks = json::array();
        std::string reason;
        for (const ReadinessCheck& c : eng.Readiness()) {
          checks.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
          if (!c.ok && reason.empty()) reason = c.detail;
        }
        if (reason.empty()) return Reply(res, 200, {{"status", "ready"}, {"checks", checks}});
        Reply(res, 503, {{"status", "not ready"}, {"reason", reason}, {"checks", checks}});
      },
      Runs::kInline);

  // ---- admin API: needs an admin token -------------------------------------------------------
  AddAdmin(r, "GET", "/api/profiles/{id}", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(ProfileReport profile, eng.Profile(req.captures[0]));
    return wire::ToJson(profile);
  });
  AddAdmin(r, "GET", "/api/profiles/{id}/events", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(uint64_t limit, QueryInt(req, "limit", 1000, 1, 1000000));
    SP_ASSIGN_OR_RETURN(ProfileEventList events, eng.ProfileEvents(req.captures[0], limit));
    return wire::ToJson(events);
  });
  AddAdmin(r, "GET", "/api/deadletters", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(uint64_t limit, QueryInt(req, "limit", 100, 1, 1000000));
    SP_ASSIGN_OR_RETURN(DeadLetterList letters, eng.ListDeadLetters(limit));
    return wire::ToJson(letters);
  });
  // ?dry_run=true: what the apply would do (created, configured, unchanged), nothing stored.
  AddAdmin(r, "POST", "/api/definitions", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(bool dry_run, QueryBool(req, "dry_run"));
    if (dry_run) {
      SP_ASSIGN_OR_RETURN(AppliedDefinitions plan,
                          eng.PlanDocuments(DefinitionDocuments(req.body)));
      return wire::ToJson(plan);
    }
    SP_ASSIGN_OR_RETURN(AppliedDefinitions applied, eng.Apply(req.body, req.param("note")));
    return wire::ToJson(applied);
  });
  AddAdmin(r, "GET", "/api/definitions/{kind}/{id}", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(DefinitionKind kind, KindOf(req.captures[0]));
    SP_ASSIGN_OR_RETURN(uint64_t version, QueryInt(req, "version", 0, 0, 1'000'000'000));
    SP_ASSIGN_OR_RETURN(DefinitionText text, eng.GetDefinition(kind, req.captures[1], version));
    return wire::ToJson(text);
  });
  AddAdmin(r, "DELETE", "/api/definitions/{kind}/{id}", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(DefinitionKind kind, KindOf(req.captures[0]));
    SP_ASSIGN_OR_RETURN(bool dry_run, QueryBool(req, "dry_run"));
    SP_ASSIGN_OR_RETURN(DeletedDefinition deleted,
                        eng.DeleteDefinition(kind, req.captures[1], dry_run));
    return wire::ToJson(deleted);
  });
  AddAdmin(r, "GET", "/api/definitions/{kind}", [&eng](const Request& req) -> Result<json> {
    const std::string& name = req.captures[0];
    for (char c : name)
      if (c < 'a' || c > 'z')
        return Status::NotFound(fmt::format(
            "no definitions of kind '{}': kinds are lowercase words", name.substr(0, 40)));
    const std::optional<DefinitionKind> kind = DefinitionKindNamed(name);
    if (!kind) return wire::ToJson(DefinitionList());  // no such kind: none stored
    SP_ASSIGN_OR_RETURN(DefinitionList list, eng.ListDefinitions(*kind));
    return wire::ToJson(list);
  });
  AddAdmin(r, "GET", "/api/funnels", [&eng](const Request&) -> Result<json> {
    SP_ASSIGN_OR_RETURN(DefinitionList list, eng.ListDefinitions(DefinitionKind::kFunnel));
    return wire::ToJson(list);
  });
  AddAdmin(r, "POST", "/api/funnels/query", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(
        json q, ParseJsonObject(req.body, "body: expected a JSON object with the funnel query"));
    SP_ASSIGN_OR_RETURN(FunnelQuery query, wire::ParseFunnelQuery("", q));
    SP_ASSIGN_OR_RETURN(FunnelReport report, eng.Funnel(query));
    return wire::ToJson(report);
  });
  // An ad-hoc funnel's people, and saving them as a static segment (`name` in the body): the
  // query is the body, as for /api/funnels/query (the command line's remote mode).
  AddAdmin(r, "POST", "/api/funnels/people", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(
        json q, ParseJsonObject(req.body, "body: expected a JSON object with the funnel query"));
    SP_ASSIGN_OR_RETURN(FunnelPeopleQuery query, wire::ParseFunnelPeopleQuery("", q));
    SP_ASSIGN_OR_RETURN(FunnelPeople people, eng.FunnelPeople(query));
    return wire::ToJson(people);
  });
  AddAdmin(r, "POST", "/api/funnels/people/segment", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(json q, ParseJsonObject(req.body,
                                                "body: expected a JSON object with the "
                                                "funnel query and the segment's name"));
    const json name = q.value("name", json(""));
    if (!name.is_string() || name.get<std::string>().empty())
      return Status::InvalidArgument("name: missing; send the new segment's name in the body");
    q.erase("name");
    SP_ASSIGN_OR_RETURN(FunnelPeopleQuery query, wire::ParseFunnelPeopleQuery("", q));
    SP_ASSIGN_OR_RETURN(auto saved,
                        eng.SaveFunnelPeople(query, SegmentId(name.get<std::string>())));
    return wire::ToJson(saved);
  });
  AddAdmin(r, "GET", "/api/funnels/{id}/report", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(json q, FunnelQueryJson(req));
    SP_ASSIGN_OR_RETURN(FunnelQuery query, wire::ParseFunnelQuery(req.captures[0], q));
    SP_ASSIGN_OR_RETURN(FunnelReport report, eng.Funnel(query));
    return wire::ToJson(report);
  });
  AddAdmin(r, "GET", "/api/funnels/{id}/people", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(json q, FunnelQueryJson(req));
    SP_ASSIGN_OR_RETURN(FunnelPeopleQuery query, wire::ParseFunnelPeopleQuery(req.captures[0], q));
    SP_ASSIGN_OR_RETURN(FunnelPeople people, eng.FunnelPeople(query));
    return wire::ToJson(people);
  });
  AddAdmin(r, "POST", "/api/funnels/{id}/people/segment",
           [&eng](const Request& req) -> Result<json> {
             // The new segment's name is `name` (then `segment` filters the funnel as in a report),
             // or `segment` alone (then it is only the name, not a filter).
             SP_ASSIGN_OR_RETURN(json q, FunnelQueryJson(req));
             std::string name;
             if (q.contains("name")) {
               name = q["name"];
               q.erase("name");
             } else if (q.contains("segment")) {
               name = q["segment"];
               q.erase("segment");
             }
             if (name.empty())
               return Status::InvalidArgument("name: missing; pass ?name=NEW_SEGMENT");
             SP_ASSIGN_OR_RETURN(FunnelPeopleQuery query,
                                 wire::ParseFunnelPeopleQuery(req.captures[0], q));
             SP_ASSIGN_OR_RETURN(auto saved, eng.SaveFunnelPeople(query, SegmentId(name)));
             return wire::ToJson(saved);
           });
  AddAdmin(r, "GET", "/api/profiles/{id}/funnels/{funnel}/last-step",
           [&eng](const Request& req) -> Result<json> {
             SP_ASSIGN_OR_RETURN(FunnelLastStep last,
                                 eng.LastCompletedStep(FunnelId(req.captures[1]), req.captures[0]));
             return wire::ToJson(last);
           });

  // ---- keys: revoking a leaked key needs no restart (CheckKey sees the change at once) --------
  AddAdmin(r, "GET", "/api/keys", [&eng](const Request&) -> Result<json> {
    SP_ASSIGN_OR_RETURN(std::vector<ApiKeyInfo> keys, eng.ListKeys());
    return wire::KeyListJson(keys);
  });
  AddAdmin(r, "POST", "/api/keys", [&eng](const Request& req) -> Result<json> {
    constexpr std::string_view kHint =
        "body: send {\"kind\": \"write\" | \"admin\", \"name\": \"what the key is for\"}";
    SP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req.body, kHint));
    const json kind = body.value("kind", json());
    const json name = body.value("name", json(""));
    if (!kind.is_string() || (kind != "write" && kind != "admin"))
      return Status::InvalidArgument("kind: use \"write\" (ingest) or \"admin\" (the admin API)");
    if (!name.is_string()) return Status::InvalidArgument("name: expected a string");
    SP_ASSIGN_OR_RETURN(ApiKeyInfo key,
                        eng.CreateKey(kind.get<std::string>(), name.get<std::string>()));
    return wire::ToJson(key);
  });
  AddAdmin(r, "DELETE", "/api/keys/{token}", [&eng](const Request& req) -> Result<json> {
    SP_RETURN_IF_ERROR(eng.RevokeKey(req.captures[0]));
    return json{{"revoked", true}};
  });

  // ---- the audit log of admin actions ----------------------------------------------------------
  AddAdmin(r, "GET", "/api/audit", [&eng](const Request& req) -> Result<json> {
    SP_ASSIGN_OR_RETURN(AuditQuery query, wire::ParseAuditQuery(QueryJson(req)));
    return wire::ToJson(eng.Audit(query));
  });
}

}  // namespace signpost::api
