#include "journeys/runtime.h"

#include <fmt/format.h>
// SHA256_Init/Update/Final: the state of a keyed hash copied by value (SystemIdHasher).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "base/consent_category.h"
#include "base/json_text.h"
#include "base/system_events.h"
#include "base/time.h"
#include "delivery/template_text.h"
#include "experiments/assignment.h"
#include "journeys/local_time.h"
#include "journeys/placeholders.h"

namespace signpost::journeys {

using nlohmann::json;
namespace se = system_events;

// ---- status JSON
// ---------------------------------------------------------------------------------

json ToJson(const JourneyStatus& s) {
  json steps = json::object();
  for (const auto& [id, c] : s.steps) {
    steps[id] = {{"inflow", c.inflow}, {"passed_on", c.passed_on}, {"exits", c.exits}};
  }
  json out = {{"state", s.state},
              {"live_version", s.live_version},
              {"live_since", s.live_since},
              {"ended_at", s.ended_at},
              {"entered", s.entered},
              {"entered_holdout", s.entered_holdout},
              {"entries", s.entries},
              {"in_progress", s.in_progress},
              {"completed", s.completed},
              {"members_pending", s.members_pending},
              {"steps", steps}};
  if (s.erased != 0) out["erased"] = s.erased;  // only folders that saw an erasure have it
  return out;
}

JourneyStatus JourneyStatusFromJson(const json& j) {
  JourneyStatus s;
  // A state this build does not know (none so far) reads as draft: the journey stays off.
  auto state = ParseLifecycle(j.value("state", std::string("draft")));
  s.state = state.ok() ? *state : Lifecycle::kDraft;
  s.live_version = j.value("live_version", uint64_t{0});
  s.live_since = j.value("live_since", TimeMs{0});
  s.ended_at = j.value("ended_at", TimeMs{0});
  s.entered = j.value("entered", uint64_t{0});
  s.entered_holdout = j.value("entered_holdout", uint64_t{0});
  s.entries = j.value("entries", uint64_t{0});
  s.in_progress = j.value("in_progress", uint64_t{0});
  s.completed = j.value("completed", uint64_t{0});
  s.erased = j.value("erased", uint64_t{0});
  s.members_pending = j.value("members_pending", false);
  if (j.contains("steps")) {
    for (const auto& [id, c] : j["steps"].items()) {
      StepCounters sc;
      sc.inflow = c.value("inflow", uint64_t{0});
      sc.passed_on = c.value("passed_on", uint64_t{0});
      if (c.contains("exits")) sc.exits = c["exits"].get<std::map<std::string, uint64_t>>();
      s.steps[id] = std::move(sc);
    }
  }
  return s;
}

// ---- internals
// -------------------------------------------------------------------------------------

namespace {

// HMAC-SHA256 under one key, its padded key blocks hashed once: SystemMessageId (one call) and,
// kept per thread, the id of every system event of the runtime without OpenSSL's one-shot HMAC
// (which fetches the algorithm, under library-wide locks, on every call). Not thread-safe: one per
// thread (Runtime::SystemEvent).
class SystemIdHasher {
 public:
  explicit SystemIdHasher(std::string_view key) {
    unsigned char block[SHA256_CBLOCK] = {};
    if (key.size() > sizeof block) {
      SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
    } else {
      std::memcpy(block, key.data(), key.size());
    }
    unsigned char pad[SHA256_CBLOCK];
    for (size_t k = 0; k < sizeof pad; ++k) pad[k] = block[k] ^ 0x36;
    SHA256_Init(&inner_);
    SHA256_Update(&inner_, pad, sizeof pad);
    for (size_t k = 0; k < sizeof pad; ++k) pad[k] = block[k] ^ 0x5c;
    SHA256_Init(&outer_);
    SHA256_Update(&outer_, pad, sizeof pad);
  }
  // The system message id of `name`: the prefix and the first 16 bytes of the HMAC, in hex.
  std::string Id(std::string_view name) const {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_CTX c = inner_;
    SHA256_Update(&c, name.data(), name.size());
    SHA256_Final(digest, &c);
    c = outer_;
    SHA256_Update(&c, digest, sizeof digest);
    SHA256_Final(digest, &c);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(se::kSystemMessageIdPrefix);
    out.reserve(out.size() + 32);
    for (size_t k = 0; k < 16; ++k) {
      out += kDigits[digest[k] >> 4];
      out += kDigits[digest[k] & 15];
    }
    return out;
  }

 private:
  SHA256_CTX inner_, outer_;
};

}  // namespace

std::string SystemMessageId(std::string_view key, std::string_view name) {
  return SystemIdHasher(key).Id(name);
}

struct Runtime::Journey {
  JourneyId id;
  size_t index = 0;
  JourneyStatus status;
  std::map<uint64_t, std::shared_ptr<const JourneyDefinition>> versions;

  const JourneyDefinition* Version(uint64_t v) const {
    auto it = versions.find(v);
    return it == versions.end() ? nullptr : it->second.get();
  }
  const JourneyDefinition* Live() const {
    if (const JourneyDefinition* d = Version(status.live_version)) return d;
    return versions.empty() ? nullptr : versions.rbegin()->second.get();
  }
  bool live() const { return status.state == Lifecycle::kLive; }
};

// Opens a profile's scope on first use and keeps it for the rest of one event or timer. Not in
// the anonymous namespace: Runtime::Ctx (declared in the header) holds one.
class LazyScope {
 public:
  LazyScope(Environment* env, ProfileId p) : env_(env), profile_(p) {}
  ProfileScope& get() {
    if (!scope_) scope_ = env_->Open(profile_);
    return *scope_;
  }

 private:
  Environment* env_;
  ProfileId profile_;
  std::unique_ptr<ProfileScope> scope_;
};

namespace {

std::string Unquote(const std::optional<std::string>& json_text) {
  if (!json_text) return "";
  const std::string& t = *json_text;
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') {
    try {
      return json::parse(t).get<std::string>();
    } catch (const std::exception&) {
      return t.substr(1, t.size() - 2);
    }
  }
  return t;
}

// The trait that holds a channel's address ("" when the channel needs none).
// The trait holding a profile's address for a consent kind (Environment::ConsentKind).
std::string AddressTrait(std::string_view kind) {
  if (kind == "email") return "email";
  if (kind == "sms") return "phone";
  if (kind == "push") return "push_token";
  return "";
}

}  // namespace

struct Runtime::Ctx {
  ProfileId profile;
  ProfileState* state = nullptr;
  Journey* journey = nullptr;
  JourneyState* js = nullptr;
  const JourneyDefinition* def = nullptr;
  LazyScope* scope = nullptr;
  Effects* fx = nullptr;
  Instance& inst() { return *js->active; }
  const Step& step() { return def->steps[static_cast<size_t>(js->active->step)]; }
};

Runtime::Runtime(Environment* env, RuntimeOptions options) : env_(env), options_(options) {
  profiles_.max_load_factor(0.25f);
}
Runtime::~Runtime() = default;

