// Options for the Engine: plain struct, every field's default in its comment.
#pragma once

#include <cstddef>
#include <string>

#include "signpost/clock.h"

namespace signpost {

struct EngineOptions {
  // The data folder (created when missing). Required.
  std::string data_dir;
  // The clock every rule reads. nullptr (default): the wall clock. Not owned; must outlive the
  // Engine.
  const Clock* clock = nullptr;
  // fsync the write-ahead log before an ingest call returns. Default true: an acknowledged event
  // survives a power cut, not just a process kill.
  bool sync = true;
  // Load the analytics index at Open. Default true; commands that never query turn it off.
  bool load_index = true;
  // Threads a funnel query may use. Default 2.
  int query_threads = 2;
  // Ingest limits (docs/CONTRACT.md §1). Defaults: 32 KiB per event, 500 KiB per batch,
  // 2,500 events.
  size_t max_event_bytes = 32 * 1024;
  size_t max_batch_bytes = 500 * 1024;
  size_t max_batch_events = 2500;
  // An ingested event whose time is more than this ahead of when it was received is refused (a
  // rejection naming the time field, dead-lettered): a device clock years ahead, year 9999.
  // Default one day (time zones and drifting clocks stay fine); `serve`/`import --max-future-skew`.
  // Times before 2000-01-01 are refused too (src/ingest/README.md "Time").
  DurationMs max_future_skew_ms = kDayMs;
  // Import reads files in chunks of this many bytes; each chunk is one durable write. Default 8
  // MiB.
  size_t import_chunk_bytes = 8 << 20;
  // Delivery (src/delivery/README.md). The base URL at which mail clients reach this server: open
  // pixels and rewritten links point at <public_url>/t/o/... and /t/c/.... Default
  // "http://127.0.0.1:8080"; set it to the public address (`serve --public-url`).
  std::string public_url = "http://127.0.0.1:8080";
  // Run the background thread that sends due outbox messages. Default false: only `serve` turns
  // it on; short commands and tests on a ManualClock send with Engine::DeliverDue.
  bool delivery_thread = false;
  // The journeys runtime's partitions by profile, one thread each (src/journeys/README.md,
  // "Partitions"). 0 (default): the number the data folder was written with, else 1 (so a library
  // user or a short command keeps the folder's; `serve` asks for the cores). A folder written with
  // another number is caught up and re-homed at open.
  uint32_t journey_partitions = 0;
  // Per journey partition: past this many queued events with their payload, further queued events
  // keep only their seq (read back from the store when their turn comes). Default 100000.
  uint32_t journey_queue_payloads = 100'000;
  // /readyz answers 503 while a journey partition's oldest queued input has waited longer than
  // this (ms). Default 30000.
  int64_t journey_ready_lag_ms = 30'000;
  // privacy: run the thread that enforces `settings.retention` (a sweep each hour of engine time,
  // a purge each day; src/engine/retention_service.h). Default false: only `serve` turns it on;
  // commands and tests call Engine::EnforceRetention / RunRetentionDue.
  bool retention_thread = false;
  // alerts: run the thread that evaluates step health each hour of engine time and sends alert
  // notifications (src/engine/alert_service.h). Default false: only `serve` turns it on; tests
  // call Engine::EvaluateAlerts / RunAlertsDue.
  bool alerts_thread = false;
  // Attempts before a transient send failure becomes permanent. Default 6.
  uint32_t delivery_max_attempts = 6;
  // Wait before the first retry, doubled for each further attempt up to delivery_retry_max_ms, with
  // ±20% jitter. Defaults 30 s and 1 h.
  DurationMs delivery_retry_base_ms = 30 * kSecondMs;
  DurationMs delivery_retry_max_ms = kHourMs;
  // Delivery workers: how many messages are sent at once (each worker takes a share of the due
  // messages, all of one profile in due order; src/delivery/README.md "Workers"). Default 4;
  // `serve --delivery-workers`. 0 counts as 1.
  uint32_t delivery_workers = 4;
  // Keep SMTP connections and webhook clients open between messages, per channel. Default true;
  // false opens a connection per message (what the delivery benchmark compares against).
  bool delivery_reuse_connections = true;
};

}  // namespace signpost
