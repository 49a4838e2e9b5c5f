// IdentityGraph: which profile each identity ("user:<id>", "anon:<id>") belongs to, and the linking
// rules of docs/CONTRACT.md §1:
//  - `identify` with both userId and anonymousId, or `alias` (previousId -> userId), links the two
//    identities into one profile, transitively;
//  - a profile holds at most one userId: a link that would join two different userIds is refused
//    (nothing merges; logged, recorded, counted);
//  - `alias` whose previousId is a known userId is a user->user link; otherwise previousId is an
//    anonymousId;
//  - the smaller profile (fewer identities; on a tie the newer id) is merged into the larger, and
//    the merge is recorded old -> new so in-memory indexes can follow.
// Events are not rewritten on a merge: they keep their identities and are resolved through this map
// at read time, so past events move with their identity.
//
// The whole graph lives in memory (loaded at Open) and is persisted in the identities, merges and
// refused_merges column families, written in the same batch as the events that caused the change.
// Thread-safety: Apply must be serialized by the caller; the read methods may be called from any
// thread at any time (they see Apply's changes as it makes them, possibly before its batch is
// durable).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "identity/identity_table.h"
#include "identity/records.h"
#include "signpost/event.h"
#include "signpost/ids.h"
#include "signpost/status.h"
#include "store/db.h"

namespace signpost::identity {

// What an erased identity becomes in the records that must keep their place (refused merges).
inline constexpr std::string_view kErasedIdentity = "(erased)";

class IdentityGraph {
 public:
  // Loads the graph from `db` (read only here; not kept). kCorruption when a record is unreadable.
  static Result<std::unique_ptr<IdentityGraph>> Load(const store::Db& db);

  // Replaces the in-memory graph with what `db` holds (after a failed write). Serialized with Apply
  // by the caller. On failure the graph is unchanged.
  Status Reload(const store::Db& db);

  // Registers the identities of the accepted events of `events` (seq != 0; duplicates are skipped)
  // and applies their links, in order, writing every change into `batch`. Each refused link is
  // logged (spdlog warn) and its line appended to `refused`. When `profiles` is not null, it gets
  // the profile of each accepted event's primary identity once every link is applied (what
  // ProfileOf answers after the call), in event order: the commit hands them to the analytics
  // index instead of resolving each event again.
  void Apply(const std::vector<Event>& events, store::Batch& batch,
             std::vector<std::string>& refused, std::vector<ProfileId>* profiles = nullptr);

  // Erases `profile` from the graph (a privacy erasure), writing every change into `batch`: each
  // identity's record is deleted; the merges of every profile folded into it keep their profile
  // ids and ordinal but lose the event that caused them (seq and time cleared); a refused merge
  // that names one of its identities keeps its ordinal, the other side's identity and userId, and
  // has this side's identity, userId and the event's message id replaced by kErasedIdentity.
  // Returns the identities removed, sorted (empty when the profile is unknown). Serialized with
  // Apply by the caller.
  std::vector<std::string> Erase(ProfileId profile, store::Batch& batch);

  // The current profile of `identity` (canonical form), or ProfileId(0) when unknown.
  ProfileId ProfileOf(std::string_view identity) const;
  // The identities of `profile`, sorted (empty when unknown).
  std::vector<std::string> IdentitiesOf(ProfileId profile) const;
  // Calls fn(identity, profile) for every known identity in part `part` of `parts` (0 <= part <
  // parts; the parts together visit each identity once), in no particular order, under the read
  // lock: parts may be walked on several threads at once. For building a read-only copy of the
  // map (the index rebuild at open); fn must not call back into the graph.
  void ForEachIdentity(
      size_t part, size_t parts,
      const std::function<void(std::string_view identity, ProfileId profile)>& fn) const;
  // Merges with ordinal > after, in order.
  std::vector<MergeRecord> MergesAfter(uint64_t after) const;
  // Refused merges with ordinal > after, in order.
  std::vector<RefusedMerge> RefusedAfter(uint64_t after) const;
  // Refused merges where either identity now belongs to `profile`.
  std::vector<RefusedMerge> RefusedInvolving(ProfileId profile) const;

  uint64_t profile_count() const;
  uint64_t identity_count() const;
  uint64_t merge_count() const;
  uint64_t refused_count() const;

 private:
  struct Profile {
    std::vector<std::string> identities;
    std::string user;  // its "user:<id>" identity, "" when anonymous
  };
  IdentityGraph() = default;
  // The profile of `identity`, creating a new one-identity profile when unknown.
  uint64_t Ensure(const std::string& identity, store::Batch& batch);
  void Link(const std::string& identity, const std::string& other, const Event& event,
            store::Batch& batch, std::vector<std::string>& refused);
  void Attach(const std::string& identity, uint64_t profile, store::Batch& batch);
  void Merge(uint64_t from, uint64_t to, const Event& event, store::Batch& batch);

  mutable std::shared_mutex mu_;
  IdentityTable profile_of_;
  std::unordered_map<uint64_t, Profile> profiles_;
  std::vector<MergeRecord> merges_;    // ordinal i+1 at index i
  std::vector<RefusedMerge> refused_;  // ordinal i+1 at index i
  uint64_t next_profile_ = 1;
};

}  // namespace signpost::identity
