#include "base/allocator.h"

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"

// jemalloc's control interface, when the program links jemalloc; null otherwise.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace signpost {
namespace {

Mutex keep_mu;
int keepers GUARDED_BY(keep_mu) = 0;            // scopes alive
ssize_t saved_default GUARDED_BY(keep_mu) = 0;  // "arenas.dirty_decay_ms" before the first one
constexpr unsigned kAllArenas = 4096;           // jemalloc's MALLCTL_ARENAS_ALL

// Sets the dirty-page decay of every existing arena and of the arenas made later.
void SetDirtyDecay(ssize_t ms) {
  size_t size = sizeof(ms);
  mallctl("arenas.dirty_decay_ms", nullptr, nullptr, &ms, size);
  unsigned arenas = 0;
  size = sizeof(arenas);
  if (mallctl("arenas.narenas", &arenas, &size, nullptr, 0) != 0) return;
  for (unsigned i = 0; i < arenas; ++i) {  // arenas not made yet fail: they take the default
    const std::string name = "arena." + std::to_string(i) + ".dirty_decay_ms";
    mallctl(name.c_str(), nullptr, nullptr, &ms, sizeof(ms));
  }
}

}  // namespace

KeepFreedPages::KeepFreedPages() {
  if (mallctl == nullptr) return;
  MutexLock lock(keep_mu);
  if (keepers++ > 0) return;
  size_t size = sizeof(saved_default);
  if (mallctl("arenas.dirty_decay_ms", &saved_default, &size, nullptr, 0) != 0) {
    saved_default = 10000;  // jemalloc's default
  }
  SetDirtyDecay(-1);  // never purge
}

KeepFreedPages::~KeepFreedPages() {
  if (mallctl == nullptr) return;
  MutexLock lock(keep_mu);
  if (--keepers > 0) return;
  SetDirtyDecay(saved_default);
  const std::string purge = "arena." + std::to_string(kAllArenas) + ".purge";
  mallctl(purge.c_str(), nullptr, nullptr, nullptr, 0);
}

bool JemallocLinked() { return mallctl != nullptr; }

void ShareArena() {
  if (mallctl == nullptr) return;
  unsigned arena = 0;
  mallctl("thread.arena", nullptr, nullptr, &arena, sizeof(arena));
}

}  // namespace signpost
