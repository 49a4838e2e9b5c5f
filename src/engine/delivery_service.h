// DeliveryService: the durable outbox and the delivery thread that sends it, the channel and
// template definitions, and open and click tracking (see src/delivery/README.md for the rules:
// states, retries, tokens, rendering). The journey service hands it messages inside its own atomic
// write (Enqueue) and wakes it (Notify); outcomes (`Message Delivered` / `Message Failed`) and
// opens and clicks are recorded through the EventService.
//
// Thread-safety: every public method may be called from any thread. One pass at a time (the
// delivery thread or DeliverDue) holds send_mu_; inside it up to options.delivery_workers threads
// send at once, each its own share of a group of due items (a profile's items all go to one
// worker, in due order), so no item is sent twice. The pooled connections (delivery::Connections)
// and the rate-limit buckets (rate_mu_) are shared by the workers; the definitions are read from
// the store.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "base/mutex.h"
#include "delivery/connections.h"
#include "delivery/definitions.h"
#include "delivery/delivery_counters.h"
#include "delivery/message.h"
#include "delivery/outbox.h"
#include "delivery/rate_limit.h"
#include "delivery/retry.h"
#include "engine/event_service.h"
#include "engine/person.h"
#include "identity/profile_store.h"
#include "signpost/clock.h"
#include "signpost/options.h"
#include "store/db.h"
#include "store/store.h"

namespace signpost::engine {

// What a one-click unsubscribe token names, and whether recording it changed the profile.
struct Unsubscribe {
  std::string journey, step, channel;
  std::string consent;   // the consent trait withdrawn: "email", "sms" or "push"
  bool changed = false;  // false when it was withdrawn already (or the person was erased)
};

class DeliveryService {
 public:
  // Opens the outbox and, with options.delivery_thread, starts the delivery thread. Every
  // reference outlives the service.
  static Result<std::unique_ptr<DeliveryService>> Open(const EngineOptions& options,
                                                       store::Store& store,
                                                       const identity::ProfileStore& profiles,
                                                       EventService& events, const Clock& clock);
  // Stops the delivery thread between two messages.
  ~DeliveryService();

  // ---- the journey service's calls --------------------------------------------------------
  // Adds `msg` to the outbox inside `batch` (the runtime writes its own state in the same atomic
  // batch). Idempotent: a key already in the outbox or already sent is not sent again.
  void Enqueue(store::Batch& batch, const delivery::Message& msg);
  // Wakes the delivery thread after such a batch was written.
  void Notify() EXCLUDES(wake_mu_);

  // ---- definitions ---------------------------------------------------------------------------
  // The channel of template `id` (from its `kind: template` definition); kNotFound naming the
  // template and how to create it.
  Result<std::string> TemplateChannel(std::string_view id) const;
  // The channel definition `id` (the built-in `file` channel when none is applied under that id);
  // kNotFound naming it and how to create it.
  Result<delivery::ChannelDef> LoadChannel(std::string_view id) const;
  // Whether channel `id` is configured (a `kind: channel` definition, or the built-in `file`).
  bool ChannelConfigured(std::string_view id) const;
  // The consent trait a send through channel `id` needs ("email", "sms", "push" or "" for none):
  // its definition's `consent`, with the defaults of src/delivery/README.md. "" when unknown.
  std::string ChannelConsent(std::string_view id) const;
  // The funnel ids template `id`'s placeholders name (`{{funnel.<id>.<field>}}`, any field of
  // it); none when it names none or is not defined.
  std::vector<std::string> TemplateFunnels(std::string_view id) const;
  // Bumped by every channel and template apply: readers cache what they derive from channel and
  // template definitions.
  uint64_t channel_generation() const { return channel_generation_.load(); }
  // A channel definition was deleted: readers drop what they cached.
  void ChannelsChanged() { ++channel_generation_; }
  // Validates and stores a `kind: template` (it must fit its channel) / `kind: channel` (every
  // template sent through it must still fit); returns {"kind","id","version","note"}.
  Result<AppliedDefinition> ApplyTemplate(std::string_view text, std::string_view note);
  Result<AppliedDefinition> ApplyChannel(std::string_view text, std::string_view note);

  // ---- the outbox and tracking ---------------------------------------------------------------
  // Messages waiting in the outbox (and recent outcomes), newest first.
  Result<OutboxView> Outbox(size_t limit) const;
  // Attempts every item due at the clock's now once; returns the first error (the other groups
  // are still tried).
  Status DeliverDue() EXCLUDES(send_mu_);
  // An open-pixel hit: verifies the signed token and records `Message Opened`.
  Status TrackOpen(std::string_view token);
  // A click on a rewritten link: verifies the token, records `Message Clicked`, returns the URL.
  Result<std::string> TrackClick(std::string_view token);
  // One-click unsubscribe (RFC 8058): verifies the token (kInvalidArgument "not a valid
  // unsubscribe token", nothing recorded, when it is not one). With `record`, withdraws the consent
  // it names: an identify of the message's identity with traits {"consent": {<kind>: false}} at
  // the clock's now, through the commit queue (durable on return), unless the profile's current
  // value is false already or the message was erased (then nothing is written: idempotent).
  // Without `record` it only verifies (the confirmation page a GET shows).
  Result<engine::Unsubscribe> Unsubscribe(std::string_view token, bool record);

