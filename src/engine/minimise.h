// Minimiser: data minimisation at ingest (issue 13, item 5). Before an event from outside is
// stored — HTTP, imports, re-imported dead letters and Engine::IngestEvents alike (the commit
// function calls Apply) — it applies the `privacy` section of `kind: settings`
// (privacy_settings.h): the property allow/deny lists of the event's source
// (`context.library.name`, or "*"), sensitive properties stored as a keyed hash ("hmac:<32 hex>",
// HMAC-SHA256 under a secret kept in the data folder, so equal values stay equal for funnels and
// segments) or dropped, and `context.ip` truncated (IPv4 /24, IPv6 /48) or dropped. The engine's
// own events (messageId "sp:...") are left alone. It also empties dead letters' raw bodies once
// they are older than `dead_letters.raw_body_for` (SweepDeadLetters).
//
// Thread-safety: every method may be called from any thread. Configure swaps the compiled rules
// under a mutex; Apply takes a snapshot of them once per call.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "engine/privacy_settings.h"
#include "signpost/clock.h"
#include "signpost/event.h"
#include "signpost/status.h"

namespace signpost::store {
class Store;
}  // namespace signpost::store

namespace signpost::engine {

// `ip` truncated: an IPv4 address to its /24 ("203.0.113.77" -> "203.0.113.0"), an IPv6 one to
// its /48 ("2001:db8:85a3:8d3:1319:8a2e:370:7348" -> "2001:db8:85a3::"; IPv4-mapped ones as IPv4).
// "" when `ip` is not an IP address. Pure.
std::string TruncateIp(std::string_view ip);

// "hmac:" + the first 16 bytes, in hex, of HMAC-SHA256(`secret`, `value`). Pure.
std::string KeyedHash(std::string_view secret, std::string_view value);

class Minimiser {
 public:
  // The hashing key is the data folder's (made on first use, kept in the meta column family).
  // `store` outlives the minimiser. Read and write errors of the key as the store reports them.
  static Result<std::unique_ptr<Minimiser>> Open(store::Store& store,
                                                 const PrivacySettings& settings);
  // With the given key; dead letters are swept in `store` (none when null: tests).
  Minimiser(std::string secret, const PrivacySettings& settings, store::Store* store);
  ~Minimiser();

  // Uses `settings` from now on (paths were checked by ParsePrivacySection).
  void Configure(const PrivacySettings& settings) EXCLUDES(mu_);

  // Minimises the events in place (events whose messageId starts with "sp:" are the engine's own
  // and untouched).
  void Apply(std::vector<Event>& events) const EXCLUDES(mu_);

  // True when a dead letter kept at `at` no longer keeps its raw body at `now`.
  bool RawBodyExpired(TimeMs at, TimeMs now) const EXCLUDES(mu_);
  // Empties the raw body of every dead letter older than the period at `now` (from the oldest
  // not yet emptied on). Without a store (tests): nothing. Runs at most once an hour of `now`
  // unless `force`.
  Status SweepDeadLetters(TimeMs now, bool force = false) EXCLUDES(sweep_mu_, mu_);

 private:
  struct Rules;
  std::shared_ptr<const Rules> Snapshot() const EXCLUDES(mu_);

  const std::string secret_;
  store::Store* const store_;
  mutable Mutex mu_;
  std::shared_ptr<const Rules> rules_ GUARDED_BY(mu_);
  Mutex sweep_mu_;
  uint64_t swept_through_ GUARDED_BY(sweep_mu_) = 0;  // dead letters <= this id are emptied
  TimeMs last_sweep_ GUARDED_BY(sweep_mu_) = 0;
  bool swept_ GUARDED_BY(sweep_mu_) = false;
};

}  // namespace signpost::engine
