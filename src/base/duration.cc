#include "base/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace signpost {
namespace {

constexpr DurationMs kWeekMs = 7 * kDayMs;

struct Unit {
  std::string_view name;
  DurationMs ms;
};
// Largest first: the order a duration's parts must follow.
constexpr std::array<Unit, 6> kUnits = {
    {{"w", kWeekMs}, {"d", kDayMs}, {"h", kHourMs}, {"m", kMinuteMs}, {"s", kSecondMs}, {"ms", 1}}};

constexpr std::string_view kDurationForm =
    "write e.g. 30s, 15m, 1h, 7d, 2w or 1d12h (units w d h m s ms)";

Status BadDuration(std::string_view text, std::string_view what) {
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  return Status::InvalidArgument("'" + shown + "' is not a valid duration: " + std::string(what) +
                                 "; " + std::string(kDurationForm));
}

}  // namespace

Result<DurationMs> ParseDuration(std::string_view text) {
  if (text.empty()) return BadDuration(text, "it is empty");
  constexpr DurationMs kMax = std::numeric_limits<DurationMs>::max();
  DurationMs total = 0;
  size_t next_unit = 0;  // index into kUnits of the largest unit still allowed
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t digits_start = pos;
    DurationMs value = 0;
    bool overflow = false;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      const int digit = text[pos] - '0';
      if (value > (kMax - digit) / 10) overflow = true;
      if (!overflow) value = value * 10 + digit;
      ++pos;
    }
    if (pos == digits_start) {
      return BadDuration(text, "expected a number at '" + std::string(text.substr(pos, 8)) + "'");
    }
    const size_t unit_start = pos;
    while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z') ++pos;
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit.empty()) return BadDuration(text, "a number needs a unit");
    size_t index = kUnits.size();
    for (size_t i = 0; i < kUnits.size(); ++i) {
      if (kUnits[i].name == unit) index = i;
    }
    if (index == kUnits.size())
      return BadDuration(text, "unknown unit '" + std::string(unit) + "'");
    if (index < next_unit) {
      return BadDuration(text, "unit '" + std::string(unit) +
                                   "' is repeated or out of order (largest unit first)");
    }
    next_unit = index + 1;
    if (overflow || value > (kMax - total) / kUnits[index].ms) {
      return BadDuration(text, "it is too long");
    }
    total += value * kUnits[index].ms;
  }
  return total;
}

std::string FormatDuration(DurationMs d) {
  if (d == 0) return "0s";
  std::string out;
  // Work in unsigned so the most negative value has a magnitude.
  uint64_t rest = static_cast<uint64_t>(d);
  if (d < 0) {
    out = "-";
    rest = ~rest + 1;
  }
  if (rest % static_cast<uint64_t>(kWeekMs) == 0) {
    return out + std::to_string(rest / static_cast<uint64_t>(kWeekMs)) + "w";
  }
  for (size_t i = 1; i < kUnits.size(); ++i) {  // no weeks: "9d" reads better than "1w2d"
    const uint64_t unit = static_cast<uint64_t>(kUnits[i].ms);
    if (rest >= unit) {
      out += std::to_string(rest / unit);
      out += kUnits[i].name;
      rest %= unit;
    }
  }
  return out;
}

}  // namespace signpost