Runtime::Journey* Runtime::Find(const JourneyId& id) {
  auto it = journey_index_.find(id);
  return it == journey_index_.end() ? nullptr : journeys_[it->second].get();
}
const Runtime::Journey* Runtime::Find(const JourneyId& id) const {
  auto it = journey_index_.find(id);
  return it == journey_index_.end() ? nullptr : journeys_[it->second].get();
}

void Runtime::AddVersion(std::shared_ptr<const JourneyDefinition> def, uint64_t version) {
  Journey* j = Find(def->id);
  if (j == nullptr) {
    auto nj = std::make_unique<Journey>();
    nj->id = def->id;
    nj->index = journeys_.size();
    journey_index_[def->id] = nj->index;
    j = nj.get();
    journeys_.push_back(std::move(nj));
  }
  j->versions[version] = std::move(def);
  Reindex();
}

void Runtime::RestoreStatus(const JourneyId& id, JourneyStatus status) {
  if (Journey* j = Find(id)) j->status = std::move(status);
  Reindex();
}

const JourneyStatus* Runtime::StatusOf(const JourneyId& id) const {
  const Journey* j = Find(id);
  return j ? &j->status : nullptr;
}

std::vector<JourneyId> Runtime::JourneyIds() const {
  std::vector<JourneyId> out;
  for (const auto& j : journeys_) out.push_back(j->id);
  return out;
}

std::string Runtime::StepId(const JourneyId& id, const Instance& i) const {
  const Journey* j = Find(id);
  const JourneyDefinition* def = j ? j->Version(i.version) : nullptr;
  if (!def || i.step < 0 || static_cast<size_t>(i.step) >= def->steps.size()) return "";
  return def->steps[static_cast<size_t>(i.step)].id;
}

std::shared_ptr<const JourneyDefinition> Runtime::Definition(const JourneyId& id,
                                                             uint64_t version) const {
  const Journey* j = Find(id);
  if (!j) return nullptr;
  if (version == 0) return j->versions.empty() ? nullptr : j->versions.rbegin()->second;
  auto it = j->versions.find(version);
  return it == j->versions.end() ? nullptr : it->second;
}

void Runtime::Reindex() {
  by_trigger_.clear();
  interesting_.clear();
  interested_in_identify_ = false;
  join_later_.clear();
  funnel_step_.clear();
  funnel_events_.clear();
  boundary_stale_ = true;
  for (std::string_view n : {se::kMessageOpened, se::kMessageClicked, se::kMessageFailed})
    interesting_.insert(std::string(n));
  auto add_segment = [this](const SegmentId& seg) {
    SegmentDependencies d = env_->DependenciesOf(seg);
    for (auto& e : d.events) interesting_.insert(std::move(e));
    if (d.traits) interested_in_identify_ = true;
  };
  for (const auto& j : journeys_) {
    if (j->status.state == Lifecycle::kLive) {
      if (const JourneyDefinition* def = j->Live()) {
        if (def->entry.trigger) {
          by_trigger_[def->entry.trigger->event].push_back(j->index);
          interesting_.insert(def->entry.trigger->event);
        } else if (def->entry.funnel_step) {
          auto& names = funnel_events_[j->index];
          for (std::string& n : env_->FunnelEvents(def->entry.funnel_step->funnel)) {
            interesting_.insert(n);
            names.insert(std::move(n));
          }
          funnel_step_.push_back(j->index);
        } else if (def->entry.join_later) {
          add_segment(def->entry.segment);
          join_later_.push_back(j->index);
        }
      }
    }
    for (const auto& [v, def] : j->versions) {
      for (const auto& seg : def->suppress) add_segment(seg);
      for (const auto& s : def->steps) {
        if (s.kind == StepKind::kWait && s.wait == WaitKind::kEvent)
          interesting_.insert(s.await.event);
      }
    }
  }
}

bool Runtime::Interested(EventType type, std::string_view name) const {
  if (type == EventType::kIdentify) return interested_in_identify_;
  if (type != EventType::kTrack) return false;
  return interesting_.find(name) != interesting_.end();
}

// ---- lifecycle
// -------------------------------------------------------------------------------------

Status Runtime::Start(const JourneyId& id, TimeMs at, Effects* fx) {
  Journey* j = Find(id);
  if (!j || j->versions.empty())
    return Status::NotFound(fmt::format("journey '{}' does not exist", id));
  if (j->status.state == Lifecycle::kLive) return Status::Ok();
  if (j->status.state != Lifecycle::kDraft) {
    return Status::FailedPrecondition(fmt::format(
        "journey '{}' is {}; a journey goes live once. Apply it under a new id to run it again", id,
        LifecycleName(j->status.state)));
  }
  j->status.state = Lifecycle::kLive;
  j->status.live_version = j->versions.rbegin()->first;
  j->status.live_since = at;
  fx->dirty_journeys.insert(id);
  Reindex();
  const JourneyDefinition* def = j->Live();
  if (!def->entry.trigger && !def->entry.funnel_step) {
    if (def->start && *def->start > at) {
      j->status.members_pending = true;  // AdvanceTo enters them at the start time
      boundary_stale_ = true;
    } else {
      SP_RETURN_IF_ERROR(EnterMembers(*j, at, fx));
    }
  }
  return Status::Ok();
}

Status Runtime::EnterMembers(Journey& j, TimeMs t, Effects* fx) {
  j.status.members_pending = false;
  boundary_stale_ = true;
  fx->dirty_journeys.insert(j.id);
  SP_ASSIGN_OR_RETURN(std::vector<ProfileId> members, env_->Members(j.Live()->entry.segment, t));
  for (ProfileId p : members) TryEnter(j, p, nullptr, t, fx);
  return Status::Ok();
}

void Runtime::Upgrade(const JourneyId& id, uint64_t version, Effects* fx) {
  Journey* j = Find(id);
  if (!j || !j->live() || !j->Version(version)) return;
  j->status.live_version = version;
  fx->dirty_journeys.insert(id);
  Reindex();
}

Status Runtime::Stop(const JourneyId& id, TimeMs at, Effects* fx) {
  Journey* j = Find(id);
  if (!j) return Status::NotFound(fmt::format("journey '{}' does not exist", id));
  if (j->status.state != Lifecycle::kLive) {
    return Status::FailedPrecondition(
        fmt::format("journey '{}' is {}, not live; only a live journey can be stopped", id,
                    LifecycleName(j->status.state)));
  }
  for (auto& [pid, st] : profiles_) {
    auto it = st.journeys.find(id);
    if (it == st.journeys.end() || !it->second.active) continue;
    LazyScope scope(env_, ProfileId(pid));
    Ctx c{ProfileId(pid), &st, j, &it->second, j->Version(it->second.active->version), &scope, fx};
    Exit(c, se::kExitJourneyStopped, at);
  }
  j->status.state = Lifecycle::kStopped;
  j->status.ended_at = at;
  fx->dirty_journeys.insert(id);
  Reindex();
  return Status::Ok();
}

