#include "engine/catalog_service.h"

#include <fmt/format.h>

#include <map>

namespace signpost::engine {

CatalogService::CatalogService(store::Store& store, const Clock& clock, Options options)
    : store_(store),
      clock_(clock),
      options_(options),
      catalog_(options.limits),
      plans_(std::make_shared<const Plans>()) {}

Result<std::unique_ptr<CatalogService>> CatalogService::Open(store::Store& store,
                                                             SettingsService& settings,
                                                             const Clock& clock, Options options) {
  std::unique_ptr<CatalogService> s(new CatalogService(store, clock, options));
  SP_RETURN_IF_ERROR(s->LoadPlans());
  s->SetSensitive(settings.Current());
  settings.AddObserver([raw = s.get()](const Settings& now) { raw->SetSensitive(now); });
  return s;
}

void CatalogService::SetSensitive(const Settings& settings) {
  std::set<std::string, std::less<>> paths;
  for (const SensitiveProperty& p : settings.privacy.sensitive) paths.insert(p.path);
  MutexLock lock(mu_);
  catalog_.SetSensitive(std::move(paths));
}

void CatalogService::OnCommitted(const std::vector<Event>& events) {
  if (!observe_.load(std::memory_order_relaxed)) return;
  MutexLock lock(mu_);
  for (const Event& e : events) {
    if (e.seq == 0 || e.seq <= scanned_to_) continue;  // refused, a duplicate, or backfilled
    if (live_from_ == 0) live_from_ = e.seq;
    catalog_.Observe(e);
  }
}

Status CatalogService::Backfill() {
  MutexLock once(backfill_mu_);
  if (backfilled_) return Status::Ok();
  std::vector<Event> chunk;
  bool done = false;
  auto flush = [&] {
    MutexLock lock(mu_);
    for (const Event& e : chunk) {
      if (live_from_ != 0 && e.seq >= live_from_) {
        done = true;  // the observer counted it and everything after
        break;
      }
      catalog_.Observe(e);
      scanned_to_ = e.seq;
    }
    chunk.clear();
  };
  SP_RETURN_IF_ERROR(store_.ScanEvents(0, [&](const Event& e) {
    chunk.push_back(e);
    if (chunk.size() >= 1024) flush();
    return !done;
  }));
  if (!done) flush();
  backfilled_ = true;
  return Status::Ok();
}

Result<EventCatalogReport> CatalogService::Report(const CatalogQuery& query) {
  SP_RETURN_IF_ERROR(Backfill());
  const auto planned = PlannedNames();
  EventCatalogReport out;
  {
    MutexLock lock(mu_);
    out = catalog_.Report(clock_.NowMs(), query, planned);
  }
  out.plans = PlansInForce();
  return out;
}

Result<DriftReport> CatalogService::Drift() {
  SP_RETURN_IF_ERROR(Backfill());
  SP_ASSIGN_OR_RETURN(std::vector<analytics::DefinitionRead> reads, StoredDefinitionReads(store_));
  DriftReport out;
  out.now = clock_.NowMs();
  MutexLock lock(mu_);
  out.findings = analytics::EvaluateDrift(catalog_, out.now, reads);
  return out;
}

}  // namespace signpost::engine
