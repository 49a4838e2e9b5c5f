#include "identity/profile_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "identity/traits.h"

namespace signpost::identity {
namespace {

constexpr std::string_view kUserIdentity = "user:";
constexpr std::string_view kAnonPrefix = "anon:";

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The first key after every key that begins with `prefix` (the end of a DeleteRange over them);
// "" past the last key when the prefix is all 0xFF bytes (never the case for a length-prefixed
// identity).
std::string KeysAfterPrefix(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

}  // namespace

ProfileStore::ProfileStore(store::Store& store, std::unique_ptr<IdentityGraph> graph)
    : store_(store), graph_(std::move(graph)) {}

Result<std::unique_ptr<ProfileStore>> ProfileStore::Open(store::Store& store) {
  SP_ASSIGN_OR_RETURN(auto graph, IdentityGraph::Load(store.db()));
  return std::unique_ptr<ProfileStore>(new ProfileStore(store, std::move(graph)));
}

Result<store::AppendResult> ProfileStore::Append(std::vector<Event>& events) {
  std::lock_guard lock(append_mu_);
  bool graph_changed = false;
  auto result = store_.Append(
      events, [&](const std::vector<Event>& staged, store::Batch& batch, store::AppendResult& r) {
        graph_changed = true;
        r.profiles.reserve(r.accepted);
        graph_->Apply(staged, batch, r.refused_merges, &r.profiles);
        PutTraitRecords(staged, batch);
        return Status::Ok();
      });
  if (!result.ok() && graph_changed) {
    Status reloaded = graph_->Reload(store_.db());
    if (!reloaded.ok()) {
      spdlog::error("identity graph reload after a failed write failed: {}", reloaded.ToString());
    }
  }
  return result;
}

Result<std::vector<std::string>> ProfileStore::Erase(const std::vector<ProfileId>& profiles) {
  std::lock_guard lock(append_mu_);
  store::Batch batch = store_.db().NewBatch();
  std::vector<std::string> erased;
  for (ProfileId profile : profiles) {
    for (auto& identity : graph_->Erase(profile, batch)) erased.push_back(std::move(identity));
  }
  if (erased.empty()) return erased;
  for (const auto& identity : erased) {
    const std::string prefix = TraitKeyPrefix(identity);
    batch.DeleteRange(store::Cf::kTraits, prefix, KeysAfterPrefix(prefix));
  }
  Status written = store_.db().Write(batch, /*sync=*/true);
  if (!written.ok()) {
    Status reloaded = graph_->Reload(store_.db());
    if (!reloaded.ok()) {
      spdlog::error("identity graph reload after a failed erase failed: {}", reloaded.ToString());
    }
    return written;
  }
  return erased;
}

Result<std::string> ProfileStore::Resolve(std::string_view identity) const {
  if (HasPrefix(identity, kUserIdentity) || HasPrefix(identity, kAnonPrefix)) {
    if (graph_->ProfileOf(identity).value() != 0) return std::string(identity);
  }
  std::string user = UserIdentity(identity);
  if (graph_->ProfileOf(user).value() != 0) return user;
  std::string anon = AnonymousIdentity(identity);
  if (graph_->ProfileOf(anon).value() != 0) return anon;
  return Status::NotFound(fmt::format(
      "no profile has the identity '{}' (tried it as given, as a userId and as an anonymousId)",
      identity));
}

ProfileId ProfileStore::ProfileOfEvent(const Event& event) const {
  return graph_->ProfileOf(event.PrimaryIdentity());
}

Result<std::vector<Event>> ProfileStore::ProfileEvents(std::string_view identity,
                                                       size_t limit) const {
  SP_ASSIGN_OR_RETURN(std::string canonical, Resolve(identity));
  return store_.EventsOf(graph_->IdentitiesOf(graph_->ProfileOf(canonical)), limit);
}

Result<std::vector<TraitChange>> ProfileStore::TraitHistory(ProfileId profile) const {
  std::vector<TraitChange> history;
  for (const auto& id : graph_->IdentitiesOf(profile)) {
    const std::string prefix = TraitKeyPrefix(id);
    Status bad;
    SP_RETURN_IF_ERROR(store_.db().Scan(
        store::Cf::kTraits, prefix, prefix, [&](std::string_view key, std::string_view value) {
          if (!DecodeTraitRecord(key, prefix.size(), value, history)) {
            bad = Status::Corruption(fmt::format("a trait record of {} is unreadable", id));
            return false;
          }
          return true;
        }));
    SP_RETURN_IF_ERROR(bad);
  }
  CurrentTraits(history);  // sorts the history by (timestamp, seq, name)
  return history;
}

Result<ProfileView> ProfileStore::GetProfile(std::string_view identity) const {
  SP_ASSIGN_OR_RETURN(std::string canonical, Resolve(identity));
  ProfileView view;
  view.id = graph_->ProfileOf(canonical);
  view.identities = graph_->IdentitiesOf(view.id);
  SP_ASSIGN_OR_RETURN(view.trait_history, TraitHistory(view.id));
  view.traits = CurrentTraits(view.trait_history);
  view.consent = ConsentOf(view.traits);
  SP_ASSIGN_OR_RETURN(auto summary, store_.SummaryOf(view.identities));
  view.event_count = summary.count;
  view.first_seen = summary.first_seen;
  view.last_seen = summary.last_seen;
  view.refused_merges = graph_->RefusedInvolving(view.id);
  return view;
}

}  // namespace signpost::identity