// ---- processing
// ------------------------------------------------------------------------------------

Event Runtime::SystemEvent(Ctx& c, std::string_view name, std::string_view id_suffix, TimeMs t,
                           JsonObjectText properties) {
  Event e;
  e.type = EventType::kTrack;
  e.event = std::string(name);
  const std::string& identity = c.scope->get().Identity();
  if (identity.rfind("user:", 0) == 0) {
    e.user_id = identity.substr(5);
  } else {
    e.anonymous_id = identity.size() > 5 ? identity.substr(5) : identity;
  }
  const Instance& i = c.inst();
  // The hasher of this thread, for this key (a partition's thread, replay's: one key each).
  thread_local std::optional<std::pair<std::string, SystemIdHasher>> hasher;
  if (!hasher || hasher->first != options_.system_id_key)
    hasher.emplace(options_.system_id_key, SystemIdHasher(options_.system_id_key));
  e.message_id = hasher->second.Id(fmt::format("{}/{}/{}/{}/{}", c.journey->id, i.version,
                                               c.profile.value(), i.entry, id_suffix));
  e.timestamp = t;
  e.received_at = t;
  properties.Add(se::kPropJourney, c.journey->id.value())
      .Add(se::kPropVersion, i.version)
      .Add(se::kPropEntry, i.entry);
  e.properties = properties.Finish();
  return e;
}

void Runtime::Arm(ProfileId p, Journey& j, const Instance& i) {
  if (i.due != 0) timers_.emplace(i.due, p.value(), j.index);
}

void Runtime::Watch(ProfileId p, Journey& j, ProfileScope& scope, const SegmentId& segment,
                    TimeMs t, Effects* fx) {
  if (!env_->DependenciesOf(segment).time) return;
  if (std::optional<TimeMs> next = scope.SegmentChangesAt(segment, t); next && *next > t)
    AddWatch(p, j, *next, fx);
}

void Runtime::AddWatch(ProfileId p, Journey& j, TimeMs due, Effects* fx) {
  watches_.emplace(due, p.value(), j.index);
  auto& w = profiles_[p.value()].watches;
  std::pair<JourneyId, TimeMs> item{j.id, due};
  auto it = std::lower_bound(w.begin(), w.end(), item);
  if (it != w.end() && *it == item) return;
  w.insert(it, std::move(item));
  fx->dirty_profiles.insert(p.value());
}

void Runtime::DropWatch(uint64_t pid, const JourneyId& id, TimeMs due, Effects* fx) {
  auto pit = profiles_.find(pid);
  if (pit == profiles_.end()) return;
  auto& w = pit->second.watches;
  auto it = std::find(w.begin(), w.end(), std::pair<JourneyId, TimeMs>{id, due});
  if (it == w.end()) return;
  w.erase(it);
  fx->dirty_profiles.insert(pid);
  if (pit->second.empty()) profiles_.erase(pit);  // only a watch kept it
}

void Runtime::FireWatch(uint64_t pid, Journey& j, TimeMs due, Effects* fx) {
  handling_ = &j.id;
  DropWatch(pid, j.id, due, fx);
  auto pit = profiles_.find(pid);
  LazyScope scope(env_, ProfileId(pid));
  if (pit != profiles_.end()) {
    auto jit = pit->second.journeys.find(j.id);
    if (jit != pit->second.journeys.end() && jit->second.active) {  // inside: suppression
      Ctx c{ProfileId(pid),
            &pit->second,
            &j,
            &jit->second,
            j.Version(jit->second.active->version),
            &scope,
            fx};
      if (c.def) CheckSuppression(c, due, nullptr);
      return;
    }
    if (jit != pit->second.journeys.end() && !(j.Live() && j.Live()->entry.funnel_step))
      return;  // entered before: join-later enters once
  }
  const JourneyDefinition* def = j.Live();
  if (def && j.live() && def->entry.funnel_step && def->entry.funnel_step->stalled) {
    // Still at the step `after` since completing it: stalled.
    const auto& fs = *def->entry.funnel_step;
    auto pos = scope.get().FunnelStepAt(fs.funnel, due);
    if (pos.ok() && pos->last_step == fs.step && due - pos->last_step_at >= fs.after)
      TryEnter(j, ProfileId(pid), nullptr, due, fx);
    return;
  }
  if (!def || !j.live() || def->entry.trigger || !def->entry.join_later) return;
  auto member = scope.get().InSegment(def->entry.segment, due);
  if (member.ok() && *member) {
    TryEnter(j, ProfileId(pid), nullptr, due, fx);
  } else {
    Watch(ProfileId(pid), j, scope.get(), def->entry.segment, due, fx);
  }
}

void Runtime::TryEnter(Journey& j, ProfileId p, const InputEvent* trigger, TimeMs t, Effects* fx) {
  handling_ = &j.id;
  const JourneyDefinition* def = j.Live();
  if (def == nullptr || !j.live()) return;
  // Triggers count from the start time when one is set (so history after it flows in), else from
  // the moment the journey went live.
  const TimeMs eligible_from = def->start.value_or(j.status.live_since);
  if (t < eligible_from || (def->end && t > *def->end)) return;
  StepCounters& entry = j.status.steps["entry"];
  fx->dirty_journeys.insert(j.id);
  ++entry.inflow;
  ProfileState& st = profiles_[p.value()];
  auto found = st.journeys.find(j.id);
  if (found != st.journeys.end()) {
    const JourneyState& prev = found->second;
    bool blocked = prev.active.has_value() ||
                   (prev.entries > 0 && def->entry.reentry == ReentryPolicy::kOnce) ||
                   (prev.entries > 0 && def->entry.reentry == ReentryPolicy::kAfter &&
                    t < prev.last_entered + def->entry.reentry_after);
    if (blocked) {
      ++entry.exits["reentry_blocked"];
      return;
    }
  }
  LazyScope scope(env_, p);
  for (const auto& seg : def->exclude) {
    auto member = scope.get().InSegment(seg, t);
    if (member.ok() && *member) {
      ++entry.exits["excluded"];
      return;
    }
  }
  for (const auto& seg : def->suppress) {
    auto member = scope.get().InSegment(seg, t);
    if (member.ok() && *member) {
      ++entry.exits[std::string(se::kExitSuppressed)];
      return;
    }
    if (member.ok()) Watch(p, j, scope.get(), seg, t, fx);
  }
  if (!def->consent.empty() && !TrackingConsented(*def, scope.get(), t)) {  // privacy
    ++entry.exits[std::string(se::kExitTrackingConsent)];
    return;
  }
  JourneyState& js = st.journeys[j.id];
  ++js.entries;
  js.last_entered = t;
  Instance inst;
  inst.entry = js.entries;
  inst.version = j.status.live_version ? j.status.live_version : j.versions.rbegin()->first;
  inst.entered_at = t;
  inst.holdout = experiments::InHoldout(j.id.value(), p, def->holdout_percent);
  if (trigger) {
    inst.entry_event = trigger->name;
    inst.entry_properties = trigger->properties;
  }
  js.active = std::move(inst);
  ++j.status.entries;
  if (js.entries == 1) ++(js.active->holdout ? j.status.entered_holdout : j.status.entered);
  ++j.status.in_progress;
  ++entry.passed_on;
  fx->dirty_profiles.insert(p.value());
  Ctx c{p, &st, &j, &js, j.Version(js.active->version), &scope, fx};
  fx->events.push_back(SystemEvent(
      c, se::kJourneyEntered, "entered", t,
      std::move(
          JsonObjectText()
              .Add("holdout", c.inst().holdout)
              .Add("trigger", trigger ? trigger->name
                              : def->entry.funnel_step
                                  ? fmt::format("funnel_step:{}/{}", def->entry.funnel_step->funnel,
                                                def->entry.funnel_step->step)
                                  : "segment:" + def->entry.segment.value()))));
  Arrive(c, 0, t);
  Run(c, t, true);
}

