#include "engine/alert_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "base/prometheus_text.h"
#include "store/coding.h"

namespace signpost::engine {

namespace {

using nlohmann::json;

// Keys in Cf::kMeta: the incidents by id, and the service's own state.
constexpr std::string_view kIncidentPrefix = "alerts/incident/";
constexpr std::string_view kAlertStateKey = "alerts/state";
constexpr auto kAlertPollEvery = std::chrono::minutes(1);

std::string IncidentKey(uint64_t id) { return std::string(kIncidentPrefix) + store::U64Key(id); }

template <typename T>
json OptionalJson(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <typename T>
std::optional<T> OptionalFrom(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

json IncidentRecord(const AlertIncident& a) {
  const AlertFinding& f = a.finding;
  json notes = json::array();
  for (const auto& n : a.notifications)
    notes.push_back({{"channel", n.channel},
                     {"transition", n.transition},
                     {"at", n.at},
                     {"ok", n.ok},
                     {"error", n.error},
                     {"attempts", n.attempts}});
  return {{"id", a.id},
          {"key", f.key},
          {"kind", f.kind},
          {"severity", static_cast<int>(f.severity)},
          {"title", f.title},
          {"detail", f.detail},
          {"affected", f.affected},
          {"observed", OptionalJson(f.observed)},
          {"expected", OptionalJson(f.expected)},
          {"window_hours", OptionalJson(f.window_hours)},
          {"state", static_cast<int>(a.state)},
          {"opened_at", a.opened_at},
          {"last_seen_at", a.last_seen_at},
          {"acknowledged_at", OptionalJson(a.acknowledged_at)},
          {"acknowledged_by", a.acknowledged_by},
          {"resolved_at", OptionalJson(a.resolved_at)},
          {"resolved_by", a.resolved_by},
          {"muted_until", OptionalJson(a.muted_until)},
          {"raised", a.raised},
          {"notifications", notes}};
}

Result<AlertIncident> IncidentFromRecord(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Corruption("alerts: an incident record is not JSON");
  try {
    AlertIncident a;
    a.id = j.at("id").get<uint64_t>();
    a.finding.key = j.at("key").get<std::string>();
    a.finding.kind = j.at("kind").get<std::string>();
    a.finding.severity = static_cast<AlertSeverity>(std::clamp(j.at("severity").get<int>(), 0, 2));
    a.finding.title = j.at("title").get<std::string>();
    a.finding.detail = j.at("detail").get<std::string>();
    a.finding.affected = j.at("affected").get<std::vector<std::string>>();
    a.finding.observed = OptionalFrom<double>(j, "observed");
    a.finding.expected = OptionalFrom<double>(j, "expected");
    a.finding.window_hours = OptionalFrom<int>(j, "window_hours");
    a.state = static_cast<AlertState>(std::clamp(j.at("state").get<int>(), 0, 2));
    a.opened_at = j.at("opened_at").get<TimeMs>();
    a.last_seen_at = j.at("last_seen_at").get<TimeMs>();
    a.acknowledged_at = OptionalFrom<TimeMs>(j, "acknowledged_at");
    a.acknowledged_by = j.at("acknowledged_by").get<std::string>();
    a.resolved_at = OptionalFrom<TimeMs>(j, "resolved_at");
    a.resolved_by = j.at("resolved_by").get<std::string>();
    a.muted_until = OptionalFrom<TimeMs>(j, "muted_until");
    a.raised = j.at("raised").get<uint64_t>();
    for (const json& n : j.at("notifications"))
      a.notifications.push_back({n.at("channel").get<std::string>(),
                                 n.at("transition").get<std::string>(), n.at("at").get<TimeMs>(),
                                 n.at("ok").get<bool>(), n.at("error").get<std::string>(),
                                 n.at("attempts").get<uint32_t>()});
    return a;
  } catch (const json::exception& e) {
    return Status::Corruption(fmt::format("alerts: an incident record is malformed: {}", e.what()));
  }
}

bool IncidentMatches(const AlertIncident& a, const AlertQuery& q) {
  if (q.state == "open") {
    if (a.state == AlertState::kResolved) return false;
  } else if (q.state != "all" && q.state != AlertStateName(a.state)) {
    return false;
  }
  if (!q.kind.empty() && a.finding.kind != q.kind) return false;
  if (!q.subject.empty()) {
    bool hit = false;
    for (const std::string& s : a.finding.affected) hit = hit || s.starts_with(q.subject);
    if (!hit) return false;
  }
  return true;
}

}  // namespace

AlertService::AlertService(store::Store& store, const Clock& clock, Hooks hooks, Options options)
    : store_(store), clock_(clock), hooks_(std::move(hooks)), options_(options) {}

Result<std::unique_ptr<AlertService>> AlertService::Open(store::Store& store, const Clock& clock,
                                                         Hooks hooks, Options options) {
  std::unique_ptr<AlertService> service(new AlertService(store, clock, std::move(hooks), options));
  SP_RETURN_IF_ERROR(service->Load());
  if (options.thread) service->thread_ = std::thread([raw = service.get()] { raw->Loop(); });
  return service;
}

AlertService::~AlertService() {
  if (!thread_.joinable()) return;
  {
    MutexLock lock(wake_mu_);
    stop_ = true;
  }
  wake_cv_.NotifyAll();
  thread_.join();
}

void AlertService::Loop() {
  while (true) {
    {
      MutexLock lock(wake_mu_);
      if (!stop_) wake_cv_.WaitFor(lock, kAlertPollEvery);
      if (stop_) return;
    }
    Status s = RunDue();
    if (!s.ok()) spdlog::error("alerts: {}", s.ToString());
  }
}

Status AlertService::Load() {
  // Read first (the scan's callback is a lambda the lock analysis cannot follow), then index.
  std::vector<AlertIncident> loaded;
  Status parse = Status::Ok();
  SP_RETURN_IF_ERROR(store_.db().Scan(store::Cf::kMeta, kIncidentPrefix, kIncidentPrefix,
                                      [&](std::string_view, std::string_view value) {
                                        auto a = IncidentFromRecord(value);
                                        if (!a.ok()) {
                                          parse = a.status();
                                          return false;
                                        }
                                        loaded.push_back(std::move(*a));
                                        return true;
                                      }));
  SP_RETURN_IF_ERROR(parse);
  MutexLock lock(mu_);
  for (AlertIncident& a : loaded) {
    next_id_ = std::max(next_id_, a.id + 1);
    if (a.state == AlertState::kResolved) {
      TimeMs& at = resolved_at_by_key_[a.finding.key];
      at = std::max(at, a.resolved_at.value_or(0));
    } else {
      open_by_key_[a.finding.key] = a.id;
    }
    const uint64_t id = a.id;
    incidents_[id] = std::move(a);
  }
  SP_ASSIGN_OR_RETURN(auto state, store_.db().Get(store::Cf::kMeta, kAlertStateKey));
  if (state) {
    json j = json::parse(*state, nullptr, false);
    if (j.is_object() && j.contains("last_evaluated_at") &&
        j["last_evaluated_at"].is_number_integer())
      last_evaluated_ = j["last_evaluated_at"].get<TimeMs>();
  }
  return Status::Ok();
}

Status AlertService::Persist(const AlertIncident& incident) {
  store::Batch batch = store_.db().NewBatch();
  batch.Put(store::Cf::kMeta, IncidentKey(incident.id), IncidentRecord(incident).dump());
  // Keep at most keep_resolved resolved incidents: drop the oldest.
  size_t resolved = 0;
  for (const auto& [id, a] : incidents_) resolved += a.state == AlertState::kResolved;
  std::vector<uint64_t> dropped;
  for (auto it = incidents_.begin(); it != incidents_.end() && resolved > options_.keep_resolved;
       ++it) {
    if (it->second.state != AlertState::kResolved || it->first == incident.id) continue;
    batch.Delete(store::Cf::kMeta, IncidentKey(it->first));
    dropped.push_back(it->first);
    --resolved;
  }
  SP_RETURN_IF_ERROR(store_.db().Write(batch));
  for (uint64_t id : dropped) incidents_.erase(id);
  return Status::Ok();
}

Status AlertService::PersistLastEvaluated(TimeMs at) {
  store::Batch batch = store_.db().NewBatch();
  batch.Put(store::Cf::kMeta, kAlertStateKey, json{{"last_evaluated_at", at}}.dump());
  SP_RETURN_IF_ERROR(store_.db().Write(batch));
  last_evaluated_ = at;
  return Status::Ok();
}

void AlertService::Plan(AlertIncident& incident, std::string_view transition, TimeMs now) {
  if (incident.MutedAt(now) || !hooks_.targets) return;
  for (const auto& [channel, to] : hooks_.targets()) {
    AlertIncident::Notification n;
    n.channel = channel;
    n.transition = std::string(transition);
    n.at = now;
    incident.notifications.push_back(std::move(n));
  }
}

Result<uint64_t> AlertService::Raise(const AlertFinding& finding, TimeMs now) {
  if (finding.key.empty() || finding.kind.empty())
    return Status::InvalidArgument("alerts: a finding needs a key and a kind");
  MutexLock lock(mu_);
  auto open = open_by_key_.find(finding.key);
  if (open != open_by_key_.end()) {
    AlertIncident& a = incidents_.at(open->second);
    a.finding = finding;
    a.last_seen_at = now;
    ++a.raised;
    SP_RETURN_IF_ERROR(Persist(a));
    return a.id;
  }
  AlertIncident a;
  a.id = next_id_;
  a.finding = finding;
  a.opened_at = a.last_seen_at = now;
  a.raised = 1;
  Plan(a, "opened", now);
  incidents_[a.id] = a;
  Status s = Persist(incidents_[a.id]);
  if (!s.ok()) {
    incidents_.erase(a.id);
    return s;
  }
  ++next_id_;
  open_by_key_[finding.key] = a.id;
  spdlog::warn("alert {} opened: {}", a.id, finding.title);
  return a.id;
}

Status AlertService::Clear(std::string_view key, TimeMs now) {
  MutexLock lock(mu_);
  auto open = open_by_key_.find(key);
  if (open == open_by_key_.end()) return Status::Ok();
  AlertIncident& a = incidents_.at(open->second);
  a.state = AlertState::kResolved;
  a.resolved_at = now;
  a.resolved_by = "auto";
  Plan(a, "resolved", now);
  SP_RETURN_IF_ERROR(Persist(a));
  resolved_at_by_key_[std::string(key)] = now;
  spdlog::info("alert {} resolved: {}", a.id, a.finding.title);
  open_by_key_.erase(open);
  return Status::Ok();
}

std::optional<TimeMs> AlertService::LastResolvedAt(std::string_view key) const {
  MutexLock lock(mu_);
  if (open_by_key_.contains(key)) return std::nullopt;
  auto it = resolved_at_by_key_.find(key);
  if (it == resolved_at_by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<AlertIncident> AlertService::OpenIncident(std::string_view key) const {
  MutexLock lock(mu_);
  auto open = open_by_key_.find(key);
  if (open == open_by_key_.end()) return std::nullopt;
  return incidents_.at(open->second);
}

Result<AlertIncident> AlertService::Acknowledge(uint64_t id, std::string_view actor) {
  MutexLock lock(mu_);
  auto it = incidents_.find(id);
  if (it == incidents_.end())
    return Status::NotFound(fmt::format("alert {}: no such incident", id));
  AlertIncident& a = it->second;
  if (a.state == AlertState::kResolved)
    return Status::FailedPrecondition(fmt::format("alert {}: already resolved", id));
  if (a.state == AlertState::kOpen) {
    a.state = AlertState::kAcknowledged;
    a.acknowledged_at = clock_.NowMs();
    a.acknowledged_by = std::string(actor);
    SP_RETURN_IF_ERROR(Persist(a));
  }
  return a;
}

Result<AlertIncident> AlertService::Resolve(uint64_t id, std::string_view actor) {
  MutexLock lock(mu_);
  auto it = incidents_.find(id);
  if (it == incidents_.end())
    return Status::NotFound(fmt::format("alert {}: no such incident", id));
  AlertIncident& a = it->second;
  if (a.state == AlertState::kResolved) return a;
  const TimeMs now = clock_.NowMs();
  a.state = AlertState::kResolved;
  a.resolved_at = now;
  a.resolved_by = std::string(actor);
  Plan(a, "resolved", now);
  SP_RETURN_IF_ERROR(Persist(a));
  open_by_key_.erase(a.finding.key);
  resolved_at_by_key_[a.finding.key] = now;
  return a;
}

Result<AlertIncident> AlertService::Mute(uint64_t id, TimeMs until) {
  MutexLock lock(mu_);
  auto it = incidents_.find(id);
  if (it == incidents_.end())
    return Status::NotFound(fmt::format("alert {}: no such incident", id));
  AlertIncident& a = it->second;
  if (a.state == AlertState::kResolved)
    return Status::FailedPrecondition(fmt::format("alert {}: already resolved", id));
  if (until <= clock_.NowMs()) {
    a.muted_until.reset();
  } else {
    a.muted_until = until;
  }
  SP_RETURN_IF_ERROR(Persist(a));
  return a;
}

Result<AlertIncident> AlertService::Get(uint64_t id) const {
  MutexLock lock(mu_);
  auto it = incidents_.find(id);
  if (it == incidents_.end())
    return Status::NotFound(fmt::format("alert {}: no such incident", id));
  return it->second;
}

AlertList AlertService::List(const AlertQuery& query) const {
  MutexLock lock(mu_);
  AlertList out;
  out.now = clock_.NowMs();
  out.last_evaluated_at = last_evaluated_;
  for (auto it = incidents_.rbegin(); it != incidents_.rend(); ++it) {
    const AlertIncident& a = it->second;
    out.open += a.state == AlertState::kOpen;
    out.acknowledged += a.state == AlertState::kAcknowledged;
    if (out.incidents.size() < query.limit && IncidentMatches(a, query)) out.incidents.push_back(a);
  }
  return out;
}

std::string AlertService::MetricsText() const {
  MutexLock lock(mu_);
  std::map<std::string, uint64_t> by_kind;
  for (const auto& [id, a] : incidents_)
    if (a.state != AlertState::kResolved) ++by_kind[a.finding.kind];
  std::string out =
      "# HELP signpost_alerts_open Alert incidents open or acknowledged, by kind.\n"
      "# TYPE signpost_alerts_open gauge\n";
  for (const auto& [kind, n] : by_kind)
    out += fmt::format("signpost_alerts_open{{kind=\"{}\"}} {}\n", PromLabelValue(kind), n);
  out += fmt::format(
      "# HELP signpost_alerts_notifications_failed_total Alert notifications that failed for "
      "good.\n# TYPE signpost_alerts_notifications_failed_total counter\n"
      "signpost_alerts_notifications_failed_total {}\n",
      failed_notifications_);
  return out;
}

Status AlertService::Evaluate() {
  MutexLock run(run_mu_);
  SP_RETURN_IF_ERROR(EvaluateLocked(clock_.NowMs()));
  return SendPending();
}

Status AlertService::RunDue() {
  MutexLock run(run_mu_);
  const TimeMs now = clock_.NowMs();
  std::optional<TimeMs> last;
  {
    MutexLock lock(mu_);
    last = last_evaluated_;
  }
  if (!last || now - *last >= options_.evaluate_every) SP_RETURN_IF_ERROR(EvaluateLocked(now));
  return SendPending();
}

Status AlertService::EvaluateLocked(TimeMs now) {
  if (hooks_.evaluate) SP_RETURN_IF_ERROR(hooks_.evaluate(*this, now));
  MutexLock lock(mu_);
  return PersistLastEvaluated(now);
}

Status AlertService::SendPending() {
  if (!hooks_.send) return Status::Ok();
  // What is due: every notification neither accepted nor given up, of unmuted incidents.
  std::vector<std::pair<uint64_t, size_t>> due;
  std::vector<Outgoing> outgoing;
  {
    MutexLock lock(mu_);
    const TimeMs now = clock_.NowMs();
    const auto targets = hooks_.targets ? hooks_.targets() : decltype(hooks_.targets()){};
    for (const auto& [id, a] : incidents_) {
      if (a.MutedAt(now)) continue;
      for (size_t i = 0; i < a.notifications.size(); ++i) {
        const auto& n = a.notifications[i];
        if (n.ok || n.attempts >= options_.max_attempts) continue;
        std::string to;
        for (const auto& [channel, address] : targets)
          if (channel == n.channel) to = address;
        due.emplace_back(id, i);
        outgoing.push_back({a, n.channel, to, n.transition});
      }
    }
  }
  for (size_t k = 0; k < due.size(); ++k) {
    const SendResult r = hooks_.send(outgoing[k]);
    MutexLock lock(mu_);
    auto it = incidents_.find(due[k].first);
    if (it == incidents_.end() || due[k].second >= it->second.notifications.size()) continue;
    auto& n = it->second.notifications[due[k].second];
    ++n.attempts;
    n.ok = r.ok;
    n.error = r.error;
    n.at = clock_.NowMs();
    if (!r.ok && r.permanent) n.attempts = std::max(n.attempts, options_.max_attempts);
    if (!r.ok && n.attempts >= options_.max_attempts) {
      ++failed_notifications_;
      spdlog::error("alert {}: notification to {} failed: {}", it->first, n.channel, r.error);
    }
    SP_RETURN_IF_ERROR(Persist(it->second));
  }
  return Status::Ok();
}

}  // namespace signpost::engine
