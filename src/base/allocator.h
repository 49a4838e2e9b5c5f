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

// Makes the calling thread allocate from jemalloc's first arena, shared by every thread that calls
// this: for threads that free what the others allocate (the commit thread, and a bulk import's
// thread and its parse threads), so the memory one frees is found again by the others' next
// allocations instead of fresh pages being faulted in for them. With jemalloc's default of four
// arenas per CPU given to threads in turn, an import of 1M events faulted in about 101k pages
// instead of 79k and peaked at 381 MB instead of 309 MB. The thread stays on that arena for the
// rest of its life; other threads keep their own. No-op without jemalloc. Thread-safe.
void ShareArena();

// Whether the program links jemalloc (without it, the two above do nothing).
bool JemallocLinked();

}  // namespace signpost