void Runtime::Arrive(Ctx& c, int step, TimeMs t) {
  Instance& i = c.inst();
  i.step = step;
  i.step_since = t;
  i.due = 0;
  i.quiet_wait = false;
  i.correlation.clear();
  ++c.journey->status.steps[c.step().id].inflow;
}

void Runtime::Complete(Ctx& c, TimeMs t) {
  c.fx->events.push_back(SystemEvent(
      c, se::kJourneyExited, "exited", t,
      std::move(JsonObjectText().Add("reason", se::kExitCompleted).Add("step", c.step().id))));
  ++c.journey->status.completed;
  --c.journey->status.in_progress;
  c.js->last_exited = t;
  c.js->active.reset();
  c.fx->dirty_profiles.insert(c.profile.value());
  c.fx->dirty_journeys.insert(c.journey->id);
}

void Runtime::Exit(Ctx& c, std::string_view reason, TimeMs t) {
  ++c.journey->status.steps[c.step().id].exits[std::string(reason)];
  c.fx->events.push_back(
      SystemEvent(c, se::kJourneyExited, "exited", t,
                  std::move(JsonObjectText().Add("reason", reason).Add("step", c.step().id))));
  --c.journey->status.in_progress;
  c.js->last_exited = t;
  c.js->active.reset();
  c.fx->dirty_profiles.insert(c.profile.value());
  c.fx->dirty_journeys.insert(c.journey->id);
}

bool Runtime::Send(Ctx& c, const Step& s, TimeMs t) {
  Instance& i = c.inst();
  // privacy: no message once the person withdrew a category the journey requires (holdout
  // members exit too, so both groups stay comparable).
  if (!c.def->consent.empty() && !TrackingConsented(*c.def, c.scope->get(), t)) {
    Exit(c, se::kExitTrackingConsent, t);
    return false;
  }
  if (i.holdout) return true;  // holdout members walk the journey but receive nothing
  ProfileScope& scope = c.scope->get();
  const bool automatic = s.channel == kAutoChannel;
  // The candidates (channel, template, address) the profile can be sent through: with consent where
  // the channel needs it, and with an address where it needs one.
  std::vector<std::pair<std::string, std::string>> fixed = {{s.channel, s.template_id}};
  const auto& candidates = automatic ? s.auto_templates : fixed;
  std::vector<std::string> available, addresses;
  bool consented = false;
  for (const auto& [channel, template_id] : candidates) {
    const std::string kind = env_->ConsentKind(channel);
    if (!kind.empty()) {
      auto consent = scope.TraitAt("consent." + kind, t);
      if (!consent || *consent != "true") continue;
    }
    consented = true;
    std::string address;
    if (std::string trait = AddressTrait(kind); !trait.empty()) {
      address = Unquote(scope.TraitAt(trait, t));
      if (address.empty()) continue;
    }
    available.push_back(channel);
    addresses.push_back(std::move(address));
  }
  if (!consented || available.empty()) {
    Exit(c, consented ? se::kExitNoAddress : se::kExitNoConsent, t);
    return false;
  }
  auto& sends = c.state->sends;
  sends.erase(std::remove_if(sends.begin(), sends.end(), [t](TimeMs s) { return s <= t - kDayMs; }),
              sends.end());
  if (c.def->frequency_capped && options_.frequency_cap_per_day > 0) {
    int recent = 0;
    for (TimeMs s : sends) recent += s <= t ? 1 : 0;
    if (recent >= options_.frequency_cap_per_day) {
      Exit(c, se::kExitFrequencyCap, t);
      return false;
    }
  }
  ++i.messages;
  delivery::Message m;
  m.key = fmt::format("{}/{}/{}/{}/{}", c.journey->id, i.version, c.profile.value(), i.entry, s.id);
  if (i.messages > 1) m.key += fmt::format("#{}", i.messages);
  size_t pick = 0;  // into available / addresses
  ChannelChoice choice{available.front(), false};
  SegmentId segment;
  if (automatic) {
    for (const SegmentId& seg : s.optimize_by_segment) {
      auto member = scope.InSegment(seg, t);
      if (member.ok() && *member) {
        segment = seg;
        break;
      }
    }
    ChannelQuestion q{c.journey->id,
                      s.id,
                      m.key,
                      c.profile,
                      available,
                      s.default_channel,
                      segment,
                      XXH3_64bits(m.key.data(), m.key.size()),
                      t};
    choice = env_->ChooseChannel(q);
    auto it = std::find(available.begin(), available.end(), choice.channel);
    if (it == available.end()) {  // not a candidate: the default rule
      it = std::find(available.begin(), available.end(), s.default_channel);
      if (it == available.end()) it = available.begin();
      choice = {*it, false};
    }
    pick = static_cast<size_t>(it - available.begin());
  }
  const std::string& to = addresses[pick];
  m.journey = c.journey->id;
  m.version = i.version;
  m.profile = c.profile.value();
  m.entry = i.entry;
  m.step = s.id;
  m.channel = available[pick];
  for (const auto& [channel, template_id] : candidates) {
    if (channel == m.channel) m.template_id = template_id;
  }
  m.identity = scope.Identity();
  m.to = to;
  m.subject = s.subject;
  m.created_at = t;
  // The template's values are made at delivery (delivery::MessageVars): the traits as of
  // created_at from the history delivery reads anyway for consent, the entry from these fields.
  m.entry_event = i.entry_event;
  m.entry_properties = i.entry_properties;
  m.entered_at = i.entered_at;
  // Step-aware values ({{funnel.<id>.last_step_name}}, ...): the funnels the template and the
  // subject name, each as of the send's time (the decision's), so a replay shows what live sent.
  std::vector<std::string> funnels = env_->TemplateFunnels(m.template_id);
  if (!s.subject.empty()) {
    for (std::string& f : delivery::FunnelRefs(s.subject)) funnels.push_back(std::move(f));
  }
  for (const std::string& f : funnels) {
    if (f.rfind(delivery::kNextBestActionRef, 0) == 0) {  // {{next_best_action.<id>}}
      const std::string id = f.substr(delivery::kNextBestActionRef.size());
      if (m.vars.contains("next_best_action") && m.vars["next_best_action"].contains(id)) continue;
      auto nba = scope.NextBestActionAt(FunnelId(id), t);
      m.vars["next_best_action"][id] = nba.ok() ? nba->recommended : std::string();
      continue;
    }
    if (m.vars.contains("funnel") && m.vars["funnel"].contains(f)) continue;
    auto pos = scope.FunnelStepAt(FunnelId(f), t);
    if (!pos.ok()) continue;  // a funnel deleted since: its values render their fallback
    m.vars["funnel"][f] = {{"last_step", pos->last_step},
                           {"last_step_name", pos->last_step_name},
                           {"next_step", pos->next_step},
                           {"next_step_name", pos->next_step_name}};
  }
  sends.push_back(t);
  i.last_message_key = m.key;
  i.last_opened = i.last_clicked = false;
  JsonObjectText sent;
  sent.Add("step", s.id).Add("channel", m.channel).Add("template", m.template_id).Add("key", m.key);
  if (automatic) {
    sent.Add("auto", true).Add("control", choice.control);
    if (!segment.empty()) sent.Add("segment", segment.value());
  }
  c.fx->events.push_back(SystemEvent(
      c, se::kMessageSent, "sent/" + s.id + fmt::format("#{}", i.messages), t, std::move(sent)));
  c.fx->messages.push_back(std::move(m));
  return true;
}

