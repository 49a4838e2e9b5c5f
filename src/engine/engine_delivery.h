// The delivery area's state inside Engine::Impl, and the calls the journey runtime makes into it
// (see engine_delivery.cc and src/delivery/README.md).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "delivery/definitions.h"
#include "delivery/message.h"
#include "delivery/outbox.h"
#include "delivery/retry.h"
#include "engine/engine_impl.h"
#include "store/db.h"

namespace signpost {

struct DeliveryPart {
  std::unique_ptr<delivery::Outbox> outbox;
  std::string tracking_secret;  // 32 bytes, per data folder
  delivery::RetryPolicy retry;

  // One sender at a time (the delivery thread or DeliverDue); also guards rng.
  std::mutex send_mu;
  std::mt19937_64 rng{std::random_device{}()};

  // The delivery thread: sleeps until woken (NotifyDelivery), the next item is due, or stop.
  std::mutex wake_mu;
  std::condition_variable wake_cv;
  bool woken = false;
  bool stop = false;
  std::atomic<bool> closing{false};  // set at close: a pass stops between messages
  std::thread thread;
};

// Adds `msg` to the outbox inside `batch` (the runtime writes its own state in the same atomic
// batch). Idempotent: a key already in the outbox or already sent is not sent again. Thread-safe.
void EnqueueMessage(Engine::Impl& m, store::Batch& batch, const delivery::Message& msg);
// Wakes the delivery thread after such a batch was written.
void NotifyDelivery(Engine::Impl& m);
// For validation at apply time: the channel of template `id` (from its `kind: template`
// definition); kNotFound naming the template and how to create it.
Result<std::string> TemplateChannel(const Engine::Impl& m, std::string_view id);
// The channel definition `id` (the built-in `file` channel when none is applied under that id);
// kNotFound naming it and how to create it.
Result<delivery::ChannelDef> LoadChannel(const Engine::Impl& m, std::string_view id);
// Whether channel `id` is configured (a `kind: channel` definition, or the built-in `file`).
bool ChannelConfigured(const Engine::Impl& m, std::string_view id);
// The consent trait a send through channel `id` needs ("email", "sms", "push" or "" for none): its
// definition's `consent`, with the defaults of src/delivery/README.md. "" for an unknown channel.
std::string ChannelConsent(const Engine::Impl& m, std::string_view id);

// The Impl of `engine`, for tests (here and in src/api) that play the runtime's part through
// EnqueueMessage. The reference lives as long as the engine.
Engine::Impl& ImplOf(Engine& engine);

}  // namespace signpost