  // ---- privacy: one person -------------------------------------------------------------------
  // The outbox items of `person` (their profile id or one of their identities), oldest key first:
  // one pass over the outbox. Opens and clicks are events (Message Opened / Clicked), not records.
  Result<std::vector<OutboxMessageView>> ExportPerson(const Person& person) const;
  // Forgets `person` (an erasure): with no send in flight (send_mu_), their pending items are
  // cancelled (never sent) and every item of theirs — pending, sent or failed — is deleted with
  // its pending index entry, in one write. Fills outbox_cancelled and outbox_deleted; idempotent.
  // Call it after the journey service's ForgetPerson (which stops the runtime enqueueing more).
  Result<PersonForgotten> ForgetPerson(const Person& person) EXCLUDES(send_mu_);
  // The same for several people (a regulation's chunk): one pass over the outbox for them all.
  Result<PersonForgotten> ForgetPeople(std::span<const Person> people) EXCLUDES(send_mu_);

  // Sent, failed and retried attempts per channel since start (/metrics).
  const delivery::DeliveryCounters& counters() const { return counters_; }

 private:
  struct Attempt;
  struct FileAppends;
  class DefinitionCache;
  DeliveryService(const EngineOptions& options, store::Store& store,
                  const identity::ProfileStore& profiles, EventService& events, const Clock& clock);
  Result<delivery::TemplateDef> LoadTemplate(std::string_view id) const;
  // Calls the provider for attempt `index` of `group`, or, for a file channel, adds its line to
  // `files` (its outcome is set when the file is written); a channel out of rate-limit tokens
  // defers it instead. Runs on the workers of a pass (`defs` is read only: SendGroup loads it).
  void Send(DefinitionCache& defs, std::vector<Attempt>& group, size_t index,
            FileAppends& files) const;
  // Sends every attempt of `group` on up to options_.delivery_workers threads, then appends the
  // file channels' lines.
  void SendGroup(DefinitionCache& defs, std::vector<Attempt>& group) REQUIRES(send_mu_);
  // Whether channel `c` has a rate-limit token at the clock's now; else false with `*retry_at`.
  bool TakeToken(const delivery::ChannelDef& c, TimeMs* retry_at) const EXCLUDES(rate_mu_);
  // Records the outcomes of `group`, then writes every item's new state in one write.
  Status SettleGroup(std::vector<Attempt>& group) REQUIRES(send_mu_);
  // Whether the message of `key` was erased: a tracked message always has its outbox item (the
  // record stays after sending), so none means ForgetPerson removed it. An open or click of it
  // then records nothing (the click still redirects), so an old email cannot bring the person back.
  Result<bool> Erased(const std::string& key) const;
  // The outbox items of `people` (one pass over the outbox).
  Result<std::vector<delivery::OutboxItem>> ItemsOf(std::span<const Person> people) const;
  Status Record(const std::string& identity, std::string_view name, const nlohmann::json& props,
                std::string message_id);
  void Loop() EXCLUDES(wake_mu_, send_mu_);

  const EngineOptions options_;
  store::Store& store_;
  const identity::ProfileStore& profiles_;
  EventService& events_;
  const Clock& clock_;
  std::unique_ptr<delivery::Outbox> outbox_;
  std::string tracking_secret_;  // 32 bytes, per data folder; set at Open
  delivery::RetryPolicy retry_;
  std::atomic<uint64_t> channel_generation_{0};
  delivery::DeliveryCounters counters_;

  // Provider connections kept open between messages, per channel (thread-safe).
  mutable delivery::Connections connections_;
  // The channels' rate-limit buckets, by channel id (rebuilt when the limit changes).
  mutable Mutex rate_mu_;
  mutable std::map<std::string, delivery::TokenBucket> buckets_ GUARDED_BY(rate_mu_);

  Mutex send_mu_;  // one pass at a time (the delivery thread or DeliverDue)
  std::mt19937_64 rng_ GUARDED_BY(send_mu_) = std::mt19937_64(std::random_device{}());

  // The delivery thread sleeps until woken (Notify), the next item is due, or stop.
  Mutex wake_mu_;
  CondVar wake_cv_;
  bool woken_ GUARDED_BY(wake_mu_) = false;
  bool stop_ GUARDED_BY(wake_mu_) = false;
  std::atomic<bool> closing_{false};  // set at close: a pass stops between messages
  std::thread thread_;
};

}  // namespace signpost::engine