bool Runtime::Branch(Ctx& c, const BranchCondition& cond, TimeMs t) {
  ProfileScope& scope = c.scope->get();
  Instance& i = c.inst();
  if (!cond.traits.empty()) {
    std::string traits = scope.TraitsAt(t).dump();
    if (!matcher_.Matches(cond.traits, {"{}", "{}", traits})) return false;
  }
  for (const auto& seg : cond.in_segments) {
    auto m = scope.InSegment(seg, t);
    if (!m.ok() || !*m) return false;
  }
  for (const auto& seg : cond.not_in_segments) {
    auto m = scope.InSegment(seg, t);
    if (!m.ok() || *m) return false;
  }
  if (cond.opened_last_message && *cond.opened_last_message != i.last_opened) return false;
  if (cond.clicked_last_message && *cond.clicked_last_message != i.last_clicked) return false;
  if (cond.did_event) {
    auto did = scope.DidEvent(*cond.did_event, i.entered_at, t);
    if (!did.ok() || !*did) return false;
  }
  if (!cond.funnel.empty()) {
    // As of the decision's time: the funnel never reads an event after `t`.
    auto step = scope.FunnelStepAt(cond.funnel, t);
    if (!step.ok()) return false;
    rules::ValueRef v;
    v.kind = rules::ValueKind::kNumber;
    v.number = step->last_step;
    if (!cond.funnel_step->Matches(v)) return false;
  }
  if (!cond.nba_funnel.empty()) {
    // The person's step and segment as of the decision's time; the engine's snapshot of the lifts.
    auto nba = scope.NextBestActionAt(cond.nba_funnel, t);
    if (!nba.ok()) return false;
    if (!cond.nba_is.empty() && nba->recommended != cond.nba_is) return false;
    if (cond.nba_has_evidence && *cond.nba_has_evidence == nba->recommended.empty()) return false;
  }
  return true;
}

void Runtime::Run(Ctx& c, TimeMs t, bool arrived) {
  for (int guard = 0; guard < options_.max_steps_per_run; ++guard) {
    const Step& s = c.step();
    Instance& i = c.inst();
    int next = s.next;
    switch (s.kind) {
      case StepKind::kMessage:
        if (!i.quiet_wait && c.def->quiet_hours.enabled && !i.holdout) {
          std::string tz = Unquote(c.scope->get().TraitAt("timezone", t));
          TimeMs end = QuietHoursEnd(t, c.def->quiet_hours, tz, c.def->timezone);
          if (end > t) {
            i.quiet_wait = true;
            i.due = end;
            Arm(c.profile, *c.journey, i);
            return;
          }
        }
        i.quiet_wait = false;
        if (!Send(c, s, t)) return;
        break;
      case StepKind::kWait:
        if (s.wait == WaitKind::kFor) {
          i.due = t + s.wait_for;
          Arm(c.profile, *c.journey, i);
          return;
        }
        if (s.wait == WaitKind::kUntil) {
          if (s.wait_until > t) {
            i.due = s.wait_until;
            Arm(c.profile, *c.journey, i);
            return;
          }
          break;  // the time has passed: go on at once
        }
        for (const auto& corr : s.correlate) {
          i.correlation.emplace_back(corr.path.text,
                                     RenderPlaceholders(corr.value_template, i.entry_properties));
        }
        if (s.timeout > 0) {
          i.due = t + s.timeout;
          Arm(c.profile, *c.journey, i);
        }
        return;
      case StepKind::kBranch:
        next = s.otherwise;
        for (const auto& arm : s.arms) {
          if (Branch(c, arm.when, t)) {
            next = arm.next;
            break;
          }
        }
        break;
      case StepKind::kSplit: {
        std::vector<double> percents;
        for (const auto& v : s.variants) percents.push_back(v.weight);
        const SplitVariant* chosen = &s.variants[experiments::AssignVariant(
            c.journey->id.value() + "/" + s.id, c.profile, percents)];
        // A decided experiment sends every new profile to its winner.
        if (auto winner = env_->SplitWinner(c.journey->id, s.id, t)) {
          for (const auto& v : s.variants) {
            if (v.id == *winner) chosen = &v;
          }
        }
        i.variant = chosen->id;
        c.fx->events.push_back(
            SystemEvent(c, se::kExperimentAssigned, "assigned/" + s.id, t,
                        std::move(JsonObjectText().Add("step", s.id).Add("variant", chosen->id))));
        next = chosen->next;
        break;
      }
      case StepKind::kUpdate: {
        Event identify = SystemEvent(c, se::kProfileUpdated, "identify/" + s.id, t, {});
        identify.type = EventType::kIdentify;
        identify.event.clear();
        identify.properties = "{}";
        identify.traits = s.set_traits.dump();
        c.fx->events.push_back(std::move(identify));
        c.fx->events.push_back(SystemEvent(
            c, se::kProfileUpdated, "updated/" + s.id, t,
            std::move(JsonObjectText().Add("step", s.id).AddRaw("traits", s.set_traits.dump()))));
        break;
      }
      case StepKind::kExit:
        next = kExitNow;
        break;
    }
    ++c.journey->status.steps[s.id].passed_on;
    c.fx->dirty_profiles.insert(c.profile.value());
    if (next < 0) {
      Complete(c, t);
      return;
    }
    Arrive(c, next, t);
  }
  Exit(c, "loop_limit", t);
}

