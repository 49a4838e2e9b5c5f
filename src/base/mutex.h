// Mutexes the thread-safety analysis understands (base/thread_annotations.h): `Mutex` and
// `SharedMutex` wrap the standard ones as capabilities; `MutexLock`, `ReaderLock` and `WriterLock`
// hold them for a scope; `CondVar` waits on a held MutexLock. Use these (not std::mutex) for every
// mutex that guards annotated state, so `-Wthread-safety` sees each access.
//
// Thread-safety: as the standard types they wrap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "base/thread_annotations.h"

namespace signpost {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For std::unique_lock / std::condition_variable_any (used by CondVar only).
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class CAPABILITY("shared mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void ReaderLock() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void ReaderUnlock() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds `mu` for the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  friend class CondVar;
  Mutex& mu_;
};

// Holds `mu` shared (readers) for the scope.
class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.ReaderLock(); }
  ~ReaderLock() RELEASE() { mu_.ReaderUnlock(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Holds `mu` exclusively (a writer) for the scope.
class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() RELEASE() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

// A condition variable for a Mutex held by a MutexLock. The waits release the mutex while they
// sleep and hold it again when they return, as std::condition_variable's do. Wait in a loop on
// the guarded condition (`while (!ready_) cv_.Wait(lock);`), so the analysis sees every read under
// the lock; a predicate lambda is a function of its own to the analysis.
class CondVar {
 public:
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }
  // Sleeps until notified (or spuriously woken).
  void Wait(MutexLock& lock) {
    std::unique_lock<Mutex> held(lock.mu_, std::adopt_lock);
    cv_.wait(held);
    held.release();
  }
  // Sleeps until notified, spuriously woken or `timeout` passed.
  template <class Rep, class Period>
  void WaitFor(MutexLock& lock, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<Mutex> held(lock.mu_, std::adopt_lock);
    cv_.wait_for(held, timeout);
    held.release();
  }

 private:
  std::condition_variable_any cv_;
};

}  // namespace signpost
