// Engine: delivery. The durable outbox, the delivery thread, the channel and template definitions,
// and open and click tracking. The rules (states, retries, tokens, rendering) are in src/delivery;
// this file wires them to the store, the profiles (consent) and the commit queue (system events).
#include "engine/engine_delivery.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "base/system_events.h"
#include "delivery/channels.h"
#include "delivery/definitions.h"
#include "delivery/render.h"
#include "delivery/signing.h"
#include "delivery/tracking.h"
#include "identity/traits.h"

namespace signpost {

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

Result<delivery::TemplateDef> LoadTemplate(const Engine::Impl& m, std::string_view id) {
  auto record = m.store().definitions().Get(store::DefinitionKind::kTemplate, id);
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

Status Record(Engine::Impl& m, const std::string& identity, std::string_view name,
              const json& props, std::string message_id) {
  SP_ASSIGN_OR_RETURN(Event e,
                      SystemEvent(identity, name, props, std::move(message_id), m.clock->NowMs()));
  std::vector<Event> events;
  events.push_back(std::move(e));
  return m.RecordSystemEvents(std::move(events)).status();
}

// The trait history of the profile of `identity`, sorted (empty when unknown or unreadable).
std::vector<identity::TraitChange> HistoryOf(const Engine::Impl& m, const std::string& identity) {
  auto canonical = m.profiles->Resolve(identity);
  if (!canonical.ok()) return {};
  auto history = m.profiles->TraitHistory(m.profiles->ProfileOf(*canonical));
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

// Channel and template definitions read once per group.
class DefinitionCache {
 public:
  explicit DefinitionCache(const Engine::Impl& m) : m_(m) {}
  const Result<delivery::ChannelDef>& Channel(const std::string& id) {
    auto it = channels_.find(id);
    if (it == channels_.end()) it = channels_.emplace(id, LoadChannel(m_, id)).first;
    return it->second;
  }
  const Result<delivery::TemplateDef>& Template(const std::string& id) {
    auto it = templates_.find(id);
    if (it == templates_.end()) it = templates_.emplace(id, LoadTemplate(m_, id)).first;
    return it->second;
  }

 private:
  const Engine::Impl& m_;
  std::map<std::string, Result<delivery::ChannelDef>> channels_;
  std::map<std::string, Result<delivery::TemplateDef>> templates_;
};

// One item of a group: what was sent and how the provider answered.
struct Attempt {
  delivery::OutboxItem item;
  TimeMs previous_due = 0;
  delivery::SendOutcome outcome;
};

// Lines for the file channels, one text per file, and the attempts waiting on each.
struct FileAppends {
  std::map<std::string, std::pair<std::string, std::vector<size_t>>> by_path;
};

// Calls the provider for attempt `index` of `group`, or, for a file channel, adds its line to
// `files` (its outcome is set when the file is written).
void Send(const Engine::Impl& m, DefinitionCache& defs, std::vector<Attempt>& group, size_t index,
          FileAppends& files) {
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
  std::vector<identity::TraitChange> history = HistoryOf(m, msg.identity);
  if (!channel->consent.empty() && !HasConsent(history, channel->consent)) {
    a.outcome = {SendStatus::kPermanent, "no consent"};
    return;
  }
  delivery::TrackingSetup tracking{m.options.public_url, m.delivery->tracking_secret,
                                   channel->link_hosts};
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
  const TimeMs now = m.clock->NowMs();
  switch (channel->type) {
    case delivery::ChannelType::kSmtp:
      a.outcome = delivery::SendSmtp(*channel, *to_render, *rendered, now);
      return;
    case delivery::ChannelType::kWebhook:
      a.outcome = delivery::SendWebhook(*channel, *to_render, *rendered);
      return;
    case delivery::ChannelType::kFile: {
      auto& [text, waiting] = files.by_path[delivery::FilePath(*channel, m.options.data_dir)];
      text += delivery::FileLine(*to_render, *rendered, now);
      waiting.push_back(index);
      return;
    }
  }
  a.outcome = {SendStatus::kPermanent, "unknown channel type"};
}

// Settles the attempts of `group` (see kGroup). Caller holds send_mu.
Status SettleGroup(Engine::Impl& m, std::vector<Attempt>& group) {
  DeliveryPart& d = *m.delivery;
  std::vector<Event> events;
  store::Batch batch = m.store().db().NewBatch();
  const TimeMs now = m.clock->NowMs();
  for (Attempt& a : group) {
    delivery::OutboxItem& item = a.item;
    const delivery::Message& msg = item.message;
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
               item.attempts < d.retry.max_attempts) {
      item.next_attempt_at = now + d.retry.Delay(item.attempts, d.rng);
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
    d.outbox->Update(batch, item, a.previous_due);
  }
  SP_RETURN_IF_ERROR(m.RecordSystemEvents(std::move(events)).status());
  return m.store().db().Write(batch);
}

// Attempts every item due now once. Returns the first error (the other groups are still tried).
Status DeliverPass(Engine::Impl& m) {
  DeliveryPart& d = *m.delivery;
  std::lock_guard lock(d.send_mu);
  SP_ASSIGN_OR_RETURN(auto entries, d.outbox->Due(m.clock->NowMs(), kPassLimit));
  Status first = Status::Ok();
  auto keep = [&first](Status s) {
    if (!s.ok() && first.ok()) first = std::move(s);
  };
  DefinitionCache defs(m);
  for (size_t begin = 0; begin < entries.size() && !d.closing; begin += kGroup) {
    const size_t end = std::min(entries.size(), begin + kGroup);
    std::vector<Attempt> group;
    group.reserve(end - begin);
    FileAppends files;
    for (size_t i = begin; i < end && !d.closing; ++i) {
      auto found = d.outbox->Get(entries[i].key);
      if (!found.ok()) {
        keep(found.status());
        continue;
      }
      if (!*found || (*found)->state != delivery::OutboxState::kPending) {
        keep(d.outbox->DropDue(entries[i]));
        continue;
      }
      group.push_back({std::move(**found), entries[i].due, {}});
      Send(m, defs, group, group.size() - 1, files);
    }
    for (auto& [path, lines] : files.by_path) {
      delivery::SendOutcome outcome = delivery::AppendLines(path, lines.first);
      for (size_t index : lines.second) group[index].outcome = outcome;
    }
    keep(SettleGroup(m, group));
  }
  return first;
}

void DeliveryLoop(Engine::Impl& m) {
  DeliveryPart& d = *m.delivery;
  while (true) {
    DurationMs wait = kMaxIdleMs;
    auto next = d.outbox->NextDue();
    if (next.ok() && next->has_value())
      wait = std::clamp<DurationMs>(**next - m.clock->NowMs(), 0, kMaxIdleMs);
    {
      std::unique_lock lock(d.wake_mu);
      d.wake_cv.wait_for(lock, std::chrono::milliseconds(wait), [&] { return d.woken || d.stop; });
      if (d.stop) return;
      d.woken = false;
    }
    Status s = DeliverPass(m);
    if (!s.ok()) {
      spdlog::error("delivery: {}", s.ToString());
      std::unique_lock lock(d.wake_mu);
      d.wake_cv.wait_for(lock, std::chrono::milliseconds(kMaxIdleMs), [&] { return d.stop; });
      if (d.stop) return;
    }
  }
}

}  // namespace

Result<delivery::ChannelDef> LoadChannel(const Engine::Impl& m, std::string_view id) {
  auto record = m.store().definitions().Get(store::DefinitionKind::kChannel, id);
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

void EnqueueMessage(Engine::Impl& m, store::Batch& batch, const delivery::Message& msg) {
  if (msg.holdout) {  // holdout members receive nothing (the runtime should not hand these over)
    spdlog::error("delivery: {} belongs to a holdout member; not sent", msg.key);
    return;
  }
  auto added = m.delivery->outbox->Enqueue(batch, msg, m.clock->NowMs());
  if (!added.ok())
    spdlog::error("delivery: cannot enqueue {}: {}", msg.key, added.status().ToString());
}

void NotifyDelivery(Engine::Impl& m) {
  DeliveryPart& d = *m.delivery;
  {
    std::lock_guard lock(d.wake_mu);
    d.woken = true;
  }
  d.wake_cv.notify_one();
}

Result<std::string> TemplateChannel(const Engine::Impl& m, std::string_view id) {
  SP_ASSIGN_OR_RETURN(delivery::TemplateDef t, LoadTemplate(m, id));
  return t.channel;
}

bool ChannelConfigured(const Engine::Impl& m, std::string_view id) {
  return id == "file" || m.store().definitions().Get(store::DefinitionKind::kChannel, id).ok();
}

std::string ChannelConsent(const Engine::Impl& m, std::string_view id) {
  auto c = LoadChannel(m, id);
  return c.ok() ? c->consent : "";
}

// engine.h keeps Engine::impl_ private and has no test hook; an explicit instantiation may name a
// private member, which gives ImplOf its pointer-to-member without changing the public header.
using ImplMember = std::unique_ptr<Engine::Impl> Engine::*;
ImplMember EngineImplMember();
template <ImplMember P>
struct ExposeImpl {
  friend ImplMember EngineImplMember() { return P; }
};
template struct ExposeImpl<&Engine::impl_>;

Engine::Impl& ImplOf(Engine& engine) { return *(engine.*EngineImplMember()); }

// ---- open and close --------------------------------------------------------------------------

Status Engine::Impl::OpenDelivery() {
  delivery = std::make_unique<DeliveryPart>();
  delivery->outbox = std::make_unique<delivery::Outbox>(&store().db());
  SP_ASSIGN_OR_RETURN(delivery->tracking_secret, delivery->outbox->TrackingSecret());
  delivery->retry.max_attempts = std::max<uint32_t>(1, options.delivery_max_attempts);
  delivery->retry.base_delay = options.delivery_retry_base_ms;
  delivery->retry.max_delay = options.delivery_retry_max_ms;
  if (options.delivery_thread) delivery->thread = std::thread([this] { DeliveryLoop(*this); });
  return Status::Ok();
}

void Engine::Impl::CloseDelivery() {
  if (!delivery || !delivery->thread.joinable()) return;
  delivery->closing = true;
  {
    std::lock_guard lock(delivery->wake_mu);
    delivery->stop = true;
  }
  delivery->wake_cv.notify_one();
  delivery->thread.join();
}

// ---- definitions -----------------------------------------------------------------------------

Result<json> Engine::Impl::ApplyTemplate(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(delivery::TemplateDef t, delivery::ParseTemplate(text));
  auto channel = LoadChannel(*this, t.channel);
  if (!channel.ok()) return Status::InvalidArgument("channel: " + channel.status().message());
  SP_RETURN_IF_ERROR(delivery::CheckTemplateFits(t, channel->type));
  return StoreDefinition(store::DefinitionKind::kTemplate, t.id, text, note);
}

Result<json> Engine::Impl::ApplyChannel(std::string_view text, std::string_view note) {
  SP_ASSIGN_OR_RETURN(delivery::ChannelDef c, delivery::ParseChannel(text));
  // A channel whose type changes must still fit every template sent through it.
  SP_ASSIGN_OR_RETURN(auto templates, store().definitions().List(store::DefinitionKind::kTemplate));
  for (const auto& record : templates) {
    auto t = delivery::ParseTemplate(record.body);
    if (!t.ok() || t->channel != c.id) continue;
    Status fits = delivery::CheckTemplateFits(*t, c.type);
    if (!fits.ok())
      return Status::InvalidArgument(fmt::format(
          "type: a {} channel cannot send template '{}' ({}); change the template first",
          delivery::ChannelTypeName(c.type), t->id, fits.message()));
  }
  SP_ASSIGN_OR_RETURN(json out, StoreDefinition(store::DefinitionKind::kChannel, c.id, text, note));
  ++channel_generation;  // the journeys' cached consent kinds are stale
  return out;
}

// ---- outbox ----------------------------------------------------------------------------------

Result<json> Engine::Outbox(size_t limit) const {
  SP_ASSIGN_OR_RETURN(auto items, impl_->delivery->outbox->List(limit));
  json out = json::array();
  for (const auto& item : items) out.push_back(item.ToJson());
  return json{{"messages", out}};
}

Status Engine::DeliverDue() { return DeliverPass(*impl_); }

// ---- tracking --------------------------------------------------------------------------------

Status Engine::TrackOpen(std::string_view token) {
  Impl& m = *impl_;
  SP_ASSIGN_OR_RETURN(delivery::TrackingClaims c,
                      delivery::VerifyToken(token, m.delivery->tracking_secret));
  if (c.click) return Status::InvalidArgument("not a valid tracking token");
  json props = {{se::kPropJourney, c.journey}, {se::kPropVersion, c.version},
                {se::kPropEntry, c.entry},     {"step", c.step},
                {"channel", c.channel},        {"key", c.key}};
  // One Opened event per message: a re-fetched pixel is stored once.
  return Record(m, c.identity, se::kMessageOpened, props,
                fmt::format("{}{}/opened", se::kSystemMessageIdPrefix, c.key));
}

Result<std::string> Engine::TrackClick(std::string_view token) {
  Impl& m = *impl_;
  SP_ASSIGN_OR_RETURN(delivery::TrackingClaims c,
                      delivery::VerifyToken(token, m.delivery->tracking_secret));
  if (!c.click) return Status::InvalidArgument("not a valid tracking token");
  json props = {{se::kPropJourney, c.journey},
                {se::kPropVersion, c.version},
                {se::kPropEntry, c.entry},
                {"step", c.step},
                {"channel", c.channel},
                {"key", c.key},
                {"url", c.url}};
  // One Clicked event per (message, link): a second click on the same link is stored once.
  SP_RETURN_IF_ERROR(Record(m, c.identity, se::kMessageClicked, props,
                            fmt::format("{}{}/clicked/{}", se::kSystemMessageIdPrefix, c.key,
                                        delivery::Hex(delivery::Sha256(c.url)).substr(0, 16))));
  return c.url;
}

}  // namespace signpost
