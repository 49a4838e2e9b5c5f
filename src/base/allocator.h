// The allocator's handling of freed memory during bulk work.
#pragma once

namespace signpost {

// While one is alive, jemalloc (the allocator of the signpost binary and the benchmarks) keeps the
// pages it frees for reuse instead of handing them back to the system: a bulk import frees and
// allocates again hundreds of megabytes of events and buffers per second, and faulting fresh pages
// in for them cost about a quarter of its CPU. When the last one ends, the previous decay settings
// come back and every unused page is returned at once, so the process's memory between imports is
// what it was. Without jemalloc (tests, sanitizer and fuzz builds) it does nothing. Thread-safe;
// nested and concurrent scopes share one setting.
class KeepFreedPages {
 public:
  KeepFreedPages();
  ~KeepFreedPages();
  KeepFreedPages(const KeepFreedPages&) = delete;
  KeepFreedPages& operator=(const KeepFreedPages&) = delete;
};

}  // namespace signpost
