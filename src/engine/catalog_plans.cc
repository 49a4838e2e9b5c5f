// CatalogService: tracking plans (catalog_service.h): loading, applying, and the screen every
// item from outside goes through before it is committed.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "engine/catalog_service.h"
#include "engine/definition_records.h"

namespace signpost::engine {

namespace {

// The item as Segment JSON: what a dead letter keeps so it can be re-imported (NDJSON).
std::string PlanItemJson(const Event& e) {
  nlohmann::json j = {{"type", EventTypeName(e.type)},
                      {"messageId", e.message_id},
                      {"timestamp", FormatIso8601(e.timestamp)}};
  if (!e.user_id.empty()) j["userId"] = e.user_id;
  if (!e.anonymous_id.empty()) j["anonymousId"] = e.anonymous_id;
  if (!e.event.empty()) j[e.type == EventType::kTrack ? "event" : "name"] = e.event;
  if (!e.previous_id.empty()) j["previousId"] = e.previous_id;
  if (!e.group_id.empty()) j["groupId"] = e.group_id;
  if (e.sent_at) j["sentAt"] = FormatIso8601(*e.sent_at);
  for (auto [key, text] : {std::pair{"properties", &e.properties}, std::pair{"traits", &e.traits},
                           std::pair{"context", &e.context}}) {
    if (*text == "{}") continue;
    nlohmann::json v = nlohmann::json::parse(*text, nullptr, false);
    if (!v.is_discarded()) j[key] = std::move(v);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Status CatalogService::LoadPlans() {
  SP_ASSIGN_OR_RETURN(auto records, store_.definitions().List(DefinitionKind::kTrackingPlan));
  auto plans = std::make_shared<Plans>();
  for (const auto& r : records) {
    auto plan = analytics::ParseTrackingPlan(r.body);
    if (!plan.ok())
      return Status::Corruption(fmt::format("stored tracking_plan '{}' version {}: {}", r.id,
                                            r.version, plan.status().message()));
    plan->version = r.version;
    plans->push_back(std::move(*plan));
  }
  MutexLock lock(plans_mu_);
  plans_ = std::move(plans);
  return Status::Ok();
}

std::shared_ptr<const CatalogService::Plans> CatalogService::plans() const {
  MutexLock lock(plans_mu_);
  return plans_;
}

std::vector<Rejection> CatalogService::Screen(std::vector<Event>& events, std::string_view source) {
  std::vector<Rejection> blocked;
  const std::shared_ptr<const Plans> plans = this->plans();
  if (plans->empty() || events.empty()) return blocked;
  const TimeMs now = clock_.NowMs();
  struct Counted {
    EventType type;
    std::string name;
    CatalogViolation v;
  };
  std::vector<Counted> counted;
  size_t kept = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    const analytics::TrackingPlan* blocking = nullptr;
    analytics::PlanViolation first;
    for (const analytics::TrackingPlan& plan : *plans) {
      const std::vector<analytics::PlanViolation> found = analytics::CheckAgainstPlan(plan, e);
      const bool block = plan.mode == analytics::PlanMode::kBlock && !found.empty();
      for (const analytics::PlanViolation& v : found) {
        CatalogViolation c;
        c.plan = plan.id;
        c.version = plan.version;
        c.property = v.property;
        c.rule = v.rule;
        c.message = v.message;
        c.count = 1;
        c.blocked = block ? 1 : 0;
        c.last_at = now;
        counted.push_back({e.type, e.event, std::move(c)});
      }
      if (block && blocking == nullptr) {
        blocking = &plan;
        first = found.front();
      }
    }
    if (blocking == nullptr) {
      if (kept != i) events[kept] = std::move(e);
      ++kept;
      continue;
    }
    Rejection r;
    r.location = "messageId " + e.message_id;
    r.field = first.property;
    r.reason = fmt::format(
        "tracking plan '{}' (version {}, mode block) refused it: {} (rule: {}; from {}); fix the "
        "sender or the plan, then re-import it",
        blocking->id, blocking->version, first.message, first.rule, source);
    r.raw = PlanItemJson(e);
    blocked.push_back(std::move(r));
  }
  events.resize(kept);
  if (!counted.empty()) {
    MutexLock lock(mu_);
    for (const Counted& c : counted) catalog_.RecordViolation(c.type, c.name, c.v);
  }
  return blocked;
}

Status CatalogService::CheckPlan(std::string_view text) {
  return analytics::ParseTrackingPlan(text).status();
}

Result<AppliedDefinition> CatalogService::ApplyPlan(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(analytics::TrackingPlan plan, analytics::ParseTrackingPlan(text));
  SP_ASSIGN_OR_RETURN(
      AppliedDefinition out,
      StoreDefinition(store_, clock_.NowMs(), DefinitionKind::kTrackingPlan, plan.id, text, note));
  plan.version = out.version;
  MutexLock lock(plans_mu_);
  auto next = std::make_shared<Plans>(*plans_);
  auto it = std::find_if(next->begin(), next->end(),
                         [&](const analytics::TrackingPlan& p) { return p.id == plan.id; });
  if (it != next->end()) {
    *it = std::move(plan);
  } else {
    next->push_back(std::move(plan));
  }
  plans_ = std::move(next);
  return out;
}

void CatalogService::PlanRemoved(std::string_view id) {
  MutexLock lock(plans_mu_);
  auto next = std::make_shared<Plans>(*plans_);
  std::erase_if(*next, [&](const analytics::TrackingPlan& p) { return p.id == id; });
  plans_ = std::move(next);
}

std::map<std::string, std::vector<std::string>> CatalogService::PlannedNames() const {
  std::map<std::string, std::vector<std::string>> out;
  for (const analytics::TrackingPlan& plan : *plans()) {
    auto& names = out[plan.id];
    for (const auto& e : plan.events) names.push_back(e.event);
  }
  return out;
}

std::vector<std::string> CatalogService::PlansInForce() const {
  std::vector<std::string> out;
  for (const analytics::TrackingPlan& plan : *plans()) {
    out.push_back(
        fmt::format("{}@{} ({})", plan.id, plan.version, analytics::PlanModeName(plan.mode)));
  }
  return out;
}

}  // namespace signpost::engine
