// Options for the Engine: plain struct, every field's default in its comment.
#pragma once

#include <cstddef>
#include <string>

#include "signpost/clock.h"

namespace signpost {

struct EngineOptions {
  // The data folder (created when missing). Required.
  std::string data_dir;
  // The clock every rule reads. nullptr (default): the wall clock. Not owned; must outlive the Engine.
  const Clock* clock = nullptr;
  // fsync the write-ahead log before an ingest call returns. Default true: an acknowledged event
  // survives a power cut, not just a process kill.
  bool sync = true;
  // Load the analytics index at Open. Default true; commands that never query turn it off.
  bool load_index = true;
  // Threads a funnel query may use. Default 2.
  int query_threads = 2;
  // Ingest limits (PRODUCT.md §1). Defaults: 32 KiB per event, 500 KiB per batch, 2,500 events.
  size_t max_event_bytes = 32 * 1024;
  size_t max_batch_bytes = 500 * 1024;
  size_t max_batch_events = 2500;
  // Import reads files in chunks of this many bytes; each chunk is one durable write. Default 8 MiB.
  size_t import_chunk_bytes = 8 << 20;
};

}  // namespace signpost
