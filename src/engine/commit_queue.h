// Group commit: many concurrent ingest calls share one durable write.
//
// Each HTTP request (or import chunk) submits its parsed events and waits for its future. One
// writer thread takes everything pending, commits it with a single call of the commit function
// (one RocksDB write, one WAL fsync), and resolves each submission's future with its own counts.
// Under load this turns N fsyncs into one; alone, a submission waits for exactly one commit.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "signpost/engine.h"
#include "signpost/event.h"
#include "signpost/status.h"

namespace signpost::engine {

class CommitQueue {
 public:
  // Commits `events` durably: sets each accepted event's seq (non-zero) and leaves duplicates at 0;
  // appends refused identity merges to `refused`. Called only from the writer thread.
  using CommitFn =
      std::function<Status(std::vector<Event>& events, std::vector<std::string>& refused)>;

  // `max_group_events`: a group stops growing past this many events (default 100k).
  explicit CommitQueue(CommitFn commit, size_t max_group_events = 100000);
  // Commits what is pending, then stops the writer.
  ~CommitQueue();

  // Enqueues `events`; the future resolves once they are durable (accepted / duplicates counted
  // from the seq the commit assigned) or with the commit's error. Thread-safe.
  std::future<Result<IngestOutcome>> Submit(std::vector<Event> events);

  // The error of the last commit, ok when it succeeded (or none ran yet). Thread-safe.
  Status last_error() const;

 private:
  struct Pending {
    std::vector<Event> events;
    std::promise<Result<IngestOutcome>> done;
  };
  void WriterLoop();

  CommitFn commit_;
  size_t max_group_events_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> pending_;
  bool stopping_ = false;
  Status last_error_;  // guarded by mu_
  std::thread writer_;
};

}  // namespace signpost::engine
