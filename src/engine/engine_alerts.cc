// Engine: alerts (alert_service.h) and the step-health detector wired to the services: what is
// watched (every stored funnel's event steps, every live journey's goal, sends and pacing), the
// hourly counts read from the analytics index, and notifications through `kind: channel`
// definitions (settings.alerts.notify). Schema drift (catalog_service.h) is a detector too: each
// likely rename, type change and property gone missing that a stored definition reads is an
// incident (kind `schema_drift`), resolved when the finding no longer holds.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "analytics/funnel_definition.h"
#include "delivery/channels.h"
#include "engine/catalog_service.h"
#include "engine/engine_impl.h"
#include "engine/step_health_monitor.h"
#include "signpost/acting_as.h"

namespace signpost {

namespace {

// The series step health watches: every stored funnel's steps with events, every live journey's
// goal event.
Result<std::vector<engine::WatchedSeries>> WatchList(Engine::Impl& m,
                                                     const engine::AlertSettings& settings) {
  std::vector<engine::WatchedSeries> out;
  SP_ASSIGN_OR_RETURN(DefinitionList funnels, m.definitions->List(DefinitionKind::kFunnel));
  for (const StoredDefinition& d : funnels.definitions) {
    const auto thresholds = analytics::ThresholdsFor(settings.ForFunnel(d.id));
    if (!thresholds.enabled) continue;
    auto text = m.definitions->Get(DefinitionKind::kFunnel, d.id, 0);
    if (!text.ok()) continue;
    auto def = analytics::ParseFunnelDefinition(text->body);
    if (!def.ok()) continue;
    int previous = -1;
    for (size_t k = 0; k < def->steps.size(); ++k) {
      const analytics::FunnelStep& step = def->steps[k];
      engine::WatchedSeries w;
      for (const rules::EventMatcher& matcher : step.any_of) w.names.push_back(matcher.event);
      if (w.names.empty()) {  // a status step: not watched, and no conversion across it
        previous = -1;
        continue;
      }
      w.key = fmt::format("step/funnel/{}/{}", d.id, k + 1);
      w.label = fmt::format("funnel {}, step {} ({})", d.id, k + 1, step.name);
      w.previous = previous;
      w.affected = {fmt::format("funnel/{}#{}", d.id, k + 1)};
      w.thresholds = thresholds;
      previous = static_cast<int>(out.size());
      out.push_back(std::move(w));
    }
  }
  SP_ASSIGN_OR_RETURN(JourneyList journeys, m.journeys->List());
  for (const JourneyRow& row : journeys.journeys) {
    if (row.state != JourneyLifecycle::kLive) continue;
    const auto thresholds = analytics::ThresholdsFor(settings.ForJourney(row.id.value()));
    if (!thresholds.enabled) continue;
    auto view = m.journeys->Get(row.id);
    if (!view.ok() || !view->goal || view->goal->event.empty()) continue;
    engine::WatchedSeries w;
    w.key = fmt::format("goal/journey/{}", row.id.value());
    w.label = fmt::format("journey {}, goal ({})", row.id.value(), view->goal->event);
    w.goal = true;
    w.names = {view->goal->event};
    w.affected = {fmt::format("journey/{}", row.id.value())};
    w.thresholds = thresholds;
    out.push_back(std::move(w));
  }
  return out;
}

// Counts of each name per hour from the analytics index.
Result<engine::HourlyCounts> CountHours(const engine::EventService& events,
                                        const std::vector<std::string>& names, TimeMs from,
                                        size_t hours) {
  SP_RETURN_IF_ERROR(events.RequireIndex());
  return events.ReadIndex([&](const analytics::EventIndex& index, auto*) {
    engine::HourlyCounts out;
    std::vector<std::vector<double>*> by_id(index.NameCount(), nullptr);
    for (const std::string& name : names) {
      auto& slot = out[name];
      slot.assign(hours, 0);
      const uint32_t id = index.NameId(name);
      if (id != analytics::EventIndex::kNoName) by_id[id] = &slot;
    }
    const TimeMs to = from + static_cast<TimeMs>(hours) * kHourMs;
    (void)index.SeqsWhere([&](TimeMs ts, uint32_t name, uint8_t) {
      if (ts >= from && ts < to && name < by_id.size() && by_id[name] != nullptr)
        (*by_id[name])[static_cast<size_t>((ts - from) / kHourMs)] += 1;
      return false;
    });
    return Result<engine::HourlyCounts>(std::move(out));
  });
}

// What the journeys' sends and goal pacing come to now.
Result<std::vector<engine::JourneyHealth>> JourneysHealth(Engine::Impl& m,
                                                          const engine::AlertSettings& settings,
                                                          TimeMs now) {
  std::vector<engine::JourneyHealth> out;
  SP_ASSIGN_OR_RETURN(JourneyList journeys, m.journeys->List());
  for (const JourneyRow& row : journeys.journeys) {
    if (row.state != JourneyLifecycle::kLive) continue;
    auto view = m.journeys->Get(row.id);
    if (!view.ok()) continue;
    engine::JourneyHealth h;
    h.journey = row.id.value();
    h.enabled = settings.ForJourney(h.journey) != analytics::HealthSensitivity::kOff;
    for (const JourneyStepView& step : view->steps) {
      if (step.type != "message") continue;
      h.sent += static_cast<double>(step.inflow);
      auto failed = step.exits.find("send_failed");
      if (failed != step.exits.end()) h.failed += static_cast<double>(failed->second);
    }
    h.sent = std::max(0.0, h.sent - h.failed);
    if (view->goal && view->goal->target != GoalView::TargetKind::kNone && view->start &&
        view->end && *view->end > *view->start) {
      auto report = m.goals->Report(*m.journeys, h.journey, GoalReportQuery());
      if (report.ok() && report->target_progress) {
        h.target_progress = *report->target_progress;
        h.elapsed = static_cast<double>(now - *view->start) /
                    static_cast<double>(*view->end - *view->start);
      }
    }
    out.push_back(std::move(h));
  }
  return out;
}

engine::AlertService::SendResult SendAlert(Engine::Impl& m,
                                           const engine::AlertService::Outgoing& o) {
  auto channel = m.delivery->LoadChannel(o.channel);
  if (!channel.ok()) return {false, true, channel.status().ToString()};
  delivery::ChannelDef c = *channel;
  const AlertIncident& a = o.incident;
  delivery::Message msg;
  msg.key = fmt::format("alert/{}/{}", a.id, o.transition);
  msg.channel = o.channel;
  msg.to = o.to;
  msg.created_at = m.clock->NowMs();
  delivery::Rendered r;
  const char* verb = o.transition == "resolved" ? "resolved" : "opened";
  r.subject = fmt::format("[signpost] alert {} {}: {}", a.id, verb, a.finding.title);
  r.text = fmt::format("[signpost] alert {} {} ({}, {}): {}\n{}\nAffects: {}\n{}/#/alerts", a.id,
                       verb, AlertSeverityName(a.finding.severity), a.finding.kind, a.finding.title,
                       a.finding.detail, fmt::join(a.finding.affected, ", "), m.options.public_url);
  r.body = r.text;
  delivery::SendOutcome outcome;
  switch (c.type) {
    case delivery::ChannelType::kWebhook:
      // A Slack-compatible body unless the channel shapes its own (its payload template).
      if (c.payload.is_null()) c.payload = nlohmann::json{{"text", "{{body}}"}};
      outcome = delivery::SendWebhook(c, msg, r);
      break;
    case delivery::ChannelType::kSmtp:
      if (msg.to.empty())
        return {false, true, "settings.alerts.notify: an smtp channel needs `to`"};
      outcome = delivery::SendSmtp(c, msg, r, msg.created_at);
      break;
    case delivery::ChannelType::kFile:
      outcome = delivery::AppendToFile(c, m.options.data_dir, msg, r, msg.created_at);
      break;
  }
  return {outcome.status == delivery::SendStatus::kAccepted,
          outcome.status == delivery::SendStatus::kPermanent, outcome.error};
}

// Schema drift as alerts: the findings that can break a definition today — a likely rename, a
// type change, a property gone missing — each an incident while it holds, naming what reads it
// ("funnel/signup#step 2 'Email Verified'"). Findings nothing reads stay on the Schema page only,
// as do new events; an event that stopped is step health's to judge (it knows the hour of the
// week), so one problem is one incident. Incidents of the catalog's findings (keys `drift:...`)
// that no longer hold are resolved; findings raised by others (Engine::RaiseAlert) are theirs.
Status RaiseDriftAlerts(Engine::Impl& impl, engine::AlertService& alerts, TimeMs now) {
  if (impl.catalog == nullptr) return Status::Ok();
  SP_ASSIGN_OR_RETURN(DriftReport drift, impl.catalog->Drift());
  std::set<std::string> holding;
  for (const DriftFinding& d : drift.findings) {
    if (d.affected.empty()) continue;
    if (d.kind != DriftKind::kLikelyRename && d.kind != DriftKind::kTypeChange &&
        d.kind != DriftKind::kPropertyMissing)
      continue;
    AlertFinding f;
    f.key = d.key;
    f.kind = "schema_drift";
    f.severity =
        d.kind == DriftKind::kLikelyRename ? AlertSeverity::kCritical : AlertSeverity::kWarning;
    f.title = d.title;
    f.detail = d.detail;
    if (!d.suggestion.empty()) f.detail += fmt::format(" Suggested new name: `{}`.", d.suggestion);
    for (const DriftAffected& a : d.affected)
      f.affected.push_back(a.where.empty() ? a.kind + "/" + a.id
                                           : a.kind + "/" + a.id + "#" + a.where);
    SP_RETURN_IF_ERROR(alerts.Raise(f, now).status());
    holding.insert(d.key);
  }
  AlertQuery open;
  open.kind = "schema_drift";
  open.limit = 10000;
  for (const AlertIncident& a : alerts.List(open).incidents)
    if (a.finding.key.rfind("drift:", 0) == 0 && !holding.count(a.finding.key))
      SP_RETURN_IF_ERROR(alerts.Clear(a.finding.key, now));
  return Status::Ok();
}

}  // namespace

Status OpenAlerts(Engine::Impl& impl) {
  Engine::Impl* raw = &impl;
  // The journeys' counts at the last evaluation (send failures are judged on the difference);
  // touched only by evaluations, which the service serializes.
  auto previous = std::make_shared<std::map<std::string, engine::JourneyHealth>>();
  engine::AlertService::Hooks hooks;
  hooks.evaluate = [raw, previous](engine::AlertService& alerts, TimeMs now) -> Status {
    const engine::AlertSettings settings = raw->settings->Current().alerts;
    if (raw->events->index_loaded()) {
      SP_ASSIGN_OR_RETURN(auto watched, WatchList(*raw, settings));
      SP_RETURN_IF_ERROR(engine::EvaluateStepHealth(
          watched,
          [raw](const std::vector<std::string>& names, TimeMs from, size_t hours) {
            return CountHours(*raw->events, names, from, hours);
          },
          alerts, now));
    }
    SP_ASSIGN_OR_RETURN(auto journeys, JourneysHealth(*raw, settings, now));
    std::map<std::string, engine::JourneyHealth> next;
    for (const engine::JourneyHealth& h : journeys) {
      auto it = previous->find(h.journey);
      SP_RETURN_IF_ERROR(engine::EvaluateJourneyHealth(
          h, it == previous->end() ? std::nullopt : std::optional(it->second), alerts, now));
      next[h.journey] = h;
    }
    *previous = std::move(next);
    return RaiseDriftAlerts(*raw, alerts, now);
  };
  hooks.targets = [raw] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const engine::AlertTarget& t : raw->settings->Current().alerts.notify)
      out.emplace_back(t.channel, t.to);
    return out;
  };
  hooks.send = [raw](const engine::AlertService::Outgoing& o) { return SendAlert(*raw, o); };
  engine::AlertService::Options options;
  options.thread = impl.options.alerts_thread;
  SP_ASSIGN_OR_RETURN(impl.alerts, engine::AlertService::Open(impl.store(), *impl.clock,
                                                              std::move(hooks), options));
  return Status::Ok();
}

