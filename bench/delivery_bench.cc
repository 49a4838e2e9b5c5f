// delivery_bench: messages per second through the whole delivery path (outbox pass, consent read,
// rendering, MIME, the provider call, the `Message Delivered` events and the outbox states, all
// durable) of a real Engine on a fresh data folder, against local sinks on loopback: the SMTP sink
// and the cpp-httplib webhook sink of src/delivery/test_support.h (the SMTP one accepts any number
// of messages per connection and connections at once; both only count here). For each channel
// (smtp, webhook) and each provider latency (0 ms, and --latency-ms, what a remote provider takes
// to answer one message), four modes: a new connection per message with one worker (how delivery
// worked before), the same with N workers, connections kept per channel with one worker, and with
// N workers. Every message must arrive exactly once (the sink's count), else the run fails.
// Prints a human-readable line per result on stderr and one JSON line per result on stdout:
//   {"part":"delivery","channel","latency_ms","mode","workers","reuse","messages","seconds",
//    "messages_per_s","connections"}   (connections: SMTP connections the sink accepted)
// Usage: delivery_bench [--messages 4000] [--workers 4] [--latency-ms 5]
#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "delivery/test_support.h"
#include "engine/engine_impl.h"
#include "signpost/engine.h"

namespace {

using nlohmann::json;
using signpost::Engine;
using signpost::EngineOptions;
using signpost::Event;
using signpost::EventType;
using signpost::Status;

struct Mode {
  std::string name;
  bool reuse;
  uint32_t workers;
};

struct Result {
  double seconds = 0;
  uint64_t delivered = 0;
  int connections = 0;
};

// Applies the channel and template, gives `messages` people consent, enqueues one message for
// each, then times DeliverDue until the sink counted them all.
Status Run(const std::string& channel, int latency_ms, const Mode& mode, size_t messages,
           Result& out) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() /
                       fmt::format("delivery-bench-{}-{}-{}", getpid(), channel, mode.name);
  fs::remove_all(dir);
  signpost::delivery::testing::SmtpSink smtp(/*keep_mails=*/false);
  signpost::delivery::testing::WebhookSink hook(/*keep_hooks=*/false);
  smtp.set_reply_delay_ms(latency_ms);
  hook.set_delay_ms(latency_ms);
  hook.set_requests_per_connection(1'000'000);
  {
    EngineOptions options;
    options.data_dir = dir.string();
    options.delivery_workers = mode.workers;
    options.delivery_reuse_connections = mode.reuse;
    SP_ASSIGN_OR_RETURN(auto engine, Engine::Open(options));
    const std::string defs =
        channel == "smtp"
            ? fmt::format(
                  "kind: channel\nid: email\ntype: smtp\nurl: smtp://127.0.0.1:{}\nfrom: "
                  "\"Shop <shop@example.test>\"\n---\nkind: template\nid: news\nchannel: "
                  "email\nsubject: \"Hello {{{{traits.name}}}}, news for you\"\ntext: "
                  "\"Hi {{{{traits.name}}}}, here is what is new.\"\nhtml: \"<p>Hi "
                  "{{{{traits.name}}}}, <a href=\\\"https://shop.test/new\\\">see what is "
                  "new</a></p>\"\n",
                  smtp.port())
            : fmt::format(
                  "kind: channel\nid: sms\ntype: webhook\nurl: {}\nsecret: s3cr3t\n---\n"
                  "kind: template\nid: news\nchannel: sms\nbody: \"Hi "
                  "{{{{traits.name}}}}, news for you\"\n",
                  hook.url());
    for (size_t at = 0; at != std::string::npos;) {
      size_t end = defs.find("---\n", at);
      std::string doc = defs.substr(at, end == std::string::npos ? end : end - at);
      SP_RETURN_IF_ERROR(engine->Apply(doc, "bench").status());
      at = end == std::string::npos ? end : end + 4;
    }
    const std::string kind = channel == "smtp" ? "email" : "sms";
    std::vector<Event> people;
    for (size_t i = 0; i < messages; ++i) {
      Event e;
      e.type = EventType::kIdentify;
      e.user_id = fmt::format("p{}", i);
      e.message_id = fmt::format("identify-{}", i);
      e.timestamp = e.received_at = 1'700'000'000'000;
      e.traits = json{{"name", fmt::format("Person {}", i)}, {"consent", {{kind, true}}}}.dump();
      people.push_back(std::move(e));
    }
    SP_RETURN_IF_ERROR(engine->IngestEvents(std::move(people)).status());
    Engine::Impl& impl = signpost::ImplOf(*engine);
    signpost::store::Batch batch = impl.store().db().NewBatch();
    for (size_t i = 0; i < messages; ++i) {
      signpost::delivery::Message m;
      m.journey = signpost::JourneyId("news");
      m.version = 1;
      m.profile = i + 1;
      m.entry = 1;
      m.step = "send";
      m.key = fmt::format("news/1/{}/1/send", i + 1);
      m.channel = channel == "smtp" ? "email" : "sms";
      m.template_id = "news";
      m.identity = fmt::format("user:p{}", i);
      m.to = channel == "smtp" ? fmt::format("p{}@x.test", i) : fmt::format("+1555{:07}", i);
      impl.delivery->Enqueue(batch, m);
    }
    SP_RETURN_IF_ERROR(impl.store().db().Write(batch));
    const auto start = std::chrono::steady_clock::now();
    for (int pass = 0; pass < 100; ++pass) {
      SP_RETURN_IF_ERROR(engine->DeliverDue());
      const uint64_t got = channel == "smtp" ? smtp.count() : hook.count();
      if (got >= messages) break;
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  out.delivered = channel == "smtp" ? smtp.count() : hook.count();
  out.connections = smtp.connections();
  fs::remove_all(dir);
  if (out.delivered != messages)
    return Status::Internal(fmt::format("{} {}: the sink counted {} messages, expected {}", channel,
                                        mode.name, out.delivered, messages));
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"delivery_bench: messages/s through the outbox to local SMTP and webhook sinks"};
  size_t messages = 4000;
  uint32_t workers = 4;
  int latency_ms = 5;
  app.add_option("--messages", messages, "Messages per run")->capture_default_str();
  app.add_option("--workers", workers, "Workers of the parallel modes")->capture_default_str();
  app.add_option("--latency-ms", latency_ms,
                 "A provider's answer time for the second round (0 = skip it)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);  // stdout is for the JSON lines
  const std::vector<Mode> modes = {{"new-connection", false, 1},
                                   {"new-connection", false, workers},
                                   {"reuse", true, 1},
                                   {"reuse", true, workers}};
  std::vector<int> latencies = {0};
  if (latency_ms > 0) latencies.push_back(latency_ms);
  int status = 0;
  for (int latency : latencies) {
    for (const std::string channel : {"smtp", "webhook"}) {
      for (const Mode& mode : modes) {
        Result r;
        Status s = Run(channel, latency, mode, messages, r);
        if (!s.ok()) {
          std::cerr << "delivery_bench: " << s.ToString() << "\n";
          status = 1;
          continue;
        }
        const double rate = static_cast<double>(r.delivered) / r.seconds;
        std::cerr << fmt::format(
            "{:8} latency {:2} ms  {:15} workers {}  {:>9.0f} messages/s  ({} in {:.2f} s, {} "
            "SMTP connections)\n",
            channel, latency, mode.name, mode.workers, rate, r.delivered, r.seconds, r.connections);
        std::cout << json{{"part", "delivery"},      {"channel", channel},
                          {"latency_ms", latency},   {"mode", mode.name},
                          {"workers", mode.workers}, {"reuse", mode.reuse},
                          {"messages", r.delivered}, {"seconds", r.seconds},
                          {"messages_per_s", rate},  {"connections", r.connections}}
                         .dump()
                  << std::endl;
      }
    }
  }
  return status;
}
