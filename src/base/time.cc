#include "base/time.h"

#include <array>
#include <cstdio>

namespace signpost {
namespace {

constexpr std::string_view kForm =
    "use ISO 8601, e.g. 2026-11-24T05:00:00Z, 2026-11-24T05:00:00.123+02:00 or 2026-11-24";

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` ASCII digits at text[pos]; false when they are not all there.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int* out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

Status Bad(std::string_view text, std::string_view what) {
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  return Status::InvalidArgument("'" + shown + "' is not a valid timestamp: " + std::string(what) +
                                 "; " + std::string(kForm));
}

std::string OutOfRange(std::string_view field, int value, std::string_view range) {
  return std::string(field) + " " + std::to_string(value) + " is out of range " +
         std::string(range);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Result<TimeMs> ParseIso8601(std::string_view text) {
  if (text.empty()) return Bad(text, "it is empty");
  int year = 0, month = 0, day = 0;
  if (!ReadDigits(text, 0, 4, &year) || text.size() < 10 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' || !ReadDigits(text, 8, 2, &day)) {
    return Bad(text, "the date must be YYYY-MM-DD");
  }
  if (year < 1) return Bad(text, OutOfRange("year", year, "0001-9999"));
  if (month < 1 || month > 12) return Bad(text, OutOfRange("month", month, "01-12"));
  const unsigned max_day = DaysInMonth(year, static_cast<unsigned>(month));
  if (day < 1 || static_cast<unsigned>(day) > max_day) {
    return Bad(text, OutOfRange("day", day, "01-" + std::to_string(max_day) + " for that month"));
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (text.size() == 10) return TimeMs{days * kDayMs};

  size_t pos = 10;
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') {
    return Bad(text, "the date must be followed by 'T' and a time");
  }
  ++pos;
  int hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, pos, 2, &hour) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
      !ReadDigits(text, pos + 3, 2, &minute)) {
    return Bad(text, "the time must be hh:mm or hh:mm:ss");
  }
  pos += 5;
  if (hour > 23) return Bad(text, OutOfRange("hour", hour, "00-23"));
  if (minute > 59) return Bad(text, OutOfRange("minute", minute, "00-59"));
  if (pos < text.size() && text[pos] == ':') {
    if (!ReadDigits(text, pos + 1, 2, &second)) return Bad(text, "seconds must be two digits");
    if (second > 59) return Bad(text, OutOfRange("second", second, "00-59"));
    pos += 3;
  }
  int64_t millis = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return Bad(text, "a fraction of a second needs at least one digit");
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < text.size()) {
    const char sign = text[pos];
    if (sign == 'Z' || sign == 'z') {
      ++pos;
    } else if (sign == '+' || sign == '-') {
      int oh = 0, om = 0;
      if (!ReadDigits(text, pos + 1, 2, &oh))
        return Bad(text, "the offset must be +hh:mm or +hhmm");
      pos += 3;
      if (pos < text.size()) {
        if (text[pos] == ':') ++pos;
        if (!ReadDigits(text, pos, 2, &om)) return Bad(text, "the offset must be +hh:mm or +hhmm");
        pos += 2;
      }
      if (oh > 23) return Bad(text, OutOfRange("offset hour", oh, "00-23"));
      if (om > 59) return Bad(text, OutOfRange("offset minute", om, "00-59"));
      offset_minutes = (sign == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
      return Bad(text, "unexpected '" + std::string(1, sign) + "' after the time");
    }
  }
  if (pos != text.size()) return Bad(text, "unexpected text after the time zone");
  const int64_t local_ms =
      days * kDayMs + hour * kHourMs + minute * kMinuteMs + second * kSecondMs + millis;
  return TimeMs{local_ms - offset_minutes * kMinuteMs};
}

std::string FormatIso8601(TimeMs t) {
  // Floor division, so instants before 1970 land on the right day.
  int64_t days = t / kDayMs;
  int64_t ms_of_day = t % kDayMs;
  if (ms_of_day < 0) {
    ms_of_day += kDayMs;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

  char buf[64];
  const char* year_format = (year >= 0 && year <= 9999) ? "%04lld" : "%+06lld";
  int n = std::snprintf(buf, sizeof buf, year_format, static_cast<long long>(year));
  std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n),
                "-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(ms_of_day / kHourMs),
                static_cast<long long>(ms_of_day / kMinuteMs % 60),
                static_cast<long long>(ms_of_day / kSecondMs % 60),
                static_cast<long long>(ms_of_day % 1000));
  return buf;
}

}  // namespace signpost
