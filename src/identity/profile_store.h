// ProfileStore: the engine-facing facade of the durable store with identity resolution. Owns the
// store::Store (events, dedup, dead letters, keys, definitions, static segments) and the
// IdentityGraph, and makes one Append write events, identity links and trait history atomically.
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
#include "signpost/rejection.h"
#include "signpost/status.h"
#include "store/store.h"

namespace signpost::identity {

class ProfileStore {
 public:
  // Opens or creates the store in options.dir and loads the identity graph. Fails
  // (kFailedPrecondition, message naming the folder and the fix) when the folder is locked by
  // another process, is not a signpost folder, or was written in another format version; kIoError /
  // kCorruption otherwise.
  static Result<std::unique_ptr<ProfileStore>> Open(const store::StoreOptions& options);

  // Appends `events` in one atomic write, durable on return (see store::Store::Append: dedup by
  // message id, seq per accepted event, duplicates get seq 0). In the same write: identity links
  // from identify (userId + anonymousId) and alias (previousId -> userId), and trait history from
  // identify traits. Refused userId merges are logged and listed in the result. On failure nothing
  // is stored and the in-memory identity graph is reloaded from disk.
  Result<store::AppendResult> Append(std::vector<Event>& events);

  // Stores rejected input in the dead-letter store; returns their ids.
  Result<std::vector<uint64_t>> AddDeadLetters(const std::vector<Rejection>& rejections,
                                               std::string_view source, TimeMs at) {
    return store_->AddDeadLetters(rejections, source, at);
  }

  // Every stored event with seq > after_seq, in seq order, until fn returns false (fast: a plain
  // iterator over compact records).
  Status ScanEvents(uint64_t after_seq, const std::function<bool(const Event&)>& fn) const {
    return store_->ScanEvents(after_seq, fn);
  }

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

  // Dead letters (List paged, Get, Delete by id), write keys and admin tokens (Create, List,
  // Revoke, Check), versioned definitions (Put -> version, Get, List, History) and static segments
  // (Put -> version, Get, List, Delete). Each is thread-safe; references live as long as this.
  store::DeadLetters& dead_letters() { return store_->dead_letters(); }
  const store::DeadLetters& dead_letters() const { return store_->dead_letters(); }
  store::ApiKeys& keys() { return store_->keys(); }
  const store::ApiKeys& keys() const { return store_->keys(); }
  store::VersionedRecords& definitions() { return store_->definitions(); }
  const store::VersionedRecords& definitions() const { return store_->definitions(); }
  store::StaticSegments& segments() { return store_->segments(); }
  const store::StaticSegments& segments() const { return store_->segments(); }
  // Events stored so far.
  uint64_t EventCount() const { return store_->EventCount(); }

  // The underlying store: dead letters, keys, definitions, static segments, counters.
  store::Store& store() { return *store_; }
  const store::Store& store() const { return *store_; }

 private:
  ProfileStore(std::unique_ptr<store::Store> store, std::unique_ptr<IdentityGraph> graph);

  std::unique_ptr<store::Store> store_;
  std::mutex append_mu_;
  std::unique_ptr<IdentityGraph> graph_;
};

}  // namespace signpost::identity
