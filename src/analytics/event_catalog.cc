#include "analytics/event_catalog.h"

#include <algorithm>
#include <cctype>

namespace signpost::analytics {

namespace {

constexpr size_t kMaxExamples = 3;
constexpr size_t kExampleChars = 40;
constexpr std::string_view kMasked = "•••";

int64_t HourOf(TimeMs t) { return t >= 0 ? t / kHourMs : (t - kHourMs + 1) / kHourMs; }
int64_t DayOf(TimeMs t) { return t >= 0 ? t / kDayMs : (t - kDayMs + 1) / kDayMs; }

size_t CatalogTypeOf(simdjson::dom::element_type t) {
  using simdjson::dom::element_type;
  switch (t) {
    case element_type::STRING:
      return 0;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return 1;
    case element_type::BOOL:
      return 2;
    case element_type::OBJECT:
      return 3;
    case element_type::ARRAY:
      return 4;
    case element_type::NULL_VALUE:
      return 5;
  }
  return 5;
}

// The example text of a scalar value, cut to kExampleChars bytes at a UTF-8 boundary.
std::string ExampleOf(simdjson::dom::element v) {
  std::string out;
  switch (v.type()) {
    case simdjson::dom::element_type::STRING:
      out = std::string(std::string_view(v.get_string().value_unsafe()));
      break;
    case simdjson::dom::element_type::INT64:
      out = std::to_string(v.get_int64().value_unsafe());
      break;
    case simdjson::dom::element_type::UINT64:
      out = std::to_string(v.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE: {
      char buf[32];
      const int n = std::snprintf(buf, sizeof buf, "%.15g", v.get_double().value_unsafe());
      out.assign(buf, static_cast<size_t>(std::max(n, 0)));
      break;
    }
    case simdjson::dom::element_type::BOOL:
      out = v.get_bool().value_unsafe() ? "true" : "false";
      break;
    default:
      return {};
  }
  if (out.size() > kExampleChars) {
    size_t cut = kExampleChars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

bool ContainsFolded(std::string_view text, std::string_view lower_needle) {
  if (lower_needle.empty()) return true;
  if (text.size() < lower_needle.size()) return false;
  for (size_t i = 0; i + lower_needle.size() <= text.size(); ++i) {
    size_t j = 0;
    while (j < lower_needle.size() &&
           std::tolower(static_cast<unsigned char>(text[i + j])) == lower_needle[j]) {
      ++j;
    }
    if (j == lower_needle.size()) return true;
  }
  return false;
}

}  // namespace

uint64_t CatalogPathStats::seen() const {
  uint64_t n = 0;
  for (uint64_t c : types) n += c;
  return n;
}

EventCatalog::EventCatalog(CatalogLimits limits) : limits_(limits) {}

std::string EventCatalog::EventKey(EventType type, std::string_view name) {
  std::string key(1, static_cast<char>('0' + static_cast<int>(type)));
  key.append(name);
  return key;
}

void EventCatalog::SetSensitive(std::set<std::string, std::less<>> paths) {
  sensitive_ = std::move(paths);
  for (auto& [key, stats] : events_) {
    for (auto& [path, p] : stats.paths) {
      if (sensitive_.count(path)) p.examples.clear();
    }
  }
}

CatalogEventStats* EventCatalog::Entry(EventType type, std::string_view name) {
  key_.assign(1, static_cast<char>('0' + static_cast<int>(type)));
  key_.append(name);
  auto it = events_.find(key_);
  if (it != events_.end()) return &it->second;
  if (events_.size() >= limits_.max_events) return nullptr;
  CatalogEventStats& stats = events_[key_];
  stats.type = type;
  stats.name = std::string(name);
  return &stats;
}

void EventCatalog::Observe(const Event& e) {
  if (e.seq == 0) return;
  CatalogEventStats* stats = Entry(e.type, e.event);
  if (stats == nullptr) {
    ++events_over_cap_;
    return;
  }
  if (stats->count == 0 || e.timestamp < stats->first_seen) stats->first_seen = e.timestamp;
  if (stats->count == 0 || e.timestamp > stats->last_seen) stats->last_seen = e.timestamp;
  ++stats->count;
  if (uint32_t* hour = stats->by_hour.At(HourOf(e.timestamp))) ++*hour;
  const int64_t day = DayOf(e.timestamp);
  if (day > stats->budget_day) {
    stats->budget_day = day;
    stats->profiled_today = 0;
  }
  const bool profile =
      (day == stats->budget_day && stats->profiled_today < limits_.profile_budget_per_day) ||
      stats->count % limits_.profile_every == 0;
  if (!profile) return;
  if (day == stats->budget_day) ++stats->profiled_today;
  Profile(e, *stats);
}

void EventCatalog::Profile(const Event& e, CatalogEventStats& stats) {
  uint32_t* day = stats.profiled_by_day.At(DayOf(e.timestamp));
  if (day == nullptr) return;  // older than the daily rings: counted, not profiled
  ++*day;
  ++stats.profiled;
  const bool traits = e.type == EventType::kIdentify || e.type == EventType::kGroup;
  const std::string& body = traits ? e.traits : e.properties;
  size_t fields = 0;
  simdjson::dom::element root;
  if (body.size() > 2 && !parser_.parse(body).get(root)) {
    simdjson::dom::object object;
    if (!root.get_object().get(object)) {
      path_.assign(traits ? "traits" : "properties");
      ReadObject(object, path_, 1, e.timestamp, stats, fields);
    }
  }
  // The sending library.
  std::string library, version;
  if (e.context.size() > 2 && !parser_.parse(e.context).get(root)) {
    simdjson::dom::element lib;
    if (!root.at_key("library").get(lib)) {
      std::string_view s;
      if (!lib.at_key("name").get_string().get(s)) library = std::string(s.substr(0, 64));
      if (!lib.at_key("version").get_string().get(s)) version = std::string(s.substr(0, 32));
    }
  }
  auto key = std::make_pair(std::move(library), std::move(version));
  auto it = stats.sources.find(key);
  if (it != stats.sources.end()) {
    ++it->second;
  } else if (stats.sources.size() < limits_.max_sources) {
    stats.sources.emplace(std::move(key), 1);
  } else {
    ++stats.sources[{"other", ""}];
  }
}

// Depth is bounded by limits_.max_depth (a constant), not by the input.
void EventCatalog::ReadObject(simdjson::dom::object object, std::string& path, size_t depth,
                              TimeMs at, CatalogEventStats& stats, size_t& fields) {
  const size_t base = path.size();
  for (auto [key, value] : object) {
    if (++fields > limits_.max_fields_per_event) return;
    path.resize(base);
    path += '.';
    path.append(key.data(), std::min<size_t>(key.size(), 128));
    auto it = stats.paths.find(path);
    if (it == stats.paths.end()) {
      if (stats.paths.size() >= limits_.max_properties) {
        ++stats.paths_over_cap;
        continue;
      }
      it = stats.paths.emplace(path, CatalogPathStats{}).first;
    }
    CatalogPathStats& p = it->second;
    const size_t t = CatalogTypeOf(value.type());
    if (p.seen() == 0 || at < p.first_seen) p.first_seen = at;
    if (p.seen() == 0 || at > p.last_seen) p.last_seen = at;
    if (p.types[t] == 0 || at < p.type_first[t]) p.type_first[t] = at;
    if (p.types[t] == 0 || at > p.type_last[t]) p.type_last[t] = at;
    ++p.types[t];
    if (TypeCounts* d = p.by_day.At(DayOf(at))) ++(*d)[t];
    if (p.examples.size() < kMaxExamples && t != 3 && t != 4 && !sensitive_.count(path)) {
      std::string ex = ExampleOf(value);
      if (std::find(p.examples.begin(), p.examples.end(), ex) == p.examples.end())
        p.examples.push_back(std::move(ex));
    }
    if (t == 3 && depth < limits_.max_depth) {
      ReadObject(value.get_object().value_unsafe(), path, depth + 1, at, stats, fields);
    }
  }
  path.resize(base);
}

void EventCatalog::RecordViolation(EventType type, std::string_view name,
                                   const CatalogViolation& v) {
  CatalogEventStats* stats = Entry(type, name);
  if (stats == nullptr) {
    ++events_over_cap_;
    return;
  }
  std::string key = v.plan + '\n' + v.property + '\n' + v.rule;
  auto it = stats->violations.find(key);
  if (it == stats->violations.end()) {
    if (stats->violations.size() >= limits_.max_violations) return;
    CatalogViolation first = v;
    first.count = 0;
    first.blocked = 0;
    it = stats->violations.emplace(std::move(key), std::move(first)).first;
  }
  CatalogViolation& kept = it->second;
  kept.count += v.count;
  kept.blocked += v.blocked;
  kept.version = v.version;
  kept.message = v.message;
  kept.last_at = std::max(kept.last_at, v.last_at);
}

EventCatalogReport EventCatalog::Report(
    TimeMs now, const CatalogQuery& query,
    const std::map<std::string, std::vector<std::string>>& plans) const {
  EventCatalogReport out;
  out.now = now;
  out.max_events = limits_.max_events;
  out.events_over_cap = events_over_cap_;
  out.max_properties = limits_.max_properties;
  out.profile_budget_per_day = limits_.profile_budget_per_day;
  out.profile_every = limits_.profile_every;
  std::string needle;
  for (char c : query.search)
    needle += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const int hours = std::clamp<int>(query.hours, 0, static_cast<int>(kCatalogHours));
  for (const auto& [key, s] : events_) {
    bool match = ContainsFolded(s.name, needle) || ContainsFolded(EventTypeName(s.type), needle);
    for (auto it = s.paths.begin(); !match && it != s.paths.end(); ++it)
      match = ContainsFolded(it->first, needle);
    if (!match) continue;
    CatalogEvent e;
    e.type = std::string(EventTypeName(s.type));
    e.name = s.name;
    e.count = s.count;
    e.profiled = s.profiled;
    e.first_seen = s.first_seen;
    e.last_seen = s.last_seen;
    const int64_t last_hour = HourOf(now);
    for (int64_t h = last_hour - hours + 1; h <= last_hour && hours > 0; ++h) {
      const uint32_t n = s.by_hour.Get(h);
      if (n != 0) e.hourly.push_back({h * kHourMs, n});
    }
    for (const auto& [lib, n] : s.sources) e.sources.push_back({lib.first, lib.second, n});
    std::sort(e.sources.begin(), e.sources.end(),
              [](const CatalogSource& a, const CatalogSource& b) { return a.count > b.count; });
    for (const auto& [path, p] : s.paths) {
      CatalogProperty prop;
      prop.path = path;
      const uint64_t seen = p.seen();
      for (size_t t = 0; t < kCatalogTypeCount; ++t) {
        if (p.types[t] == 0) continue;
        prop.types.push_back(
            {kCatalogTypes[t], p.types[t], seen ? double(p.types[t]) / double(seen) : 0.0});
      }
      std::sort(prop.types.begin(), prop.types.end(),
                [](const CatalogTypeShare& a, const CatalogTypeShare& b) {
                  return a.count != b.count ? a.count > b.count : a.type < b.type;
                });
      prop.seen = seen;
      prop.presence = s.profiled ? std::min(1.0, double(seen) / double(s.profiled)) : 0.0;
      prop.first_seen = p.first_seen;
      prop.last_seen = p.last_seen;
      prop.sensitive = sensitive_.count(path) > 0;
      if (prop.sensitive) {
        if (seen > 0) prop.examples.push_back(std::string(kMasked));
      } else {
        prop.examples = p.examples;
      }
      e.properties.push_back(std::move(prop));
    }
    std::sort(e.properties.begin(), e.properties.end(),
              [](const CatalogProperty& a, const CatalogProperty& b) { return a.path < b.path; });
    e.properties_over_cap = s.paths_over_cap;
    for (const auto& [plan, names] : plans) {
      if (std::find(names.begin(), names.end(), s.name) != names.end()) e.plans.push_back(plan);
    }
    for (const auto& [k, v] : s.violations) e.violations.push_back(v);
    out.events.push_back(std::move(e));
  }
  std::sort(out.events.begin(), out.events.end(), [](const CatalogEvent& a, const CatalogEvent& b) {
    return a.type != b.type ? a.type < b.type : a.name < b.name;
  });
  return out;
}

}  // namespace signpost::analytics
