#include "goals/attribution.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

#include "base/system_events.h"
#include "goals/event_properties.h"
#include "rules/json_match.h"

namespace signpost::goals {

namespace {

namespace se = system_events;

// An entry with the channels of its Message Sent events, by position in the ordered events.
struct EntryState {
  EntryRecord rec;
  std::vector<std::pair<size_t, std::string>> sends;  // (position, channel), ascending
};

// Positions of `events` ordered by (timestamp, seq).
std::vector<size_t> Order(std::span<const ProfileEvent> events) {
  std::vector<size_t> order(events.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const ProfileEvent& x = events[a];
    const ProfileEvent& y = events[b];
    return x.timestamp != y.timestamp ? x.timestamp < y.timestamp : x.seq < y.seq;
  });
  return order;
}

bool IsJourneyEvent(std::string_view name) {
  return name == se::kJourneyEntered || name == se::kJourneyExited ||
         name == se::kExperimentAssigned || name == se::kMessageSent;
}

// The entries of `events` visited in `order` (Message Sent positions are ranks in `order`).
std::vector<EntryState> BuildEntries(std::span<const ProfileEvent> events,
                                     const std::vector<size_t>& order, PropertyReader& reader) {
  std::vector<EntryState> entries;
  std::map<std::pair<std::string, uint32_t>, size_t> by_key;
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const ProfileEvent& e = events[order[pos]];
    if (!IsJourneyEvent(e.name) || !reader.Parse(e.properties_json)) continue;
    std::string journey = reader.String({se::kPropJourney});
    uint32_t entry = static_cast<uint32_t>(reader.Number({se::kPropEntry}).value_or(0));
    if (journey.empty()) continue;
    auto key = std::make_pair(journey, entry);
    auto it = by_key.find(key);
    if (e.name == se::kJourneyEntered) {
      if (it != by_key.end()) continue;  // a repeated record of the same entry
      EntryState s;
      s.rec.journey = JourneyId(std::move(journey));
      s.rec.entry = entry;
      s.rec.version = static_cast<uint64_t>(reader.Number({se::kPropVersion}).value_or(0));
      s.rec.entered_at = e.timestamp;
      s.rec.entered_seq = e.seq;
      s.rec.holdout = reader.Bool({"holdout"}).value_or(false);
      by_key.emplace(std::move(key), entries.size());
      entries.push_back(std::move(s));
      continue;
    }
    if (it == by_key.end()) continue;
    EntryState& s = entries[it->second];
    if (e.name == se::kJourneyExited) {
      if (s.rec.exited_at) continue;  // the first exit ends the entry
      s.rec.exited_at = e.timestamp;
      s.rec.exit_reason = reader.String({"reason"});
    } else if (e.name == se::kExperimentAssigned) {
      if (s.rec.variant.empty()) s.rec.variant = reader.String({"variant"});
    } else {
      s.sends.emplace_back(pos, reader.String({"channel"}));
    }
  }
  return entries;
}

// True when entry `a` started after entry `b`: by entry time, then arrival of Journey Entered.
bool EnteredLater(const EntryRecord& a, const EntryRecord& b) {
  return a.entered_at != b.entered_at ? a.entered_at > b.entered_at : a.entered_seq > b.entered_seq;
}

// Where a hit at `t` falls for one journey: the entry whose window holds it (active entries first,
// then listening ones; among several, the latest entered, or for listening the latest exit).
struct Standing {
  const EntryState* entry = nullptr;
  bool active = false;
};

Standing StandingAt(const std::vector<const EntryState*>& entries, TimeMs t, DurationMs listening) {
  Standing best;
  for (const EntryState* s : entries) {
    const EntryRecord& r = s->rec;
    if (t < r.entered_at) continue;
    if (!r.exited_at || t <= *r.exited_at) {
      if (!best.active || EnteredLater(r, best.entry->rec)) best = {s, true};
      continue;
    }
    if (best.active || !ExitListens(r.exit_reason) || t - *r.exited_at > listening) continue;
    if (best.entry == nullptr || *r.exited_at > *best.entry->rec.exited_at ||
        (*r.exited_at == *best.entry->rec.exited_at && EnteredLater(r, best.entry->rec))) {
      best = {s, false};
    }
  }
  return best;
}