void Runtime::SegmentChanged(const SegmentId& segment, TimeMs t, Effects* fx) {
  auto names = [&segment](const std::vector<SegmentId>& list) {
    return std::find(list.begin(), list.end(), segment) != list.end();
  };
  for (auto& [pid, st] : profiles_) {
    for (auto& [jid, js] : st.journeys) {
      if (!js.active) continue;
      Journey* j = Find(jid);
      const JourneyDefinition* def = j ? j->Version(js.active->version) : nullptr;
      if (!def || !names(def->suppress)) continue;
      LazyScope scope(env_, ProfileId(pid));
      Ctx c{ProfileId(pid), &st, j, &js, def, &scope, fx};
      CheckSuppression(c, t, nullptr);
    }
  }
  for (auto& jp : journeys_) {
    Journey& j = *jp;
    const JourneyDefinition* def = j.Live();
    if (!def || !j.live() || def->entry.trigger || !def->entry.join_later ||
        def->entry.segment != segment)
      continue;
    auto members = env_->Members(segment, t);
    if (!members.ok()) continue;
    for (ProfileId p : *members) {
      auto st = profiles_.find(p.value());
      if (st != profiles_.end() && st->second.journeys.count(j.id) != 0)
        continue;  // entered before
      TryEnter(j, p, nullptr, t, fx);
    }
  }
}

bool Runtime::CheckSuppression(Ctx& c, TimeMs t, const InputEvent* e) {
  for (const auto& seg : c.def->suppress) {
    if (e != nullptr) {
      SegmentDependencies d = env_->DependenciesOf(seg);
      bool relevant = (e->type == EventType::kIdentify && d.traits) ||
                      (e->type == EventType::kTrack &&
                       std::find(d.events.begin(), d.events.end(), e->name) != d.events.end());
      if (!relevant) continue;
    }
    auto member = c.scope->get().InSegment(seg, t);
    if (member.ok() && *member) {
      Exit(c, se::kExitSuppressed, t);
      return true;
    }
    if (member.ok()) Watch(c.profile, *c.journey, c.scope->get(), seg, t, c.fx);
  }
  return false;
}

bool Runtime::TrackingConsented(const JourneyDefinition& def, ProfileScope& scope, TimeMs t) {
  for (const std::string& category : def.consent) {
    const std::optional<std::string> stated = scope.TraitAt(TrackingConsentTrait(category), t);
    const bool granted = stated && (*stated == "true" || *stated == "false")
                             ? *stated == "true"
                             : env_->TrackingConsentDefault(category);
    if (!granted) return false;
  }
  return true;
}

void Runtime::HandleWaitingEvent(Ctx& c, const InputEvent& e) {
  const Step& s = c.step();
  Instance& i = c.inst();
  if (s.kind != StepKind::kWait || s.wait != WaitKind::kEvent || e.type != EventType::kTrack ||
      e.name != s.await.event)
    return;
  // Event time: the event must happen while the wait is open (both ends inclusive).
  if (e.timestamp < i.step_since || (s.timeout > 0 && e.timestamp > i.step_since + s.timeout))
    return;
  rules::JsonScopes scopes{e.properties, "{}", e.traits};
  if (!matcher_.Matches(s.await.where, scopes)) return;
  for (size_t k = 0; k < s.correlate.size() && k < i.correlation.size(); ++k) {
    auto v = matcher_.Text(s.correlate[k].path, scopes);
    if (!v || *v != i.correlation[k].second) return;
  }
  ++c.journey->status.steps[s.id].passed_on;
  c.fx->dirty_profiles.insert(c.profile.value());
  if (s.on_event < 0) {
    Complete(c, e.timestamp);
    return;
  }
  Arrive(c, s.on_event, e.timestamp);
  Run(c, e.timestamp, true);
}

void Runtime::Process(const InputEvent& e, Effects* fx) {
  if (!Interested(e.type, e.name)) return;
  const TimeMs t = e.timestamp;
  LazyScope scope(env_, e.profile);
  // 1. Profiles already inside journeys: message feedback, suppression, waits. Before entries, so
  //    the event that enters a journey cannot also end a wait of that new entry.
  auto it = profiles_.find(e.profile.value());
  if (it != profiles_.end()) {
    ProfileState& st = it->second;
    const bool feedback = e.name == se::kMessageOpened || e.name == se::kMessageClicked ||
                          e.name == se::kMessageFailed;
    for (auto& [jid, js] : st.journeys) {
      if (!js.active) continue;
      Journey* j = Find(jid);
      if (!j) continue;
      handling_ = &j->id;
      Ctx c{e.profile, &st, j, &js, j->Version(js.active->version), &scope, fx};
      if (!c.def) continue;
      if (!c.def->consent.empty() && !TrackingConsented(*c.def, scope.get(), t)) {  // privacy
        Exit(c, se::kExitTrackingConsent, std::max(t, c.inst().step_since));
        continue;
      }
      if (feedback && e.type == EventType::kTrack) {
        rules::JsonScopes scopes{e.properties};
        rules::PropertyPath journey_path{rules::PropertyScope::kProperties, {"journey"}, ""};
        if (matcher_.Text(journey_path, scopes).value_or("") != jid) continue;
        if (e.name == se::kMessageFailed) {
          rules::PropertyPath entry_path{rules::PropertyScope::kProperties, {"entry"}, ""};
          rules::PropertyPath perm_path{rules::PropertyScope::kProperties, {"permanent"}, ""};
          if (matcher_.Text(entry_path, scopes).value_or("") == std::to_string(c.inst().entry) &&
              matcher_.Text(perm_path, scopes).value_or("") == "true") {
            Exit(c, se::kExitSendFailed, std::max(t, c.inst().step_since));
          }
          continue;
        }
        rules::PropertyPath key_path{rules::PropertyScope::kProperties, {"key"}, ""};
        if (matcher_.Text(key_path, scopes).value_or("") == c.inst().last_message_key) {
          (e.name == se::kMessageOpened ? c.inst().last_opened : c.inst().last_clicked) = true;
          if (e.name == se::kMessageClicked)
            c.inst().last_opened = true;  // a click implies an open
          fx->dirty_profiles.insert(e.profile.value());
        }
      }
      if (CheckSuppression(c, t, &e)) continue;
      HandleWaitingEvent(c, e);
    }
  }
  // 2. Entries by trigger.
  if (e.type == EventType::kTrack) {
    auto bt = by_trigger_.find(e.name);
    if (bt != by_trigger_.end()) {
      for (size_t idx : bt->second) {
        Journey& j = *journeys_[idx];
        const JourneyDefinition* def = j.Live();
        if (!def || !j.live()) continue;
        handling_ = &j.id;
        if (!matcher_.Matches(def->entry.trigger->where, {e.properties, "{}", e.traits})) continue;
        TryEnter(j, e.profile, &e, t, fx);
      }
    }
  }
  // 3. Entries on a funnel step (reached now, or a watch until it counts as stalled).
  if (e.type == EventType::kTrack) {
    for (size_t idx : funnel_step_) {
      auto names = funnel_events_.find(idx);
      if (names == funnel_events_.end() || names->second.count(e.name) == 0) continue;
      FunnelStepEntry(*journeys_[idx], e, scope, fx);
    }
  }
  // 4. Entries of segment journeys that admit people who join later.
  for (size_t idx : join_later_) {
    Journey& j = *journeys_[idx];
    const JourneyDefinition* def = j.Live();
    if (!def || !j.live() || def->entry.trigger || !def->entry.join_later) continue;
    handling_ = &j.id;
    SegmentDependencies d = env_->DependenciesOf(def->entry.segment);
    bool relevant = (e.type == EventType::kIdentify && d.traits) ||
                    (e.type == EventType::kTrack &&
                     std::find(d.events.begin(), d.events.end(), e.name) != d.events.end());
    if (!relevant) continue;
    auto member = scope.get().InSegment(def->entry.segment, t);
    if (member.ok() && *member) {
      TryEnter(j, e.profile, nullptr, t, fx);
    } else if (member.ok()) {
      Watch(e.profile, j, scope.get(), def->entry.segment, t, fx);
    }
  }
}

