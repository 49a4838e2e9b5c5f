#include "engine/regulations.h"

#include <fmt/format.h>

#include "delivery/signing.h"
#include "store/coding.h"
#include "store/folder_secret.h"

namespace signpost::engine {

namespace {

// Keys of the privacy column family this file owns (the privacy service owns "job/", "reg/" and
// the rest).
constexpr std::string_view kSecretKey = "secret";
constexpr std::string_view kTombstonePrefix = "tomb/";
constexpr std::string_view kSuppressionPrefix = "sup/";

std::string RecordKey(std::string_view prefix, std::string_view hash) {
  std::string key(prefix);
  key += hash;
  return key;
}

// The identities an event names: its userId, anonymousId and, for an alias, its previousId read
// either way.
std::vector<std::string> IdentitiesNamedBy(const Event& e) {
  std::vector<std::string> out;
  if (!e.user_id.empty()) out.push_back(UserIdentity(e.user_id));
  if (!e.anonymous_id.empty()) out.push_back(AnonymousIdentity(e.anonymous_id));
  if (!e.previous_id.empty()) {
    out.push_back(UserIdentity(e.previous_id));
    out.push_back(AnonymousIdentity(e.previous_id));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Regulations>> Regulations::Open(store::Store& store) {
  SP_ASSIGN_OR_RETURN(std::string secret,
                      store::GetOrCreateSecret(store.db(), store::Cf::kPrivacy, kSecretKey));
  std::unique_ptr<Regulations> r(new Regulations(store, std::move(secret)));
  // Read into locals (the scans' callbacks are not seen to hold the mutex), then moved in.
  decltype(r->tombstones_) tombstones;
  decltype(r->suppressed_) suppressed;
  Status bad;
  SP_RETURN_IF_ERROR(
      store.db().Scan(store::Cf::kPrivacy, kTombstonePrefix, kTombstonePrefix,
                      [&](std::string_view key, std::string_view value) {
                        int64_t at = 0;
                        if (!store::GetSignedVarint64(value, at)) {
                          bad = Status::Corruption("an erasure tombstone is unreadable");
                          return false;
                        }
                        tombstones[std::string(key.substr(kTombstonePrefix.size()))] = at;
                        return true;
                      }));
  SP_RETURN_IF_ERROR(bad);
  SP_RETURN_IF_ERROR(store.db().Scan(
      store::Cf::kPrivacy, kSuppressionPrefix, kSuppressionPrefix,
      [&](std::string_view key, std::string_view value) {
        Suppression s;
        if (!store::GetVarint64(value, s.regulation) || !store::GetSignedVarint64(value, s.since)) {
          bad = Status::Corruption("a suppression record is unreadable");
          return false;
        }
        suppressed[std::string(key.substr(kSuppressionPrefix.size()))] = s;
        return true;
      }));
  SP_RETURN_IF_ERROR(bad);
  MutexLock lock(r->mu_);
  r->tombstones_ = std::move(tombstones);
  r->suppressed_ = std::move(suppressed);
  r->any_ = !r->tombstones_.empty() || !r->suppressed_.empty();
  return r;
}

std::string Regulations::HashOf(std::string_view identity) const {
  return delivery::HmacSha256(secret_, identity);
}

Status Regulations::Tombstone(const std::vector<std::string>& identities, TimeMs at) {
  std::vector<std::string> hashes;
  for (const auto& id : identities) hashes.push_back(HashOf(id));
  MutexLock lock(mu_);
  store::Batch batch = store_.db().NewBatch();
  for (const auto& h : hashes) {
    auto it = tombstones_.find(h);
    if (it != tombstones_.end() && it->second >= at) continue;
    std::string value;
    store::PutSignedVarint64(value, at);
    batch.Put(store::Cf::kPrivacy, RecordKey(kTombstonePrefix, h), value);
  }
  if (batch.Count() > 0) SP_RETURN_IF_ERROR(store_.db().Write(batch, /*sync=*/true));
  for (const auto& h : hashes) {
    TimeMs& t = tombstones_[h];
    t = std::max(t, at);
  }
  any_ = true;
  return Status::Ok();
}

Status Regulations::Suppress(const std::vector<std::string>& identities, uint64_t regulation,
                             TimeMs at) {
  std::vector<std::string> hashes;
  for (const auto& id : identities) hashes.push_back(HashOf(id));
  MutexLock lock(mu_);
  store::Batch batch = store_.db().NewBatch();
  for (const auto& h : hashes) {
    if (suppressed_.contains(h)) continue;  // already suppressed (by this or another regulation)
    std::string value;
    store::PutVarint64(value, regulation);
    store::PutSignedVarint64(value, at);
    batch.Put(store::Cf::kPrivacy, RecordKey(kSuppressionPrefix, h), value);
  }
  if (batch.Count() > 0) SP_RETURN_IF_ERROR(store_.db().Write(batch, /*sync=*/true));
  for (const auto& h : hashes) suppressed_.try_emplace(h, Suppression{at, regulation});
  if (!hashes.empty()) any_ = true;
  return Status::Ok();
}

Result<size_t> Regulations::Unsuppress(const std::vector<std::string>& identities) {
  std::vector<std::string> hashes;
  for (const auto& id : identities) hashes.push_back(HashOf(id));
  MutexLock lock(mu_);
  std::unordered_map<uint64_t, bool> lifted;
  for (const auto& h : hashes) {
    auto it = suppressed_.find(h);
    if (it != suppressed_.end()) lifted[it->second.regulation] = true;
  }
  if (lifted.empty()) return size_t{0};
  store::Batch batch = store_.db().NewBatch();
  std::vector<std::string> gone;
  for (const auto& [h, s] : suppressed_) {
    if (!lifted.contains(s.regulation)) continue;
    batch.Delete(store::Cf::kPrivacy, RecordKey(kSuppressionPrefix, h));
    gone.push_back(h);
  }
  SP_RETURN_IF_ERROR(store_.db().Write(batch, /*sync=*/true));
  for (const auto& h : gone) suppressed_.erase(h);
  any_ = !tombstones_.empty() || !suppressed_.empty();
  return gone.size();
}

bool Regulations::Refuses(const Event& event) {
  if (!any_.load(std::memory_order_acquire)) return false;
  std::vector<std::string> hashes;
  for (const auto& id : IdentitiesNamedBy(event)) hashes.push_back(HashOf(id));
  MutexLock lock(mu_);
  for (const auto& h : hashes) {
    if (auto s = suppressed_.find(h); s != suppressed_.end()) {
      ++refused_suppressed_;
      ++refused_by_regulation_[s->second.regulation];
      return true;
    }
  }
  for (const auto& h : hashes) {
    if (auto t = tombstones_.find(h); t != tombstones_.end() && event.timestamp <= t->second) {
      ++refused_erased_;
      return true;
    }
  }
  return false;
}

size_t Regulations::tombstone_count() const {
  MutexLock lock(mu_);
  return tombstones_.size();
}

size_t Regulations::suppressed_count() const {
  MutexLock lock(mu_);
  return suppressed_.size();
}

uint64_t Regulations::RefusedUnder(uint64_t regulation) const {
  MutexLock lock(mu_);
  auto it = refused_by_regulation_.find(regulation);
  return it == refused_by_regulation_.end() ? 0 : it->second;
}

Result<store::AppendResult> AppendAdmitted(Regulations* regulations,
                                           identity::ProfileStore& profiles,
                                           std::vector<Event>& events) {
  if (regulations == nullptr) return profiles.Append(events);
  std::vector<bool> refused(events.size(), false);
  size_t n_refused = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (regulations->Refuses(events[i])) {
      refused[i] = true;
      ++n_refused;
    }
  }
  if (n_refused == 0) return profiles.Append(events);
  std::vector<Event> admitted;
  admitted.reserve(events.size() - n_refused);
  for (size_t i = 0; i < events.size(); ++i) {
    if (!refused[i]) admitted.push_back(std::move(events[i]));
  }
  auto result = profiles.Append(admitted);
  // Back in place, so each submission's slice of the group still lines up.
  for (size_t i = 0, k = 0; i < events.size(); ++i) {
    if (refused[i]) {
      events[i].seq = 0;
    } else {
      events[i] = std::move(admitted[k++]);
    }
  }
  return result;
}

}  // namespace signpost::engine
