#include "engine/commit_queue.h"

#include "base/allocator.h"

namespace signpost::engine {

CommitQueue::CommitQueue(CommitFn commit, size_t max_group_events)
    : commit_(std::move(commit)), max_group_events_(max_group_events) {
  writer_ = std::thread([this] {
    ShareArena();  // it frees the events the ingest threads allocated (base/allocator.h)
    WriterLoop();
  });
}

CommitQueue::~CommitQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

std::future<Result<IngestOutcome>> CommitQueue::Submit(std::vector<Event> events) {
  Pending p{std::move(events), {}};
  auto future = p.done.get_future();
  {
    std::lock_guard lock(mu_);
    pending_.push_back(std::move(p));
  }
  cv_.notify_one();
  return future;
}

Status CommitQueue::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void CommitQueue::WriterLoop() {
  std::vector<Pending> group;
  std::vector<Event> events;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, nothing left
      size_t n = 0;
      while (!pending_.empty() &&
             (group.empty() || n + pending_.front().events.size() <= max_group_events_)) {
        n += pending_.front().events.size();
        group.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    // One vector for the whole group; each submission owns a contiguous slice. A group of one
    // (an import chunk, a quiet server) commits the submission's own vector: no copy.
    std::vector<size_t> sizes;
    if (group.size() == 1) {
      sizes.push_back(group[0].events.size());
      events.swap(group[0].events);
    } else {
      for (auto& p : group) {
        sizes.push_back(p.events.size());
        for (auto& e : p.events) events.push_back(std::move(e));
      }
    }
    std::vector<std::string> refused;
    Status s = events.empty() ? Status::Ok() : commit_(events, refused);
    if (!events.empty()) {
      std::lock_guard lock(mu_);
      last_error_ = s;
    }
    size_t at = 0;
    for (size_t i = 0; i < group.size(); ++i) {
      if (!s.ok()) {
        group[i].done.set_value(s);
        continue;
      }
      IngestOutcome out;
      for (size_t k = at; k < at + sizes[i]; ++k) (events[k].seq ? out.accepted : out.duplicates)++;
      if (i == 0) out.refused_merges = refused;
      at += sizes[i];
      group[i].done.set_value(std::move(out));
    }
    group.clear();
    events.clear();
  }
}

}  // namespace signpost::engine