AlertList Engine::Alerts(const AlertQuery& query) const { return impl_->alerts->List(query); }

Result<AlertIncident> Engine::Alert(uint64_t id) const { return impl_->alerts->Get(id); }

Result<AlertIncident> Engine::AcknowledgeAlert(uint64_t id) {
  return impl_->audit->Recorded("alert.ack", fmt::format("alert/{}", id),
                                impl_->alerts->Acknowledge(id, CurrentActor()),
                                [](const AlertIncident& a) {
                                  return nlohmann::json{{"key", a.finding.key}};
                                });
}

Result<AlertIncident> Engine::ResolveAlert(uint64_t id) {
  return impl_->audit->Recorded("alert.resolve", fmt::format("alert/{}", id),
                                impl_->alerts->Resolve(id, CurrentActor()),
                                [](const AlertIncident& a) {
                                  return nlohmann::json{{"key", a.finding.key}};
                                });
}

Result<AlertIncident> Engine::MuteAlert(uint64_t id, TimeMs until) {
  return impl_->audit->Recorded("alert.mute", fmt::format("alert/{}", id),
                                impl_->alerts->Mute(id, until), [until](const AlertIncident& a) {
                                  return nlohmann::json{{"key", a.finding.key}, {"until", until}};
                                });
}

Result<uint64_t> Engine::RaiseAlert(const AlertFinding& finding) {
  return impl_->alerts->Raise(finding, impl_->clock->NowMs());
}

Status Engine::ClearAlert(std::string_view key) {
  return impl_->alerts->Clear(key, impl_->clock->NowMs());
}

Status Engine::EvaluateAlerts() { return impl_->alerts->Evaluate(); }

Status Engine::RunAlertsDue() { return impl_->alerts->RunDue(); }

}  // namespace signpost
