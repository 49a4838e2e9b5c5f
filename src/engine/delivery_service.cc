// DeliveryService: the durable outbox, the delivery thread, the channel and template definitions,
// and open and click tracking. The rules (states, retries, tokens, rendering) are in src/delivery;
// this file wires them to the store, the profiles (consent) and the commit queue (system events).
#include "engine/delivery_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <thread>
#include <unordered_set>

#include "base/system_events.h"
#include "delivery/channels.h"
#include "delivery/definitions.h"
#include "delivery/render.h"
#include "delivery/signing.h"
#include "delivery/template_text.h"
#include "delivery/tracking.h"
#include "engine/definition_records.h"
#include "identity/traits.h"

namespace signpost::engine {

using nlohmann::json;
namespace se = system_events;

namespace {

// The longest the delivery thread sleeps without looking at the outbox (a clock that jumps, an
// item enqueued without NotifyDelivery).
constexpr DurationMs kMaxIdleMs = 2 * kSecondMs;
// Items one pass of the delivery thread or DeliverDue takes from the due index.
constexpr size_t kPassLimit = 10000;

// The built-in `file` channel, used when no `kind: channel` with id `file` is applied.
delivery::ChannelDef BuiltinFileChannel() {
  delivery::ChannelDef c;
  c.id = "file";
  c.type = delivery::ChannelType::kFile;
  c.path = "outbox.ndjson";
  return c;
}

}  // namespace

Result<delivery::TemplateDef> DeliveryService::LoadTemplate(std::string_view id) const {
  auto record = store_.definitions().Get(store::DefinitionKind::kTemplate, id);
  if (!record.ok()) {
    if (record.status().code() == Code::kNotFound)
      return Status::NotFound(fmt::format(
          "template '{}' is not defined; apply a `kind: template` definition with id: {} and its "
          "channel, subject and html/text (email) or body (sms, push, webhook)",
          id, id));
    return record.status();
  }
  return delivery::ParseTemplate(record->body);
}

namespace {

// A system event (track) of `identity` ("user:X" / "anon:X") at `now`.
Result<Event> SystemEvent(std::string_view identity, std::string_view name, const json& properties,
                          std::string message_id, TimeMs now) {
  Event e;
  e.type = EventType::kTrack;
  if (identity.rfind("user:", 0) == 0) {
    e.user_id = std::string(identity.substr(5));
  } else if (identity.rfind("anon:", 0) == 0) {
    e.anonymous_id = std::string(identity.substr(5));
  } else {
    return Status::InvalidArgument(
        fmt::format("identity '{}': expected user:<id> or anon:<id>", identity));
  }
  e.event = std::string(name);
  e.message_id = std::move(message_id);
  e.timestamp = e.received_at = now;
  e.properties = properties.dump(-1, ' ', false, json::error_handler_t::replace);
  return e;
}

json MessageProperties(const delivery::Message& msg) {
  return {{se::kPropJourney, msg.journey}, {se::kPropVersion, msg.version},
          {se::kPropEntry, msg.entry},     {"step", msg.step},
          {"channel", msg.channel},        {"key", msg.key}};
}

// The trait history of the profile of `identity`, sorted (empty when unknown or unreadable).
std::vector<identity::TraitChange> HistoryOf(const identity::ProfileStore& profiles,
                                             const std::string& identity) {
  auto canonical = profiles.Resolve(identity);
  if (!canonical.ok()) return {};
  auto history = profiles.TraitHistory(profiles.ProfileOf(*canonical));
  return history.ok() ? std::move(*history) : std::vector<identity::TraitChange>{};
}

// Whether a profile with trait history `history` consents to `kind` ("email", "sms", "push") now.
bool HasConsent(std::vector<identity::TraitChange>& history, const std::string& kind) {
  const identity::Consent c = identity::ConsentOf(identity::CurrentTraits(history));
  const std::optional<bool>& v = kind == "email" ? c.email : kind == "sms" ? c.sms : c.push;
  return v.value_or(false);
}

// One pass of the delivery thread works in groups of due items. Per group: each item's provider
// call (file-channel lines are gathered and written with one fsync per file at the end of the
// group), then every outcome event in one commit (durable, deterministic ids), then every item's
// new state in one write. A crash before the states are written re-sends with the same keys, as a
// crash after one provider call did when items went one at a time: the group only shares the
// fsyncs, it changes no order.
constexpr size_t kGroup = 512;

}  // namespace

// Channel and template definitions read once per group.
class DeliveryService::DefinitionCache {
 public:
  explicit DefinitionCache(const DeliveryService& d) : d_(d) {}
  const Result<delivery::ChannelDef>& Channel(const std::string& id) {
    auto it = channels_.find(id);
    if (it == channels_.end()) it = channels_.emplace(id, d_.LoadChannel(id)).first;
    return it->second;
  }
  const Result<delivery::TemplateDef>& Template(const std::string& id) {
    auto it = templates_.find(id);
    if (it == templates_.end()) it = templates_.emplace(id, d_.LoadTemplate(id)).first;
    return it->second;
  }

