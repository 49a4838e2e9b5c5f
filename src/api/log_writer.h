// LogWriter: lines appended to a file, stdout or stderr by a thread of its own, so that a slow
// disk or a stalled pipe never holds the thread that logs (an I/O thread answering requests).
// Write() only appends to a bounded buffer in memory; the writer thread takes everything buffered
// at once and writes it with one write(2). Past the bound (default 8 MiB waiting) a line is
// dropped and counted rather than waited for: an access log must not become back-pressure.
// Used by the access log (access_log.h) and the application log (logging.h).
//
// Thread-safety: Write, Flush and dropped may be called from any thread; destroy it after the
// last Write (the destructor writes what is buffered, then joins the thread; a destination that
// takes nothing for kStopGraceMs after that gets the rest dropped, so a stop never hangs on it).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "base/mutex.h"
#include "signpost/status.h"

namespace signpost::api {

class LogWriter {
 public:
  static constexpr size_t kDefaultMaxBuffered = 8 << 20;
  static constexpr int kStopGraceMs = 2000;

  // Appends to file `path` (created 0640 when missing; opened O_APPEND, so `logrotate
  // copytruncate` and concurrent appenders work), or to stdout for "-". kIoError naming the path
  // when it cannot be opened.
  static Result<std::unique_ptr<LogWriter>> Open(std::string_view path,
                                                 size_t max_buffered = kDefaultMaxBuffered);
  // Writes to an already open descriptor it does not own (stdout: 1, stderr: 2).
  static std::unique_ptr<LogWriter> ToDescriptor(int fd, size_t max_buffered = kDefaultMaxBuffered);
  ~LogWriter();

  // Buffers `line` (which should end with '\n'); never blocks on the destination. Over the bound
  // the line is dropped and counted.
  void Write(std::string_view line) EXCLUDES(mu_);
  // Returns once every line buffered before the call is written (or failed to be).
  void Flush() EXCLUDES(mu_);
  // Lines dropped: over the bound, or lost to a failed write (disk full, closed pipe).
  uint64_t dropped() const EXCLUDES(mu_);

 private:
  LogWriter(int fd, bool owned, size_t max_buffered);
  void Loop() EXCLUDES(mu_);
  // Writes `bytes` whole, in pieces of at most PIPE_BUF once the destination can take them
  // (poll), so a full pipe or socket holds this thread only while it waits; false when the
  // destination fails, or takes nothing for kStopGraceMs once the writer is stopping.
  bool WriteAll(const std::string& bytes);

  const int fd_;
  const bool owned_;
  const size_t max_buffered_;
  mutable Mutex mu_;
  CondVar work_cv_;  // lines buffered, or stop
  CondVar done_cv_;  // a batch written
  std::string buffer_ GUARDED_BY(mu_);
  uint64_t lines_in_ GUARDED_BY(mu_) = 0;   // lines buffered since start (Flush waits for them)
  uint64_t lines_out_ GUARDED_BY(mu_) = 0;  // lines the thread has written (or lost)
  uint64_t dropped_ GUARDED_BY(mu_) = 0;
  bool stop_ GUARDED_BY(mu_) = false;
  std::atomic<bool> stopping_{false};  // stop_, readable by WriteAll without the lock
  bool abandoned_ = false;  // the writer thread's: the destination took nothing in the grace time
  std::thread thread_;
};

}  // namespace signpost::api
