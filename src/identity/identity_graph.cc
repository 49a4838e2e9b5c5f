#include "identity/identity_graph.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "store/coding.h"

namespace signpost::identity {
namespace {

constexpr std::string_view kNextProfileKey = "identity.next_profile";
constexpr std::string_view kUserPrefix = "user:";

bool IsUser(std::string_view identity) {
  return identity.substr(0, kUserPrefix.size()) == kUserPrefix;
}
std::string_view UserIdOf(std::string_view identity) {
  return identity.empty() ? identity : identity.substr(kUserPrefix.size());
}

}  // namespace

Result<std::unique_ptr<IdentityGraph>> IdentityGraph::Load(const store::Db& db) {
  std::unique_ptr<IdentityGraph> g(new IdentityGraph());
  SP_ASSIGN_OR_RETURN(auto next, db.Get(store::Cf::kMeta, kNextProfileKey));
  if (next) {
    if (next->size() != 8) return Status::Corruption("bad profile counter");
    g->next_profile_ = store::DecodeFixed64BE(next->data());
  }
  Status bad;
  SP_RETURN_IF_ERROR(db.Scan(
      store::Cf::kIdentities, "", "",
      [&](std::string_view identity, std::string_view value) {
        if (value.size() != 8) {
          bad = Status::Corruption("bad identity record");
          return false;
        }
        const uint64_t profile = store::DecodeFixed64BE(value.data());
        g->profile_of_.Set(identity, profile);
        Profile& p = g->profiles_[profile];
        p.identities.emplace_back(identity);
        if (IsUser(identity)) p.user = identity;
        return true;
      },
      /*bulk=*/true));
  SP_RETURN_IF_ERROR(bad);
  SP_RETURN_IF_ERROR(
      db.Scan(store::Cf::kMerges, "", "", [&](std::string_view k, std::string_view v) {
        MergeRecord m;
        if (!DecodeMerge(k, v, m)) {
          bad = Status::Corruption("bad merge record");
          return false;
        }
        g->merges_.push_back(m);
        return true;
      }));
  SP_RETURN_IF_ERROR(bad);
  SP_RETURN_IF_ERROR(
      db.Scan(store::Cf::kRefusedMerges, "", "", [&](std::string_view k, std::string_view v) {
        RefusedMerge r;
        if (!DecodeRefused(k, v, r)) {
          bad = Status::Corruption("bad refused-merge record");
          return false;
        }
        g->refused_.push_back(std::move(r));
        return true;
      }));
  SP_RETURN_IF_ERROR(bad);
  return g;
}

Status IdentityGraph::Reload(const store::Db& db) {
  SP_ASSIGN_OR_RETURN(auto fresh, Load(db));
  std::unique_lock lock(mu_);
  profile_of_ = std::move(fresh->profile_of_);
  profiles_ = std::move(fresh->profiles_);
  merges_ = std::move(fresh->merges_);
  refused_ = std::move(fresh->refused_);
  next_profile_ = fresh->next_profile_;
  return Status::Ok();
}

void IdentityGraph::Apply(const std::vector<Event>& events, store::Batch& batch,
                          std::vector<std::string>& refused, std::vector<ProfileId>* profiles) {
  std::unique_lock lock(mu_);
  const uint64_t profiles_before = next_profile_;
  const size_t merges_before = merges_.size();
  const size_t first_out = profiles ? profiles->size() : 0;
  for (const Event& e : events) {
    if (e.seq == 0) continue;
    const std::string primary = e.PrimaryIdentity();
    uint64_t profile = 0;
    if (e.type == EventType::kIdentify && !e.user_id.empty() && !e.anonymous_id.empty()) {
      Link(primary, AnonymousIdentity(e.anonymous_id), e, batch, refused);
      if (profiles) profile = *profile_of_.Find(primary);
    } else if (e.type == EventType::kAlias && !e.user_id.empty() && !e.previous_id.empty()) {
      std::string previous = UserIdentity(e.previous_id);
      if (profile_of_.Find(previous) == nullptr) {
        previous = AnonymousIdentity(e.previous_id);
      }
      Link(primary, previous, e, batch, refused);
      if (profiles) profile = *profile_of_.Find(primary);
    } else {
      profile = Ensure(primary, batch);
    }
    if (profiles) profiles->push_back(ProfileId(profile));
  }
  if (profiles && merges_.size() != merges_before) {
    // A profile merged later in this call: its events now belong to where it went (profile ids are
    // never reused, so following the merges from any id taken above ends at today's profile).
    std::unordered_map<uint64_t, uint64_t> moved;
    for (size_t m = merges_before; m < merges_.size(); ++m) {
      moved[merges_[m].from.value()] = merges_[m].to.value();
    }
    for (size_t i = first_out; i < profiles->size(); ++i) {
      uint64_t p = (*profiles)[i].value();
      for (auto it = moved.find(p); it != moved.end(); it = moved.find(p)) p = it->second;
      (*profiles)[i] = ProfileId(p);
    }
  }
  if (next_profile_ != profiles_before) {
    batch.Put(store::Cf::kMeta, kNextProfileKey, store::U64Key(next_profile_));
  }
}

uint64_t IdentityGraph::Ensure(const std::string& identity, store::Batch& batch) {
  if (const uint64_t* known = profile_of_.Find(identity)) return *known;
  const uint64_t profile = next_profile_++;
  profiles_[profile];  // created empty; Attach fills it
  Attach(identity, profile, batch);
  return profile;
}

void IdentityGraph::Attach(const std::string& identity, uint64_t profile, store::Batch& batch) {
  profile_of_.Set(identity, profile);
  Profile& p = profiles_[profile];
  p.identities.push_back(identity);
  if (IsUser(identity)) p.user = identity;
  batch.Put(store::Cf::kIdentities, identity, store::U64Key(profile));
}

void IdentityGraph::Link(const std::string& identity, const std::string& other, const Event& event,
                         store::Batch& batch, std::vector<std::string>& refused) {
  const uint64_t* profile_a = profile_of_.Find(identity);
  const uint64_t* profile_b = profile_of_.Find(other);
  const bool known_a = profile_a != nullptr, known_b = profile_b != nullptr;
  if (!known_a && !known_b) {
    const uint64_t profile = Ensure(identity, batch);
    if (!(IsUser(other) && IsUser(identity))) {
      Attach(other, profile, batch);
      return;
    }
  } else if (known_a != known_b) {
    // A new identity joins the known one's profile unless it would bring a second userId.
    const std::string& fresh = known_a ? other : identity;
    const uint64_t profile = known_a ? *profile_a : *profile_b;
    if (!IsUser(fresh) || profiles_[profile].user.empty()) {
      Attach(fresh, profile, batch);
      return;
    }
  }
  const uint64_t a = Ensure(identity, batch);
  const uint64_t b = Ensure(other, batch);
  if (a == b) return;
  const std::string& user_a = profiles_[a].user;
  const std::string& user_b = profiles_[b].user;
  if (!user_a.empty() && !user_b.empty() && user_a != user_b) {
    RefusedMerge r;
    r.ordinal = refused_.size() + 1;
    r.identity = identity;
    r.other = other;
    r.user = UserIdOf(user_a);
    r.other_user = UserIdOf(user_b);
    r.message_id = event.message_id;
    r.event_type = EventTypeName(event.type);
    r.seq = event.seq;
    r.at = event.timestamp;
    batch.Put(store::Cf::kRefusedMerges, store::U64Key(r.ordinal), EncodeRefused(r));
    std::string line = r.Describe();
    spdlog::warn("{}", line);
    refused.push_back(std::move(line));
    refused_.push_back(std::move(r));
    return;
  }
  // Smaller into larger; on a tie the newer profile goes into the older one.
  const size_t size_a = profiles_[a].identities.size(), size_b = profiles_[b].identities.size();
  const bool a_survives = size_a > size_b || (size_a == size_b && a < b);
  if (a_survives) {
    Merge(b, a, event, batch);
  } else {
    Merge(a, b, event, batch);
  }
}

void IdentityGraph::Merge(uint64_t from, uint64_t to, const Event& event, store::Batch& batch) {
  Profile moved = std::move(profiles_[from]);
  profiles_.erase(from);
  Profile& target = profiles_[to];
  for (auto& identity : moved.identities) {
    profile_of_.Set(identity, to);
    batch.Put(store::Cf::kIdentities, identity, store::U64Key(to));
    target.identities.push_back(std::move(identity));
  }
  if (target.user.empty()) target.user = moved.user;
  MergeRecord m{merges_.size() + 1, ProfileId(from), ProfileId(to), event.seq, event.timestamp};
  batch.Put(store::Cf::kMerges, store::U64Key(m.ordinal), EncodeMerge(m));
  merges_.push_back(m);
}

std::vector<std::string> IdentityGraph::Erase(ProfileId profile, store::Batch& batch) {
  std::unique_lock lock(mu_);
  auto it = profiles_.find(profile.value());
  if (it == profiles_.end()) return {};
  std::vector<std::string> erased = std::move(it->second.identities);
  profiles_.erase(it);
  std::sort(erased.begin(), erased.end());
  for (const auto& identity : erased) {
    profile_of_.Erase(identity);
    batch.Delete(store::Cf::kIdentities, identity);
  }
  // Every profile folded into this one, newest merge first (a merge into a profile that was itself
  // folded later comes before that later merge).
  std::unordered_set<uint64_t> folded{profile.value()};
  for (auto m = merges_.rbegin(); m != merges_.rend(); ++m) {
    if (!folded.contains(m->to.value())) continue;
    folded.insert(m->from.value());
    if (m->seq == 0 && m->at == 0) continue;
    m->seq = 0;
    m->at = 0;
    batch.Put(store::Cf::kMerges, store::U64Key(m->ordinal), EncodeMerge(*m));
  }
  auto is_erased = [&](const std::string& identity) {
    return std::binary_search(erased.begin(), erased.end(), identity);
  };
  auto is_erased_user = [&](const std::string& user_id) {
    return !user_id.empty() && is_erased(std::string(kUserPrefix) + user_id);
  };
  for (RefusedMerge& r : refused_) {
    const bool mine = is_erased(r.identity) || is_erased_user(r.user);
    const bool other = is_erased(r.other) || is_erased_user(r.other_user);
    if (!mine && !other) continue;
    if (mine) {
      r.identity = kErasedIdentity;
      r.user = kErasedIdentity;
    }
    if (other) {
      r.other = kErasedIdentity;
      r.other_user = kErasedIdentity;
    }
    r.message_id = kErasedIdentity;
    r.seq = 0;
    batch.Put(store::Cf::kRefusedMerges, store::U64Key(r.ordinal), EncodeRefused(r));
  }
  return erased;
}

ProfileId IdentityGraph::ProfileOf(std::string_view identity) const {
  std::shared_lock lock(mu_);
  const uint64_t* profile = profile_of_.Find(identity);
  return ProfileId(profile == nullptr ? 0 : *profile);
}

void IdentityGraph::ForEachIdentity(
    size_t part, size_t parts,
    const std::function<void(std::string_view identity, ProfileId profile)>& fn) const {
  std::shared_lock lock(mu_);
  profile_of_.ForEach(part, parts, [&](std::string_view identity, uint64_t profile) {
    fn(identity, ProfileId(profile));
  });
}

std::vector<std::string> IdentityGraph::IdentitiesOf(ProfileId profile) const {
  std::vector<std::string> out;
  {
    std::shared_lock lock(mu_);
    auto it = profiles_.find(profile.value());
    if (it != profiles_.end()) out = it->second.identities;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<MergeRecord> IdentityGraph::MergesAfter(uint64_t after) const {
  std::shared_lock lock(mu_);
  if (after >= merges_.size()) return {};
  return {merges_.begin() + static_cast<std::ptrdiff_t>(after), merges_.end()};
}

std::vector<RefusedMerge> IdentityGraph::RefusedAfter(uint64_t after) const {
  std::shared_lock lock(mu_);
  if (after >= refused_.size()) return {};
  return {refused_.begin() + static_cast<std::ptrdiff_t>(after), refused_.end()};
}

std::vector<RefusedMerge> IdentityGraph::RefusedInvolving(ProfileId profile) const {
  std::shared_lock lock(mu_);
  std::vector<RefusedMerge> out;
  auto profile_of = [&](const std::string& identity) {
    const uint64_t* known = profile_of_.Find(identity);
    return known == nullptr ? 0 : *known;
  };
  for (const auto& r : refused_) {
    if (profile_of(r.identity) == profile.value() || profile_of(r.other) == profile.value()) {
      out.push_back(r);
    }
  }
  return out;
}

uint64_t IdentityGraph::profile_count() const {
  std::shared_lock lock(mu_);
  return profiles_.size();
}
uint64_t IdentityGraph::identity_count() const {
  std::shared_lock lock(mu_);
  return profile_of_.size();
}
uint64_t IdentityGraph::merge_count() const {
  std::shared_lock lock(mu_);
  return merges_.size();
}
uint64_t IdentityGraph::refused_count() const {
  std::shared_lock lock(mu_);
  return refused_.size();
}

}  // namespace signpost::identity