// True when event `e` meets the goal of `jg`. `reader` holds e's parsed properties once `parsed`.
bool Meets(const JourneyGoal& jg, const ProfileEvent& e, rules::JsonMatcher& matcher,
           PropertyReader& reader, bool& parsed) {
  const GoalDefinition& g = jg.goal;
  auto ensure_parsed = [&] {
    if (!parsed) parsed = reader.Parse(e.properties_json);
    return parsed;
  };
  switch (g.met_when) {
    case MetWhenKind::kEvent:
      if (e.name != g.trigger.event) return false;
      if (g.trigger.where.empty()) return true;
      return matcher.Matches(g.trigger.where,
                             {.properties = e.properties_json.empty() ? "{}" : e.properties_json});
    case MetWhenKind::kOpenedAnyMessage:
    case MetWhenKind::kClickedAnyMessage: {
      bool kind = e.name == se::kMessageClicked ||
                  (g.met_when == MetWhenKind::kOpenedAnyMessage && e.name == se::kMessageOpened);
      return kind && ensure_parsed() && reader.String({se::kPropJourney}) == jg.journey;
    }
  }
  return false;
}

std::string ChannelBefore(const EntryState& s, size_t pos) {
  std::string channel;
  for (const auto& [p, c] : s.sends) {
    if (p >= pos) break;
    channel = c;
  }
  return channel;
}

}  // namespace

bool ExitListens(std::string_view reason) {
  return reason == se::kExitCompleted || reason == se::kExitJourneyStopped ||
         reason == se::kExitJourneyCompleted;
}

std::vector<EntryRecord> Entries(std::span<const ProfileEvent> events) {
  std::vector<EntryRecord> out;
  PropertyReader reader;
  for (auto& s : BuildEntries(events, Order(events), reader)) out.push_back(std::move(s.rec));
  return out;
}

std::vector<Credit> AttributeProfile(std::span<const JourneyGoal> journeys,
                                     std::span<const ProfileEvent> events) {
  const std::vector<size_t> order = Order(events);
  PropertyReader reader;
  const std::vector<EntryState> entries = BuildEntries(events, order, reader);
  const size_t n = journeys.size();
  // Entries per journey, and each journey's trigger class (the first journey with the same
  // trigger).
  std::vector<std::vector<const EntryState*>> entries_of(n);
  std::vector<size_t> klass(n);
  bool any_entry = false;
  for (size_t j = 0; j < n; ++j) {
    for (const auto& s : entries) {
      if (s.rec.journey == journeys[j].journey) entries_of[j].push_back(&s);
    }
    any_entry = any_entry || !entries_of[j].empty();
    klass[j] = j;
    for (size_t k = 0; k < j; ++k) {
      if (SameTrigger(journeys[k].goal, journeys[j].goal)) {
        klass[j] = klass[k];
        break;
      }
    }
  }
  std::vector<std::optional<Credit>> credit(n);
  if (!any_entry) return {};
  rules::JsonMatcher matcher;
  std::vector<Standing> standing(n);
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const ProfileEvent& e = events[order[pos]];
    bool parsed = false;
    bool hit = false;
    for (size_t j = 0; j < n; ++j) {
      standing[j] = {};
      if (entries_of[j].empty() || !Meets(journeys[j], e, matcher, reader, parsed)) continue;
      standing[j] = StandingAt(entries_of[j], e.timestamp, journeys[j].listening_window);
      hit = hit || standing[j].entry != nullptr;
    }
    if (!hit) continue;
    // Per trigger class: the active journeys take the hit; if none is active, the journey left
    // most recently (latest exit, then the later entry).
    for (size_t j = 0; j < n; ++j) {
      if (standing[j].entry == nullptr || standing[j].active) continue;
      for (size_t k = 0; k < n; ++k) {
        if (k == j || klass[k] != klass[j] || standing[k].entry == nullptr) continue;
        const EntryRecord& a = standing[j].entry->rec;
        const EntryRecord& b = standing[k].entry->rec;
        bool k_wins = standing[k].active || *b.exited_at > *a.exited_at ||
                      (*b.exited_at == *a.exited_at && EnteredLater(b, a));
        if (k_wins) {
          standing[j].entry = nullptr;
          break;
        }
      }
    }
    for (size_t j = 0; j < n; ++j) {
      if (standing[j].entry == nullptr || credit[j]) continue;
      const EntryRecord& r = standing[j].entry->rec;
      Credit c;
      c.journey = r.journey;
      c.entry = r.entry;
      c.version = r.version;
      c.entered_at = r.entered_at;
      c.hit_at = e.timestamp;
      c.hit_seq = e.seq;
      c.hit_event = std::string(e.name);
      c.hit_message_id = std::string(e.message_id);
      c.holdout = r.holdout;
      c.variant = r.variant;
      c.channel = ChannelBefore(*standing[j].entry, pos);
      credit[j] = std::move(c);
    }
  }
  std::vector<Credit> out;
  for (auto& c : credit) {
    if (c) out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace signpost::goals
