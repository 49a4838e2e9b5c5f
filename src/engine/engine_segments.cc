// Engine: segments. Static lists (saved funnel people, imported ids) and rule segments.
#include <fmt/format.h>

#include <algorithm>

#include "base/time.h"
#include "engine/engine_segments.h"

namespace signpost {

using nlohmann::json;

Status Engine::Impl::OpenSegments() {
  segments = std::make_unique<SegmentsPart>();
  return Status::Ok();
}

Result<json> Engine::Impl::ApplySegment(std::string_view text, std::string_view note) {
  return Status::InvalidArgument("kind: 'segment' definitions are not built yet");
}

Result<std::vector<ProfileId>> Engine::Impl::SegmentMembers(std::string_view name) const {
  SP_ASSIGN_OR_RETURN(store::StaticSegment seg, store().segments().Get(name));
  std::vector<ProfileId> out;
  out.reserve(seg.identities.size());
  for (const auto& identity : seg.identities) {
    ProfileId p = profiles->ProfileOf(identity);
    if (p.value() != 0) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<json> Engine::ListSegments() const {
  SP_ASSIGN_OR_RETURN(auto segments, impl_->store().segments().List());
  json out = json::array();
  for (const auto& s : segments) {
    out.push_back({{"name", s.name}, {"version", s.version}, {"members", s.identities.size()},
                   {"note", s.note}, {"at", FormatIso8601(s.at)}});
  }
  return json{{"segments", out}};
}

Result<json> Engine::Segment(std::string_view name) const {
  SP_ASSIGN_OR_RETURN(store::StaticSegment s, impl_->store().segments().Get(name));
  return json{{"name", s.name}, {"version", s.version}, {"note", s.note},
              {"at", FormatIso8601(s.at)}, {"identities", s.identities}};
}

Result<json> Engine::SegmentsOf(std::string_view profile) const {
  return Status::NotFound("segment membership of a profile is not built yet");
}

}  // namespace signpost