void Runtime::FunnelStepEntry(Journey& j, const InputEvent& e, LazyScope& scope, Effects* fx) {
  const JourneyDefinition* def = j.Live();
  if (!def || !j.live() || !def->entry.funnel_step) return;
  handling_ = &j.id;
  const auto& fs = *def->entry.funnel_step;
  // As of the event: did this event complete the step? (One event fills at most one step.)
  auto pos = scope.get().FunnelStepAt(fs.funnel, e.timestamp);
  if (!pos.ok() || pos->last_step != fs.step || pos->last_step_at != e.timestamp) return;
  if (fs.stalled) {
    AddWatch(e.profile, j, e.timestamp + fs.after, fx);
  } else {
    TryEnter(j, e.profile, &e, e.timestamp, fx);
  }
}

Status Runtime::TryProcess(const InputEvent& e, Effects* fx, JourneyId* journey) {
  *journey = JourneyId();
  if (!Interested(e.type, e.name)) return Status::Ok();
  // What the event can change: this profile's state, and the counters of the journeys it is in,
  // its name triggers, and that admit segment members who join later.
  std::optional<ProfileState> before;
  if (auto it = profiles_.find(e.profile.value()); it != profiles_.end()) before = it->second;
  std::vector<std::pair<Journey*, JourneyStatus>> counters;
  auto keep = [&counters](Journey* j) {
    for (const auto& [k, status] : counters)
      if (k == j) return;
    counters.emplace_back(j, j->status);
  };
  if (before) {
    for (const auto& [jid, js] : before->journeys)
      if (Journey* j = Find(jid)) keep(j);
  }
  if (auto bt = by_trigger_.find(e.name); e.type == EventType::kTrack && bt != by_trigger_.end()) {
    for (size_t idx : bt->second) keep(journeys_[idx].get());
  }
  for (size_t idx : join_later_) keep(journeys_[idx].get());
  for (size_t idx : funnel_step_) keep(journeys_[idx].get());
  const size_t events = fx->events.size(), messages = fx->messages.size();
  handling_ = nullptr;
  std::string what;
  try {
    Process(e, fx);
    handling_ = nullptr;
    return Status::Ok();
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
    what = "an unknown exception";
  }
  if (handling_ != nullptr) *journey = *handling_;
  handling_ = nullptr;
  if (before) {
    profiles_[e.profile.value()] = std::move(*before);  // its timers are still armed
  } else {
    profiles_.erase(e.profile.value());
  }
  for (auto& [j, status] : counters) {
    j->status = std::move(status);
    fx->dirty_journeys.insert(j->id);
  }
  fx->events.resize(events);
  fx->messages.resize(messages);
  fx->dirty_profiles.insert(e.profile.value());  // the state as it was, which may not be stored yet
  return Status::Internal(
      journey->empty() ? fmt::format("handling the event failed: {}", what)
                       : fmt::format("journey {}: handling the event failed: {}", *journey, what));
}

TimeMs Runtime::NextDue() const {
  TimeMs next = timers_.empty() ? 0 : std::get<0>(*timers_.begin());
  if (!watches_.empty() && (next == 0 || std::get<0>(*watches_.begin()) < next))
    next = std::get<0>(*watches_.begin());
  for (const auto& j : journeys_) {
    const JourneyDefinition* def = j->Live();
    if (!j->live() || !def) continue;
    if (def->end && (next == 0 || *def->end < next)) next = *def->end;
    if (j->status.members_pending && def->start && (next == 0 || *def->start < next))
      next = *def->start;
  }
  return next;
}

