#include "journeys/local_time.h"

#include <date/tz.h>

#include <map>
#include <mutex>
#include <string>

namespace signpost::journeys {

namespace {

const date::time_zone* Zone(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, const date::time_zone*, std::less<>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  const date::time_zone* z = nullptr;
  try {
    z = date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    z = nullptr;
  }
  cache.emplace(std::string(name), z);
  return z;
}

}  // namespace

bool KnownTimeZone(std::string_view tz) { return !tz.empty() && Zone(tz) != nullptr; }

TimeMs QuietHoursEnd(TimeMs t, const QuietHours& q, std::string_view tz,
                     std::string_view fallback_tz) {
  if (!q.enabled) return t;
  const date::time_zone* zone = tz.empty() ? nullptr : Zone(tz);
  if (zone == nullptr && !fallback_tz.empty()) zone = Zone(fallback_tz);
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  date::sys_time<milliseconds> sys{milliseconds(t)};
  date::local_time<milliseconds> local{milliseconds(t)};
  if (zone != nullptr) local = zone->to_local(sys);
  auto day = date::floor<date::days>(local);
  int minute = static_cast<int>(date::floor<minutes>(local - day).count());
  const bool spans_midnight = q.start_minute > q.end_minute;
  bool quiet = spans_midnight ? (minute >= q.start_minute || minute < q.end_minute)
                              : (minute >= q.start_minute && minute < q.end_minute);
  if (!quiet) return t;
  auto end_day = day;
  if (spans_midnight && minute >= q.start_minute) end_day += date::days(1);
  date::local_time<milliseconds> end_local = end_day + minutes(q.end_minute);
  TimeMs end;
  if (zone == nullptr) {
    end = end_local.time_since_epoch().count();
  } else {
    auto info = zone->get_info(date::floor<seconds>(end_local));
    if (info.result == date::local_info::nonexistent) {
      // The end falls in a daylight-saving gap: the first existing instant after it.
      end = std::chrono::duration_cast<milliseconds>(info.first.end.time_since_epoch()).count();
    } else {
      end = zone->to_sys(end_local, date::choose::earliest).time_since_epoch().count();
    }
  }
  return end > t ? end : t;
}

}  // namespace signpost::journeys
