#include "engine/profile_service.h"

namespace signpost::engine {

ProfileService::ProfileService(const identity::ProfileStore& profiles) : profiles_(profiles) {}

Result<ProfileReport> ProfileService::Profile(std::string_view identity) const {
  SP_ASSIGN_OR_RETURN(identity::ProfileView p, profiles_.GetProfile(identity));
  ProfileReport out;
  out.id = p.id;
  out.identities = std::move(p.identities);
  out.traits = std::move(p.traits);
  for (identity::TraitChange& c : p.trait_history) {
    out.trait_history.push_back({.trait = std::move(c.name),
                                 .value_json = std::move(c.value),
                                 .timestamp = c.timestamp,
                                 .seq = c.seq});
  }
  out.consent = {.email = p.consent.email, .sms = p.consent.sms, .push = p.consent.push};
  out.event_count = p.event_count;
  if (p.event_count > 0) {
    out.first_seen = p.first_seen;
    out.last_seen = p.last_seen;
  }
  for (identity::RefusedMerge& r : p.refused_merges) {
    out.refused_merges.push_back({.identity = std::move(r.identity),
                                  .other = std::move(r.other),
                                  .user = std::move(r.user),
                                  .other_user = std::move(r.other_user),
                                  .message_id = std::move(r.message_id),
                                  .event_type = std::move(r.event_type),
                                  .at = r.at});
  }
  SP_ASSIGN_OR_RETURN(out.last_events, profiles_.ProfileEvents(identity, 10));
  return out;
}

Result<ProfileEventList> ProfileService::Events(std::string_view identity, size_t limit) const {
  ProfileEventList out;
  SP_ASSIGN_OR_RETURN(out.identity, profiles_.Resolve(identity));
  SP_ASSIGN_OR_RETURN(out.events, profiles_.ProfileEvents(out.identity, limit));
  out.profile = profiles_.ProfileOf(out.identity);
  return out;
}

}  // namespace signpost::engine
