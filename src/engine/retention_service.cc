#include "engine/retention_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "base/duration.h"
#include "base/time.h"

namespace signpost::engine {

namespace {

// Real time between two RunDue() calls of the thread.
constexpr auto kPollEvery = std::chrono::minutes(1);

// The cutoff of `period` at `now`: events with a timestamp before it are expired; none expire
// for period 0 (forever).
TimeMs Cutoff(DurationMs period, TimeMs now) {
  return period > 0 ? now - period : std::numeric_limits<TimeMs>::min();
}

}  // namespace

RetentionService::RetentionService(EventService& events, store::Store& store,
                                   const SettingsService& settings, const Clock& clock,
                                   Options options)
    : events_(events), store_(store), settings_(settings), clock_(clock), options_(options) {
  if (options_.thread) thread_ = std::thread([this] { Loop(); });
}

RetentionService::~RetentionService() {
  if (!thread_.joinable()) return;
  {
    MutexLock lock(wake_mu_);
    stop_ = true;
  }
  wake_cv_.NotifyAll();
  thread_.join();
}

void RetentionService::Loop() {
  while (true) {
    {
      MutexLock lock(wake_mu_);
      if (!stop_) wake_cv_.WaitFor(lock, kPollEvery);
      if (stop_) return;
    }
    Status s = RunDue();
    if (!s.ok()) spdlog::error("retention: {}", s.ToString());
  }
}

Result<RetentionReport> RetentionService::Enforce(bool purge) {
  MutexLock lock(mu_);
  return Sweep(purge);
}

Status RetentionService::RunDue() {
  MutexLock lock(mu_);
  const TimeMs now = clock_.NowMs();
  if (last_sweep_ && now - *last_sweep_ < options_.sweep_every) return Status::Ok();
  const bool purge_due = !last_purge_ || now - *last_purge_ >= options_.purge_every;
  auto report = Sweep(/*purge=*/false);
  if (!report.ok()) return report.status();
  if (unpurged_ && purge_due) {
    SP_RETURN_IF_ERROR(store_.Purge());
    last_purge_ = now;
    unpurged_ = false;
  }
  return Status::Ok();
}

Result<std::vector<uint64_t>> RetentionService::Expired(const RetentionSettings& r, TimeMs now,
                                                        std::optional<TimeMs>& oldest_kept) const {
  oldest_kept.reset();
  auto keep = [&](TimeMs ts) {
    if (!oldest_kept || ts < *oldest_kept) oldest_kept = ts;
  };
  if (events_.index_loaded()) {
    return events_.ReadIndex([&](const analytics::EventIndex& index, auto*) {
      // The cutoff of every name id: the global one, or the name's own.
      std::vector<TimeMs> cutoff(index.NameCount(), Cutoff(r.events, now));
      for (const auto& [name, period] : r.by_event) {
        const uint32_t id = index.NameId(name);
        if (id != analytics::EventIndex::kNoName) cutoff[id] = Cutoff(period, now);
      }
      return index.SeqsWhere([&](TimeMs ts, uint32_t name, uint8_t) {
        if (ts < cutoff[name]) return true;
        keep(ts);
        return false;
      });
    });
  }
  std::vector<uint64_t> seqs;
  SP_RETURN_IF_ERROR(store_.ScanEvents(0, [&](const Event& e) {
    if (e.timestamp < Cutoff(r.PeriodOf(e.event), now)) {
      seqs.push_back(e.seq);
    } else {
      keep(e.timestamp);
    }
    return true;
  }));
  return seqs;
}

Result<RetentionReport> RetentionService::Sweep(bool purge) {
  const RetentionSettings r = settings_.Current().retention;
  RetentionReport report;
  report.at = clock_.NowMs();
  report.events = r.events;
  report.by_event = r.by_event;
  last_sweep_ = report.at;
  SP_ASSIGN_OR_RETURN(std::vector<uint64_t> seqs, Expired(r, report.at, report.oldest_kept));
  std::sort(seqs.begin(), seqs.end());
  for (size_t i = 0; i < seqs.size(); i += options_.max_batch) {
    const size_t end = std::min(seqs.size(), i + options_.max_batch);
    uint64_t removed = 0;
    SP_RETURN_IF_ERROR(
        events_.RemoveEvents(std::vector<uint64_t>(seqs.begin() + static_cast<std::ptrdiff_t>(i),
                                                   seqs.begin() + static_cast<std::ptrdiff_t>(end)),
                             {}, &removed));
    report.events_removed += removed;
    if (removed > 0) unpurged_ = true;
  }
  // audit: retention sweep (report.events_removed events, periods in report) — the lead wires
  // the audit log here.
  if (report.events_removed > 0) {
    spdlog::info("retention: removed {} events older than their retention period",
                 report.events_removed);
  }
  if (purge) {
    SP_RETURN_IF_ERROR(store_.Purge());
    last_purge_ = report.at;
    unpurged_ = false;
    report.purged = true;
  }
  return report;
}

std::optional<RetentionNote> RetentionService::NoteFor(std::optional<TimeMs> from) const {
  const RetentionSettings r = settings_.Current().retention;
  DurationMs shortest = 0;
  auto consider = [&](DurationMs period) {
    if (period > 0 && (shortest == 0 || period < shortest)) shortest = period;
  };
  consider(r.events);
  for (const auto& [name, period] : r.by_event) consider(period);
  if (shortest == 0) return std::nullopt;
  const TimeMs horizon = clock_.NowMs() - shortest;
  if (from && *from >= horizon) return std::nullopt;
  return RetentionNote{
      horizon,
      fmt::format("events before {} may have been removed by settings.retention (the shortest "
                  "period in force is {}); counts over that part of the window are incomplete",
                  FormatIso8601(horizon), FormatDuration(shortest))};
}

}  // namespace signpost::engine
