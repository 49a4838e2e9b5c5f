// ProfileStore: identity resolution over the durable store. Owns the IdentityGraph and writes
// through a store::Store it does not own (the engine's), so that one Append writes events,
// identity links and trait history atomically. Everything else of the store (dead letters, keys,
// definitions, static segments, event scans) is used through the store itself.
//
// Events must be appended only through ProfileStore::Append (a store::Store::Append of its own
// would leave their identities without a profile until the next open).
//
// Thread-safety: every method may be called from any thread. Appends are serialized; reads run
// concurrently with them (a read may see an append's identity links a moment before they are
// durable; never an event before it is durable).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "identity/identity_graph.h"
#include "identity/profile_view.h"
#include "signpost/event.h"
#include "signpost/ids.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::identity {

class ProfileStore {
 public:
  // Loads the identity graph from `store` (not owned; must outlive the ProfileStore).
  // kIoError / kCorruption when its records do not read.
  static Result<std::unique_ptr<ProfileStore>> Open(store::Store& store);

  // Appends `events` in one atomic write, durable on return (see store::Store::Append: dedup by
  // message id, seq per accepted event, duplicates get seq 0). In the same write: identity links
  // from identify (userId + anonymousId) and alias (previousId -> userId), and trait history from
  // identify traits. Refused userId merges are logged and listed in the result, and each accepted
  // event's profile (after the write's merges) is in result.profiles. On failure nothing is stored
  // and the in-memory identity graph is reloaded from disk.
  Result<store::AppendResult> Append(std::vector<Event>& events);

  // Erases `profiles` from the identity layer in one atomic write, durable on return (a privacy
  // erasure): their identities and links, the event of every merge into it and its side of refused
  // merges (IdentityGraph::Erase), and the trait history of each of their identities. Their events
  // are not touched (the engine removes them first, through the event service). Returns the
  // identities erased (unknown profiles add none). Serialized with appends; on failure nothing is
  // erased (the in-memory graph is reloaded from disk).
  Result<std::vector<std::string>> Erase(const std::vector<ProfileId>& profiles);

  // The canonical identity that `identity` names: "user:X" / "anon:X" as given when known; a bare
  // string is tried as a userId, then as an anonymousId. kNotFound when no profile has it.
  Result<std::string> Resolve(std::string_view identity) const;
  // The events of the profile of `identity` across all its identities, by (timestamp, seq): the
  // last `limit` of them (all when limit == 0). kNotFound when the identity is unknown.
  Result<std::vector<Event>> ProfileEvents(std::string_view identity, size_t limit) const;
  // The profile of `identity` (resolved as Resolve does). kNotFound when unknown.
  Result<ProfileView> GetProfile(std::string_view identity) const;
  // Only the trait history of `profile` (every identity's), by (timestamp, seq, name): what
  // GetProfile reads first, without the event summary. Thread-safe.
  Result<std::vector<TraitChange>> TraitHistory(ProfileId profile) const;
  // The current profile of a canonical identity ("user:X" / "anon:X"), ProfileId(0) when unknown.
  ProfileId ProfileOf(std::string_view identity) const { return graph_->ProfileOf(identity); }
  // Every identity with its current profile, part `part` of `parts`
  // (IdentityGraph::ForEachIdentity).
  void ForEachIdentity(
      size_t part, size_t parts,
      const std::function<void(std::string_view identity, ProfileId profile)>& fn) const {
    graph_->ForEachIdentity(part, parts, fn);
  }
  // The identities of `profile`, sorted ("anon:..." before "user:..."); empty when unknown.
  std::vector<std::string> IdentitiesOf(ProfileId profile) const {
    return graph_->IdentitiesOf(profile);
  }
  // The profile of an event (of its primary identity); ProfileId(0) when not stored.
  ProfileId ProfileOfEvent(const Event& event) const;

  // Merges with ordinal > after, in the order they happened (old profile id -> new).
  std::vector<MergeRecord> MergesAfter(uint64_t after) const { return graph_->MergesAfter(after); }
  // Refused userId merges with ordinal > after.
  std::vector<RefusedMerge> RefusedMergesAfter(uint64_t after) const {
    return graph_->RefusedAfter(after);
  }
  uint64_t merge_count() const { return graph_->merge_count(); }
  uint64_t refused_merge_count() const { return graph_->refused_count(); }
  uint64_t profile_count() const { return graph_->profile_count(); }
  uint64_t identity_count() const { return graph_->identity_count(); }

 private:
  ProfileStore(store::Store& store, std::unique_ptr<IdentityGraph> graph);

  store::Store& store_;
  std::mutex append_mu_;
  std::unique_ptr<IdentityGraph> graph_;
};

}  // namespace signpost::identity
