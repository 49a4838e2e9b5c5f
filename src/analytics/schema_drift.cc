#include "analytics/schema_drift.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "base/time.h"

namespace signpost::analytics {

namespace {

int64_t DriftHour(TimeMs t) { return t >= 0 ? t / kHourMs : (t - kHourMs + 1) / kHourMs; }
int64_t DriftDay(TimeMs t) { return t >= 0 ? t / kDayMs : (t - kDayMs + 1) / kDayMs; }

// The name a finding's key and messages use: the name for track events, "page:Home" otherwise.
std::string Shown(const CatalogEventStats& s) {
  if (s.type == EventType::kTrack) return s.name;
  return fmt::format("{}:{}", EventTypeName(s.type), s.name);
}

// Edit distance, bounded inputs (names are cut to 64 bytes here).
size_t EditDistance(std::string_view a, std::string_view b) {
  a = a.substr(0, 64);
  b = b.substr(0, 64);
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool SimilarNames(std::string_view a, std::string_view b) {
  const std::string na = NormalizedEventName(a), nb = NormalizedEventName(b);
  if (na.empty() || nb.empty()) return false;
  if (na == nb) return true;
  const size_t longest = std::max(na.size(), nb.size());
  return EditDistance(na, nb) <= std::max<size_t>(1, longest / 5);
}

// Events in hours [from, to] (inclusive) of the hourly ring.
uint64_t HoursSum(const CatalogEventStats& s, int64_t from, int64_t to) {
  uint64_t n = 0;
  for (int64_t h = from; h <= to; ++h) n += s.by_hour.Get(h);
  return n;
}

struct Stop {
  bool stopped = false;
  bool collapsed = false;
  double rate = 0;  // per hour, over the 7 days before the last arrival
  TimeMs detected = 0;
  uint64_t last_day = 0, usual_day = 0;  // the last 24 hours, the baseline's mean day
};

Stop StopOf(const CatalogEventStats& s, TimeMs now, const DriftOptions& o) {
  Stop out;
  const int64_t last_hour = DriftHour(s.last_seen);
  const uint64_t week = HoursSum(s, last_hour - 7 * 24 + 1, last_hour);
  int active_days = 0;
  for (int d = 0; d < 7; ++d) {
    active_days += HoursSum(s, last_hour - (d + 1) * 24 + 1, last_hour - d * 24) > 0;
  }
  out.rate = double(week) / (7 * 24);
  const DurationMs gap = now - s.last_seen;
  if (active_days >= 3 && out.rate > 0 && gap >= kHourMs &&
      out.rate * double(gap) / double(kHourMs) >= o.stop_expected) {
    out.stopped = true;
    out.detected = s.last_seen +
                   static_cast<DurationMs>(std::ceil(o.stop_expected / out.rate * double(kHourMs)));
  }
  // A collapse: the last 24 hours against the mean day of the 7 days before yesterday.
  const int64_t now_hour = DriftHour(now);
  out.last_day = HoursSum(s, now_hour - 23, now_hour);
  out.usual_day = HoursSum(s, now_hour - 9 * 24 + 1, now_hour - 2 * 24) / 7;
  out.collapsed = out.usual_day >= 10 && double(out.last_day) < 0.2 * double(out.usual_day);
  return out;
}

void AffectedBy(const std::vector<DefinitionRead>& reads, const CatalogEventStats& s,
                const std::string& property, std::vector<DriftAffected>& out) {
  const bool traits = s.type == EventType::kIdentify || s.type == EventType::kGroup;
  for (const DefinitionRead& r : reads) {
    if (traits ? !r.event.empty() : r.event != s.name) continue;
    if (!property.empty() &&
        std::find(r.properties.begin(), r.properties.end(), property) == r.properties.end())
      continue;
    const bool dup = std::any_of(out.begin(), out.end(), [&](const DriftAffected& a) {
      return a.kind == r.who.kind && a.id == r.who.id && a.where == r.who.where;
    });
    if (!dup) out.push_back(r.who);
  }
}

std::string AffectedText(const std::vector<DriftAffected>& affected) {
  if (affected.empty()) return "";
  std::string out = "; read by ";
  for (size_t i = 0; i < affected.size() && i < 5; ++i) {
    out += fmt::format("{}{} '{}' ({})", i ? ", " : "", affected[i].kind, affected[i].id,
                       affected[i].where);
  }
  if (affected.size() > 5) out += fmt::format(" and {} more", affected.size() - 5);
  return out;
}

// Sums of a path's (or the event's) daily counts over days [from, to].
struct Window {
  int64_t from = 0, to = 0;
};

}  // namespace

std::string NormalizedEventName(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 256)) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::vector<DriftFinding> EvaluateDrift(const EventCatalog& catalog, TimeMs now,
                                        const std::vector<DefinitionRead>& reads,
                                        const DriftOptions& o) {
  std::vector<DriftFinding> out;
  const auto& events = catalog.events();
  TimeMs oldest = now;
  for (const auto& [key, s] : events) oldest = std::min(oldest, s.first_seen);
  const int64_t today = DriftDay(now);

  // Stops and new events first: a rename pairs one of each.
  std::vector<std::pair<const CatalogEventStats*, Stop>> stops;
  std::vector<const CatalogEventStats*> fresh;
  for (const auto& [key, s] : events) {
    if (s.count == 0) continue;
    Stop stop = StopOf(s, now, o);
    if (stop.stopped || stop.collapsed) stops.emplace_back(&s, stop);
    if (s.first_seen >= now - o.new_within && s.first_seen <= now &&
        oldest <= s.first_seen - kDayMs)
      fresh.push_back(&s);
  }
  std::set<const CatalogEventStats*> renamed_new, renamed_old;
  for (const auto& [old_event, stop] : stops) {
    const CatalogEventStats* best = nullptr;
    for (const CatalogEventStats* n : fresh) {
      if (n == old_event || n->type != old_event->type || renamed_new.count(n)) continue;
      if (n->first_seen < old_event->first_seen + kDayMs) continue;
      if (!SimilarNames(old_event->name, n->name)) continue;
      if (best == nullptr || n->count > best->count) best = n;
    }
    if (best == nullptr) continue;
    renamed_new.insert(best);
    renamed_old.insert(old_event);
    DriftFinding f;
    f.kind = DriftKind::kLikelyRename;
    f.event = old_event->name;
    f.event_type = std::string(EventTypeName(old_event->type));
    f.suggestion = best->name;
    f.key = "drift:rename:" + Shown(*old_event);
    f.first_detected = best->first_seen;
    AffectedBy(reads, *old_event, "", f.affected);
    f.title = fmt::format("'{}' looks renamed to '{}'", old_event->name, best->name);
    f.detail = fmt::format(
        "'{}' {} (last seen {:.1f} hours ago; {} in the last 24 hours against a usual day of {}) "
        "while "
        "'{}' first arrived at {} ({} events since); use '{}' in the definitions that read '{}'{}",
        old_event->name, stop.stopped ? "stopped arriving" : "collapsed",
        double(now - old_event->last_seen) / double(kHourMs), stop.last_day, stop.usual_day,
        best->name, FormatIso8601(best->first_seen), best->count, best->name, old_event->name,
        AffectedText(f.affected));
    out.push_back(std::move(f));
  }
  for (const auto& [s, stop] : stops) {
    if (!stop.stopped || renamed_old.count(s)) continue;
    DriftFinding f;
    f.kind = DriftKind::kEventStopped;
    f.event = s->name;
    f.event_type = std::string(EventTypeName(s->type));
    f.key = "drift:event_stopped:" + Shown(*s);
    f.first_detected = stop.detected;
    AffectedBy(reads, *s, "", f.affected);
    f.title = fmt::format("'{}' stopped arriving", Shown(*s));
    f.detail = fmt::format(
        "no '{}' for {:.1f} hours; it arrived at {:.1f} an hour over the 7 days before, so {:.0f} "
        "were expected{}",
        Shown(*s), double(now - s->last_seen) / double(kHourMs), stop.rate,
        stop.rate * double(now - s->last_seen) / double(kHourMs), AffectedText(f.affected));
    out.push_back(std::move(f));
  }
  for (const CatalogEventStats* s : fresh) {
    if (renamed_new.count(s)) continue;
    DriftFinding f;
    f.kind = DriftKind::kNewEvent;
    f.event = s->name;
    f.event_type = std::string(EventTypeName(s->type));
    f.key = "drift:new_event:" + Shown(*s);
    f.first_detected = s->first_seen;
    f.title = fmt::format("new event '{}'", Shown(*s));
    f.detail =
        fmt::format("first seen at {}; {} events since", FormatIso8601(s->first_seen), s->count);
    out.push_back(std::move(f));
  }

  // Properties: type changes and missing properties, from the daily rings.
  for (const auto& entry : events) {
    const CatalogEventStats& s = entry.second;
    if (s.profiled_by_day.empty()) continue;
    const bool today_only = s.profiled_by_day.Get(today) >= o.min_recent;
    const Window recent{today_only ? today : today - 1, today};
    const Window base{today - 8, today - 2};
    auto profiled = [&](const Window& w) {
      uint64_t n = 0;
      for (int64_t d = w.from; d <= w.to; ++d) n += s.profiled_by_day.Get(d);
      return n;
    };
    const uint64_t recent_profiled = profiled(recent), base_profiled = profiled(base);
    for (const auto& [path, p] : s.paths) {
      if (p.by_day.empty()) continue;
      TypeCounts r{}, b{};
      for (int64_t d = recent.from; d <= recent.to; ++d) {
        const TypeCounts c = p.by_day.Get(d);
        for (size_t t = 0; t < kCatalogTypeCount; ++t) r[t] += c[t];
      }
      for (int64_t d = base.from; d <= base.to; ++d) {
        const TypeCounts c = p.by_day.Get(d);
        for (size_t t = 0; t < kCatalogTypeCount; ++t) b[t] += c[t];
      }
      uint64_t r_total = 0, b_total = 0;
      for (size_t t = 0; t < kCatalogTypeCount; ++t) {
        r_total += r[t];
        b_total += b[t];
      }
      // A type change.
      if (b_total >= 20 && r_total >= 5) {
        size_t old_type = 0;
        for (size_t t = 1; t < kCatalogTypeCount; ++t) {
          if (b[t] > b[old_type]) old_type = t;
        }
        for (size_t t = 0; t < kCatalogTypeCount; ++t) {
          const double r_share = double(r[t]) / double(r_total);
          const double b_share = double(b[t]) / double(b_total);
          if (t == old_type || r_share < 0.2 || b_share >= 0.01) continue;
          int64_t first_day = today;
          for (int64_t d = today; d > today - 8; --d) {
            const TypeCounts c = p.by_day.Get(d);
            uint64_t total = 0;
            for (uint32_t n : c) total += n;
            if (total > 0 && double(c[t]) / double(total) >= 0.2) first_day = d;
          }
          DriftFinding f;
          f.kind = DriftKind::kTypeChange;
          f.event = s.name;
          f.event_type = std::string(EventTypeName(s.type));
          f.property = path;
          f.key = fmt::format("drift:type_change:{}:{}", Shown(s), path);
          f.first_detected = first_day * kDayMs;
          AffectedBy(reads, s, path, f.affected);
          f.title = fmt::format("{} on '{}' changed type: {} → {}", path, Shown(s),
                                kCatalogTypes[old_type], kCatalogTypes[t]);
          f.detail = fmt::format(
              "{:.0f}% of its recent values are {} ({} of {}), against {:.1f}% before ({} of {}; "
              "mostly {}){}",
              100 * r_share, kCatalogTypes[t], r[t], r_total, 100 * b_share, b[t], b_total,
              kCatalogTypes[old_type], AffectedText(f.affected));
          out.push_back(std::move(f));
        }
      }
      // A property gone missing.
      if (base_profiled >= 20 && recent_profiled >= 10) {
        const double b_presence = double(b_total) / double(base_profiled);
        const double r_presence = double(r_total) / double(recent_profiled);
        if (b_presence >= 0.8 && r_presence < 0.2) {
          int64_t first_day = today;
          for (int64_t d = today; d > today - 8; --d) {
            const uint64_t n = s.profiled_by_day.Get(d);
            const TypeCounts c = p.by_day.Get(d);
            uint64_t with = 0;
            for (uint32_t x : c) with += x;
            if (n == 0) continue;
            if (double(with) / double(n) >= 0.2) break;
            first_day = d;
          }
          DriftFinding f;
          f.kind = DriftKind::kPropertyMissing;
          f.event = s.name;
          f.event_type = std::string(EventTypeName(s.type));
          f.property = path;
          f.key = fmt::format("drift:property_missing:{}:{}", Shown(s), path);
          f.first_detected = first_day * kDayMs;
          AffectedBy(reads, s, path, f.affected);
          f.title = fmt::format("{} is missing from most '{}' events", path, Shown(s));
          f.detail = fmt::format(
              "on {:.0f}% of recent '{}' events ({} of {}), against {:.0f}% before ({} of {}){}",
              100 * r_presence, Shown(s), r_total, recent_profiled, 100 * b_presence, b_total,
              base_profiled, AffectedText(f.affected));
          out.push_back(std::move(f));
        }
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const DriftFinding& a, const DriftFinding& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.key < b.key;
  });
  return out;
}

}  // namespace signpost::analytics