 private:
  const DeliveryService& d_;
  std::map<std::string, Result<delivery::ChannelDef>> channels_;
  std::map<std::string, Result<delivery::TemplateDef>> templates_;
};

// One item of a group: what was sent and how the provider answered.
struct DeliveryService::Attempt {
  delivery::OutboxItem item;
  TimeMs previous_due = 0;
  delivery::SendOutcome outcome;
  // Not attempted: its channel had no rate-limit token. Due again at retry_at, attempts unchanged.
  bool deferred = false;
  TimeMs retry_at = 0;
};

// Lines for the file channels, one text per file, and the attempts waiting on each.
struct DeliveryService::FileAppends {
  std::map<std::string, std::pair<std::string, std::vector<size_t>>> by_path;
};

// Calls the provider for attempt `index` of `group`, or, for a file channel, adds its line to
// `files` (its outcome is set when the file is written).
void DeliveryService::Send(DefinitionCache& defs, std::vector<Attempt>& group, size_t index,
                           FileAppends& files) const {
  using delivery::SendStatus;
  Attempt& a = group[index];
  const delivery::Message& msg = a.item.message;
  const auto& channel = defs.Channel(msg.channel);
  if (!channel.ok()) {
    a.outcome = {SendStatus::kPermanent, channel.status().message()};
    return;
  }
  const auto& tmpl = defs.Template(msg.template_id);
  if (!tmpl.ok()) {
    a.outcome = {SendStatus::kPermanent, tmpl.status().message()};
    return;
  }
  std::vector<identity::TraitChange> history = HistoryOf(profiles_, msg.identity);
  if (!channel->consent.empty() && !HasConsent(history, channel->consent)) {
    a.outcome = {SendStatus::kPermanent, "no consent"};
    return;
  }
  delivery::TrackingSetup tracking{options_.public_url, tracking_secret_, channel->link_hosts,
                                   channel->consent, channel->unsubscribe_mailto};
  while (!tracking.public_url.empty() && tracking.public_url.back() == '/')
    tracking.public_url.pop_back();
  // Personalization reads the traits as of the message's time (the runtime leaves them out).
  delivery::Message with_traits;
  const delivery::Message* to_render = &msg;
  if (msg.vars.is_object() && !msg.vars.contains("traits")) {
    with_traits = msg;
    with_traits.vars["traits"] = identity::TraitsAsOf(history, msg.created_at);
    to_render = &with_traits;
  }
  auto rendered = delivery::RenderMessage(*tmpl, *to_render, &tracking);
  if (!rendered.ok()) {
    a.outcome = {SendStatus::kPermanent, rendered.status().message()};
    return;
  }
  if (channel->rate_per_second > 0 && !TakeToken(*channel, &a.retry_at)) {
    a.deferred = true;
    return;
  }
  const TimeMs now = clock_.NowMs();
  switch (channel->type) {
    case delivery::ChannelType::kSmtp:
    case delivery::ChannelType::kWebhook:
      a.outcome = connections_.Send(*channel, *to_render, *rendered, now);
      return;
    case delivery::ChannelType::kFile: {
      auto& [text, waiting] = files.by_path[delivery::FilePath(*channel, options_.data_dir)];
      text += delivery::FileLine(*to_render, *rendered, now);
      waiting.push_back(index);
      return;
    }
  }
  a.outcome = {SendStatus::kPermanent, "unknown channel type"};
}

bool DeliveryService::TakeToken(const delivery::ChannelDef& c, TimeMs* retry_at) const {
  const TimeMs now = clock_.NowMs();
  MutexLock lock(rate_mu_);
  auto it = buckets_.find(c.id);
  if (it == buckets_.end() || it->second.per_second() != c.rate_per_second ||
      it->second.burst() != c.rate_burst) {
    buckets_.erase(c.id);
    it = buckets_.emplace(c.id, delivery::TokenBucket(c.rate_per_second, c.rate_burst, now)).first;
  }
  return it->second.Take(now, retry_at);
}

// The workers of a group: each sends the attempts of its share in order. A share is every attempt
// of some profiles (by profile id, or by identity when the message names no profile), so two
// messages of one profile are never sent at once or out of their due order, and each attempt
// belongs to exactly one worker: no message is sent twice.
void DeliveryService::SendGroup(DefinitionCache& defs, std::vector<Attempt>& group) {
  // Definitions are read here, once, so the workers only look them up.
  for (const Attempt& a : group) {
    (void)defs.Channel(a.item.message.channel);
    (void)defs.Template(a.item.message.template_id);
  }
  const size_t workers =
      std::clamp<size_t>(options_.delivery_workers, 1, std::max<size_t>(1, group.size()));
  std::vector<std::vector<size_t>> shares(workers);
  for (size_t i = 0; i < group.size(); ++i) {
    const delivery::Message& m = group[i].item.message;
    const uint64_t who = m.profile != 0 ? m.profile : std::hash<std::string>{}(m.identity);
    shares[who % workers].push_back(i);
  }
  std::vector<FileAppends> files(workers);
  auto work = [&](size_t w) {
    for (size_t index : shares[w]) {
      if (closing_) {  // stopping: the rest stays pending, not an attempt
        group[index].deferred = true;
        group[index].retry_at = group[index].previous_due;
        continue;
      }
      Send(defs, group, index, files[w]);
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w)
    if (!shares[w].empty()) threads.emplace_back(work, w);
  work(0);
  for (std::thread& t : threads) t.join();
  // One append (one fsync) per file for the whole group.
  std::map<std::string, std::pair<std::string, std::vector<size_t>>> by_path;
  for (FileAppends& f : files) {
    for (auto& [path, lines] : f.by_path) {
      auto& [text, waiting] = by_path[path];
      text += lines.first;
      waiting.insert(waiting.end(), lines.second.begin(), lines.second.end());
    }
  }
  for (auto& [path, lines] : by_path) {
    delivery::SendOutcome outcome = delivery::AppendLines(path, lines.first);
    for (size_t index : lines.second) group[index].outcome = outcome;
  }
}

// Settles the attempts of `group` (see kGroup). Caller holds send_mu.
Status DeliveryService::SettleGroup(std::vector<Attempt>& group) {
  std::vector<Event> events;
  store::Batch batch = store_.db().NewBatch();
  const TimeMs now = clock_.NowMs();
  for (Attempt& a : group) {
    delivery::OutboxItem& item = a.item;
    const delivery::Message& msg = item.message;
    if (a.deferred) {  // rate-limited: not an attempt, only a later due time
      item.next_attempt_at = a.retry_at;
      outbox_->Update(batch, item, a.previous_due);
      continue;
    }
    ++item.attempts;
    item.updated_at = now;
    item.last_error = a.outcome.error;
    if (a.outcome.status == delivery::SendStatus::kAccepted) {
      SP_ASSIGN_OR_RETURN(
          Event e,
          SystemEvent(msg.identity, se::kMessageDelivered, MessageProperties(msg),
                      fmt::format("{}{}/delivered", se::kSystemMessageIdPrefix, msg.key), now));
      events.push_back(std::move(e));
      item.state = delivery::OutboxState::kSent;
    } else if (a.outcome.status == delivery::SendStatus::kTransient &&
               item.attempts < retry_.max_attempts) {
      item.next_attempt_at = now + retry_.Delay(item.attempts, rng_);
      spdlog::warn("delivery: {} attempt {} failed, retry at {}: {}", msg.key, item.attempts,
                   item.next_attempt_at, a.outcome.error);
    } else {
      if (a.outcome.status == delivery::SendStatus::kTransient)
        item.last_error =
            fmt::format("gave up after {} attempts: {}", item.attempts, a.outcome.error);
      item.state = delivery::OutboxState::kFailed;
      item.permanent = true;
      json props = MessageProperties(msg);
      props["error"] = item.last_error;
      props["permanent"] = true;
      SP_ASSIGN_OR_RETURN(
          Event e,
          SystemEvent(msg.identity, se::kMessageFailed, props,
                      fmt::format("{}{}/failed", se::kSystemMessageIdPrefix, msg.key), now));
      events.push_back(std::move(e));
      spdlog::warn("delivery: {} failed: {}", msg.key, item.last_error);
    }
    outbox_->Update(batch, item, a.previous_due);
    counters_.Count(msg.channel, item.state);
  }
  SP_RETURN_IF_ERROR(events_.RecordSystemEvents(std::move(events)).status());
  return store_.db().Write(batch);
}

// Attempts every item due now once. Returns the first error (the other groups are still tried).
Status DeliveryService::DeliverDue() {
  MutexLock lock(send_mu_);
  SP_ASSIGN_OR_RETURN(auto entries, outbox_->Due(clock_.NowMs(), kPassLimit));
  Status first = Status::Ok();
  auto keep = [&first](Status s) {
    if (!s.ok() && first.ok()) first = std::move(s);
  };
  DefinitionCache defs(*this);
  for (size_t begin = 0; begin < entries.size() && !closing_; begin += kGroup) {
    const size_t end = std::min(entries.size(), begin + kGroup);
    std::vector<Attempt> group;
    group.reserve(end - begin);
    for (size_t i = begin; i < end && !closing_; ++i) {
      auto found = outbox_->Get(entries[i].key);
      if (!found.ok()) {
        keep(found.status());
        continue;
      }
      if (!*found || (*found)->state != delivery::OutboxState::kPending) {
        keep(outbox_->DropDue(entries[i]));
        continue;
      }
      group.push_back({std::move(**found), entries[i].due, {}});
    }
    SendGroup(defs, group);
    keep(SettleGroup(group));
  }
  return first;
}

void DeliveryService::Loop() {
  while (true) {
    DurationMs wait = kMaxIdleMs;
    auto next = outbox_->NextDue();
    if (next.ok() && next->has_value())
      wait = std::clamp<DurationMs>(**next - clock_.NowMs(), 0, kMaxIdleMs);
    {
      MutexLock lock(wake_mu_);
      if (!woken_ && !stop_) wake_cv_.WaitFor(lock, std::chrono::milliseconds(wait));
      if (stop_) return;
      woken_ = false;
    }
    Status s = DeliverDue();
    if (!s.ok()) {
      spdlog::error("delivery: {}", s.ToString());
      MutexLock lock(wake_mu_);
      if (!stop_) wake_cv_.WaitFor(lock, std::chrono::milliseconds(kMaxIdleMs));
      if (stop_) return;
    }
  }
}

Result<delivery::ChannelDef> DeliveryService::LoadChannel(std::string_view id) const {
  auto record = store_.definitions().Get(store::DefinitionKind::kChannel, id);
  if (!record.ok()) {
    if (record.status().code() == Code::kNotFound && id == "file") return BuiltinFileChannel();
    if (record.status().code() == Code::kNotFound)
      return Status::NotFound(
          fmt::format("channel '{}' is not configured; apply a `kind: channel` definition with id: "
                      "{} (type smtp, "
                      "webhook or file), or use the built-in channel `file`",
                      id, id));
    return record.status();
  }
  return delivery::ParseChannel(record->body);
}

// ---- the runtime's calls ---------------------------------------------------------------------

void DeliveryService::Enqueue(store::Batch& batch, const delivery::Message& msg) {
  if (msg.holdout) {  // holdout members receive nothing (the runtime should not hand these over)
    spdlog::error("delivery: {} belongs to a holdout member; not sent", msg.key);
    return;
  }
  auto added = outbox_->Enqueue(batch, msg, clock_.NowMs());
  if (!added.ok())
    spdlog::error("delivery: cannot enqueue {}: {}", msg.key, added.status().ToString());
}

void DeliveryService::Notify() {
  {
    MutexLock lock(wake_mu_);
    woken_ = true;
  }
  wake_cv_.NotifyOne();
}

Result<std::string> DeliveryService::TemplateChannel(std::string_view id) const {
  SP_ASSIGN_OR_RETURN(delivery::TemplateDef t, LoadTemplate(id));
  return t.channel;
}

bool DeliveryService::ChannelConfigured(std::string_view id) const {
  return id == "file" || store_.definitions().Get(store::DefinitionKind::kChannel, id).ok();
}

std::string DeliveryService::ChannelConsent(std::string_view id) const {
  auto c = LoadChannel(id);
  return c.ok() ? c->consent : "";
}

// ---- open and close --------------------------------------------------------------------------

DeliveryService::DeliveryService(const EngineOptions& options, store::Store& store,
                                 const identity::ProfileStore& profiles, EventService& events,
                                 const Clock& clock)
    : options_(options),
      store_(store),
      profiles_(profiles),
      events_(events),
      clock_(clock),
      connections_(options.delivery_reuse_connections) {}

Result<std::unique_ptr<DeliveryService>> DeliveryService::Open(
    const EngineOptions& options, store::Store& store, const identity::ProfileStore& profiles,
    EventService& events, const Clock& clock) {
  std::unique_ptr<DeliveryService> d(new DeliveryService(options, store, profiles, events, clock));
  d->outbox_ = std::make_unique<delivery::Outbox>(&store.db());
  SP_ASSIGN_OR_RETURN(d->tracking_secret_, d->outbox_->TrackingSecret());
  d->retry_.max_attempts = std::max<uint32_t>(1, options.delivery_max_attempts);
  d->retry_.base_delay = options.delivery_retry_base_ms;
  d->retry_.max_delay = options.delivery_retry_max_ms;
  if (options.delivery_thread) {
    DeliveryService* raw = d.get();
    d->thread_ = std::thread([raw] { raw->Loop(); });
  }
  return d;
}

DeliveryService::~DeliveryService() {
  if (!thread_.joinable()) return;
  closing_ = true;
  {
    MutexLock lock(wake_mu_);
    stop_ = true;
  }
  wake_cv_.NotifyOne();
  thread_.join();
}

// ---- definitions -----------------------------------------------------------------------------

Result<AppliedDefinition> DeliveryService::ApplyTemplate(std::string_view text,
                                                         std::string_view note) {
  SP_ASSIGN_OR_RETURN(delivery::TemplateDef t, delivery::ParseTemplate(text));
  auto channel = LoadChannel(t.channel);
  if (!channel.ok()) return Status::InvalidArgument("channel: " + channel.status().message());
  SP_RETURN_IF_ERROR(delivery::CheckTemplateFits(t, channel->type));
  SP_ASSIGN_OR_RETURN(
      AppliedDefinition out,
      StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kTemplate, t.id, text, note));
  ++channel_generation_;  // the journeys' cached template funnels are stale
  return out;
}

std::vector<std::string> DeliveryService::TemplateFunnels(std::string_view id) const {
  auto t = LoadTemplate(id);
  if (!t.ok()) return {};
  std::vector<std::string> out;
  for (const std::string* field : {&t->subject, &t->html, &t->text, &t->body}) {
    for (std::string& f : delivery::FunnelRefs(*field)) {
      if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(std::move(f));
    }
  }
  return out;
}

Result<AppliedDefinition> DeliveryService::ApplyChannel(std::string_view text,
                                                        std::string_view note) {
  SP_ASSIGN_OR_RETURN(delivery::ChannelDef c, delivery::ParseChannel(text));
  // A channel whose type changes must still fit every template sent through it.
  SP_ASSIGN_OR_RETURN(auto templates, store_.definitions().List(store::DefinitionKind::kTemplate));
  for (const auto& record : templates) {
    auto t = delivery::ParseTemplate(record.body);
    if (!t.ok() || t->channel != c.id) continue;
    Status fits = delivery::CheckTemplateFits(*t, c.type);
    if (!fits.ok())
      return Status::InvalidArgument(fmt::format(
          "type: a {} channel cannot send template '{}' ({}); change the template first",
          delivery::ChannelTypeName(c.type), t->id, fits.message()));
  }
  SP_ASSIGN_OR_RETURN(
      AppliedDefinition out,
      StoreDefinition(store_, clock_.NowMs(), store::DefinitionKind::kChannel, c.id, text, note));
  ++channel_generation_;  // the journeys' cached consent kinds are stale
  return out;
}

// ---- outbox ----------------------------------------------------------------------------------

namespace {

OutboxMessageView OutboxViewOf(const delivery::OutboxItem& item) {
  const delivery::Message& m = item.message;
  return {.key = m.key,
          .journey = m.journey,
          .version = m.version,
          .entry = m.entry,
          .step = m.step,
          .channel = m.channel,
          .template_id = m.template_id,
          .identity = m.identity,
          .to = m.to,
          .state = item.state,
          .attempts = item.attempts,
          .enqueued_at = item.enqueued_at,
          .next_attempt_at = item.next_attempt_at,
          .updated_at = item.updated_at,
          .last_error = item.last_error,
          .permanent = item.permanent};
}

}  // namespace

Result<OutboxView> DeliveryService::Outbox(size_t limit) const {
  SP_ASSIGN_OR_RETURN(auto items, outbox_->List(limit));
  OutboxView out;
  for (const auto& item : items) out.messages.push_back(OutboxViewOf(item));
  return out;
}

Status DeliveryService::Record(const std::string& identity, std::string_view name,
                               const json& props, std::string message_id) {
  SP_ASSIGN_OR_RETURN(Event e,
                      SystemEvent(identity, name, props, std::move(message_id), clock_.NowMs()));
  std::vector<Event> events;
  events.push_back(std::move(e));
  return events_.RecordSystemEvents(std::move(events)).status();
}

// ---- tracking --------------------------------------------------------------------------------

Status DeliveryService::TrackOpen(std::string_view token) {
  SP_ASSIGN_OR_RETURN(delivery::TrackingClaims c, delivery::VerifyToken(token, tracking_secret_));
  if (c.click || c.unsubscribe) return Status::InvalidArgument("not a valid tracking token");
  SP_ASSIGN_OR_RETURN(bool erased, Erased(c.key));
  if (erased) return Status::Ok();
  json props = {{se::kPropJourney, c.journey}, {se::kPropVersion, c.version},
                {se::kPropEntry, c.entry},     {"step", c.step},
                {"channel", c.channel},        {"key", c.key}};
  // One Opened event per message: a re-fetched pixel is stored once.
  return Record(c.identity, se::kMessageOpened, props,
                fmt::format("{}{}/opened", se::kSystemMessageIdPrefix, c.key));
}

Result<std::string> DeliveryService::TrackClick(std::string_view token) {
  SP_ASSIGN_OR_RETURN(delivery::TrackingClaims c, delivery::VerifyToken(token, tracking_secret_));
  if (!c.click) return Status::InvalidArgument("not a valid tracking token");
  SP_ASSIGN_OR_RETURN(bool erased, Erased(c.key));
  if (erased) return c.url;
  json props = {{se::kPropJourney, c.journey},
                {se::kPropVersion, c.version},
                {se::kPropEntry, c.entry},
                {"step", c.step},
                {"channel", c.channel},
                {"key", c.key},
                {"url", c.url}};
  // One Clicked event per (message, link): a second click on the same link is stored once.
  SP_RETURN_IF_ERROR(Record(c.identity, se::kMessageClicked, props,
                            fmt::format("{}{}/clicked/{}", se::kSystemMessageIdPrefix, c.key,
                                        delivery::Hex(delivery::Sha256(c.url)).substr(0, 16))));
  return c.url;
}

Result<Unsubscribe> DeliveryService::Unsubscribe(std::string_view token, bool record) {
  const Status invalid = Status::InvalidArgument("not a valid unsubscribe token");
  auto verified = delivery::VerifyToken(token, tracking_secret_);
  if (!verified.ok() || !verified->unsubscribe) return invalid;
  const delivery::TrackingClaims& c = *verified;
  if (c.consent != "email" && c.consent != "sms" && c.consent != "push") return invalid;
  engine::Unsubscribe out{c.journey, c.step, c.channel, c.consent, false};
  if (!record) return out;
  SP_ASSIGN_OR_RETURN(bool erased, Erased(c.key));
  if (erased) return out;  // an old email cannot bring an erased person back
  std::vector<identity::TraitChange> history = HistoryOf(profiles_, c.identity);
  const auto current = identity::CurrentTraits(history);
  auto it = current.find("consent." + c.consent);
  if (it != current.end() && it->second == "false") return out;  // withdrawn already
  const TimeMs now = clock_.NowMs();
  SP_ASSIGN_OR_RETURN(Event e, SystemEvent(c.identity, "", json::object(),
                                           fmt::format("{}{}/unsubscribed/{}",
                                                       se::kSystemMessageIdPrefix, c.key, now),
                                           now));
  e.type = EventType::kIdentify;
  e.properties = "{}";
  e.traits = json{{"consent", {{c.consent, false}}}}.dump();
  std::vector<Event> events;
  events.push_back(std::move(e));
  SP_RETURN_IF_ERROR(events_.RecordSystemEvents(std::move(events)).status());
  out.changed = true;
  return out;
}

// ---- privacy: one person ---------------------------------------------------------------------

Result<std::vector<delivery::OutboxItem>> DeliveryService::ItemsOf(
    std::span<const Person> people) const {
  std::unordered_set<uint64_t> profiles;
  std::unordered_set<std::string_view> identities;
  for (const Person& person : people) {
    profiles.insert(person.profile.value());
    identities.insert(person.identities.begin(), person.identities.end());
  }
  return outbox_->Select([&](const delivery::OutboxItem& item) {
    return profiles.count(item.message.profile) != 0 ||
           identities.count(item.message.identity) != 0;
  });
}

Result<bool> DeliveryService::Erased(const std::string& key) const {
  SP_ASSIGN_OR_RETURN(auto item, outbox_->Get(key));
  return !item.has_value();
}

Result<std::vector<OutboxMessageView>> DeliveryService::ExportPerson(const Person& person) const {
  SP_ASSIGN_OR_RETURN(auto items, ItemsOf(std::span<const Person>(&person, 1)));
  std::vector<OutboxMessageView> out;
  for (const auto& item : items) out.push_back(OutboxViewOf(item));
  return out;
}

Result<PersonForgotten> DeliveryService::ForgetPerson(const Person& person) {
  return ForgetPeople(std::span<const Person>(&person, 1));
}

Result<PersonForgotten> DeliveryService::ForgetPeople(std::span<const Person> people) {
  MutexLock lock(send_mu_);  // no send of theirs in flight; the next pass no longer finds them
  SP_ASSIGN_OR_RETURN(auto items, ItemsOf(people));
  PersonForgotten out;
  if (items.empty()) return out;
  store::Batch batch = store_.db().NewBatch();
  for (const auto& item : items) {
    if (item.state == delivery::OutboxState::kPending) ++out.outbox_cancelled;
    outbox_->Remove(batch, item);
    ++out.outbox_deleted;
  }
  SP_RETURN_IF_ERROR(store_.db().Write(batch));
  return out;
}

}  // namespace signpost::engine
