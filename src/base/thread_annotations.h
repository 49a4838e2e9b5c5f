// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html) as
// macros: attributes under clang, nothing under other compilers. `make test` checks them with
// clang's -Wthread-safety over every file that uses them (scripts/thread-safety.sh); GCC builds the
// code as if they were comments.
//
//   GUARDED_BY(mu)          a member read or written only while `mu` is held
//   PT_GUARDED_BY(mu)       the object a pointer member points to, likewise
//   REQUIRES(mu)            a function the caller calls with `mu` held (exclusively)
//   REQUIRES_SHARED(mu)     ... held at least shared
//   EXCLUDES(mu)            a function that takes `mu` itself (the caller must not hold it)
//   ACQUIRE / RELEASE       functions that lock / unlock (on Mutex and the scoped locks)
//   NO_THREAD_SAFETY_ANALYSIS  a function the analysis cannot follow (say why beside it)
#pragma once

#if defined(__clang__)
#define SIGNPOST_TSA(x) __attribute__((x))
#else
#define SIGNPOST_TSA(x)
#endif

#define CAPABILITY(x) SIGNPOST_TSA(capability(x))
#define SCOPED_CAPABILITY SIGNPOST_TSA(scoped_lockable)
#define GUARDED_BY(x) SIGNPOST_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) SIGNPOST_TSA(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) SIGNPOST_TSA(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) SIGNPOST_TSA(acquired_after(__VA_ARGS__))
#define REQUIRES(...) SIGNPOST_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) SIGNPOST_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) SIGNPOST_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) SIGNPOST_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) SIGNPOST_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) SIGNPOST_TSA(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) SIGNPOST_TSA(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) SIGNPOST_TSA(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) SIGNPOST_TSA(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS SIGNPOST_TSA(no_thread_safety_analysis)