void Runtime::AdvanceTo(TimeMs now, Effects* fx) {
  for (;;) {
    // The earliest journey end or pending segment entry not after `now`: timers due before it fire
    // first; at equal times the start goes before the end.
    Journey* ending = nullptr;
    Journey* starting = nullptr;
    TimeMs end_at = 0, start_at = 0;
    if (boundary_stale_) {
      boundary_ = 0;
      for (const auto& j : journeys_) {
        const JourneyDefinition* def = j->Live();
        if (!j->live() || !def) continue;
        if (def->end && (boundary_ == 0 || *def->end < boundary_)) boundary_ = *def->end;
        if (j->status.members_pending && def->start && (boundary_ == 0 || *def->start < boundary_))
          boundary_ = *def->start;
      }
      boundary_stale_ = false;
    }
    // Only when some journey ends or starts by `now` (most calls: none, without a scan).
    for (auto& j : journeys_) {
      if (boundary_ == 0 || boundary_ > now) break;
      const JourneyDefinition* def = j->Live();
      if (!j->live() || !def) continue;
      if (def->end && *def->end <= now && (!ending || *def->end < end_at)) {
        ending = j.get();
        end_at = *def->end;
      }
      if (j->status.members_pending && def->start && *def->start <= now &&
          (!starting || *def->start < start_at)) {
        starting = j.get();
        start_at = *def->start;
      }
    }
    if (starting && (!ending || start_at <= end_at)) ending = nullptr;
    const TimeMs limit = starting ? start_at : ending ? end_at : now;
    for (;;) {
      const bool timer = !timers_.empty() && std::get<0>(*timers_.begin()) <= limit;
      const bool watch = !watches_.empty() && std::get<0>(*watches_.begin()) <= limit;
      if (!timer && !watch) break;
      // A segment watch due before the next timer (or at its time) goes first.
      if (watch && (!timer || std::get<0>(*watches_.begin()) <= std::get<0>(*timers_.begin()))) {
        auto [due, pid, jidx] = *watches_.begin();
        watches_.erase(watches_.begin());
        FireWatch(pid, *journeys_[jidx], due, fx);
        handling_ = nullptr;
        continue;
      }
      auto [due, pid, jidx] = *timers_.begin();
      timers_.erase(timers_.begin());
      Journey& j = *journeys_[jidx];
      auto pit = profiles_.find(pid);
      if (pit == profiles_.end()) continue;
      auto jit = pit->second.journeys.find(j.id);
      if (jit == pit->second.journeys.end() || !jit->second.active ||
          jit->second.active->due != due)
        continue;  // stale: the profile moved on
      LazyScope scope(env_, ProfileId(pid));
      Ctx c{ProfileId(pid),
            &pit->second,
            &j,
            &jit->second,
            j.Version(jit->second.active->version),
            &scope,
            fx};
      if (!c.def) continue;
      c.inst().due = 0;
      fx->dirty_profiles.insert(pid);
      if (CheckSuppression(c, due, nullptr)) continue;
      const Step& s = c.step();
      if (s.kind == StepKind::kMessage) {
        Run(c, due, false);  // quiet hours are over: send now
        continue;
      }
      int next = s.wait == WaitKind::kEvent ? s.on_timeout : s.next;
      ++j.status.steps[s.id].passed_on;
      fx->dirty_journeys.insert(j.id);
      if (next < 0) {
        Complete(c, due);
        continue;
      }
      Arrive(c, next, due);
      Run(c, due, true);
    }
    if (starting) {
      // An unreadable segment (deleted since validation) enters nobody; the journey runs on.
      EnterMembers(*starting, start_at, fx).IgnoreError();
      continue;
    }
    if (!ending) return;
    for (auto& [pid, st] : profiles_) {
      auto jit = st.journeys.find(ending->id);
      if (jit == st.journeys.end() || !jit->second.active) continue;
      LazyScope scope(env_, ProfileId(pid));
      Ctx c{ProfileId(pid), &st, ending, &jit->second, ending->Version(jit->second.active->version),
            &scope,         fx};
      Exit(c, se::kExitJourneyCompleted, end_at);
    }
    ending->status.state = Lifecycle::kCompleted;
    ending->status.ended_at = end_at;
    fx->dirty_journeys.insert(ending->id);
    Reindex();
  }
}

// ---- state
// -----------------------------------------------------------------------------------------

const ProfileState* Runtime::State(ProfileId profile) const {
  auto it = profiles_.find(profile.value());
  return it == profiles_.end() ? nullptr : &it->second;
}

std::vector<ProfileId> Runtime::ProfilesIn(const JourneyId& id) const {
  std::vector<ProfileId> out;
  for (const auto& [pid, st] : profiles_) {
    if (st.journeys.count(id) != 0) out.push_back(ProfileId(pid));
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Runtime::RestoreState(ProfileId profile, ProfileState state) {
  auto& st = profiles_[profile.value()] = std::move(state);
  for (const auto& [jid, js] : st.journeys) {
    Journey* j = Find(jid);
    if (j && js.active) Arm(profile, *j, *js.active);
  }
  for (const auto& [jid, due] : st.watches) {
    if (Journey* j = Find(jid)) watches_.emplace(due, profile.value(), j->index);
  }
}

void Runtime::Merge(ProfileId from, ProfileId into, TimeMs at, Effects* fx) {
  auto fit = profiles_.find(from.value());
  if (fit == profiles_.end() || from == into) return;
  ProfileState moved = std::move(fit->second);
  profiles_.erase(fit);
  ProfileState& dst = profiles_[into.value()];
  LazyScope scope(env_, into);
  for (auto& [jid, js] : moved.journeys) {
    Journey* j = Find(jid);
    auto [dit, fresh] = dst.journeys.emplace(jid, JourneyState{});
    JourneyState& d = dit->second;
    d.entries += js.entries;
    d.last_entered = std::max(d.last_entered, js.last_entered);
    d.last_exited = std::max(d.last_exited, js.last_exited);
    if (!js.active || !j) continue;
    if (!d.active) {
      d.active = std::move(js.active);
      Arm(into, *j, *d.active);
      continue;
    }
    Ctx c{into, &dst, j, &js, j->Version(js.active->version), &scope, fx};
    Exit(c, se::kExitMerged, at);
  }
  dst.sends.insert(dst.sends.end(), moved.sends.begin(), moved.sends.end());
  std::sort(dst.sends.begin(), dst.sends.end());
  for (const auto& [jid, due] : moved.watches) {  // the survivor's now
    if (Journey* j = Find(jid)) {
      watches_.erase({due, from.value(), j->index});
      AddWatch(into, *j, due, fx);
    }
  }
  fx->dirty_profiles.insert(from.value());
  fx->dirty_profiles.insert(into.value());
}

std::optional<ProfileState> Runtime::Export(ProfileId from, Effects* fx) {
  auto it = profiles_.find(from.value());
  if (it == profiles_.end()) return std::nullopt;
  ProfileState out = std::move(it->second);
  profiles_.erase(it);
  for (const auto& [jid, js] : out.journeys) {
    Journey* j = Find(jid);
    if (!j || !js.active) continue;
    if (j->status.in_progress > 0) --j->status.in_progress;
    if (js.active->due != 0) timers_.erase({js.active->due, from.value(), j->index});
    fx->dirty_journeys.insert(j->id);
  }
  for (const auto& [jid, due] : out.watches) {  // Adopt re-arms them in the other partition
    if (Journey* j = Find(jid)) watches_.erase({due, from.value(), j->index});
  }
  return out;
}

void Runtime::Adopt(ProfileId from, ProfileState state, Effects* fx) {
  for (const auto& [jid, js] : state.journeys) {
    Journey* j = Find(jid);
    if (!j || !js.active) continue;
    ++j->status.in_progress;
    fx->dirty_journeys.insert(j->id);
  }
  RestoreState(from, std::move(state));
}

std::vector<ForgottenEntry> Runtime::Forget(ProfileId profile, Effects* fx) {
  std::vector<ForgottenEntry> out;
  auto it = profiles_.find(profile.value());
  if (it == profiles_.end()) return out;
  for (auto& [jid, js] : it->second.journeys) {
    Journey* j = Find(jid);
    if (!j) continue;
    ++j->status.erased;
    fx->dirty_journeys.insert(j->id);
    if (!js.active) continue;
    const Instance& i = *js.active;
    std::string step = StepId(jid, i);
    ++j->status.steps[step].exits[std::string(se::kExitErased)];
    if (j->status.in_progress > 0) --j->status.in_progress;
    if (i.due != 0) timers_.erase({i.due, profile.value(), j->index});
    out.push_back({jid, i.version, i.entry, std::move(step)});
  }
  for (const auto& [jid, due] : it->second.watches) {
    if (Journey* j = Find(jid)) watches_.erase({due, profile.value(), j->index});
  }
  profiles_.erase(it);
  fx->dirty_profiles.insert(profile.value());
  return out;
}

}  // namespace signpost::journeys
