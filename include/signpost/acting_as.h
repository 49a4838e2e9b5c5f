// Who the engine calls made on this thread act for, as the audit log records them: the HTTP
// server names the admin token of a request, the command line the local user. A scope: the actor
// before it is restored when it ends. Thread-safety: per thread (thread_local), nothing shared.
#pragma once

#include <string>

namespace signpost {

class ActingAs {
 public:
  explicit ActingAs(std::string actor);
  ~ActingAs();
  ActingAs(const ActingAs&) = delete;
  ActingAs& operator=(const ActingAs&) = delete;

 private:
  std::string previous_;
};

// The actor of the innermost ActingAs on this thread, "engine" when there is none (the engine
// acting on its own, e.g. a scheduled job).
std::string CurrentActor();

}  // namespace signpost
