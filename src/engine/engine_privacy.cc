// Engine: privacy regulations (the privacy service; engine.cc wires it to the services).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/engine_impl.h"

namespace signpost {

Result<RegulationReport> Engine::Regulate(
    const RegulationRequest& request,
    const std::function<void(const RegulationProgress&)>& progress) {
  auto r = impl_->privacy->Run(request, progress);
  // Counts only: the audit log never holds the ids.
  nlohmann::json detail = {{"type", RegulationTypeName(request.type)},
                           {"subject", SubjectTypeName(request.subject)},
                           {"ids", request.ids.size()}};
  if (r.ok()) {
    detail["found"] = r->found;
    detail["profiles_erased"] = r->profiles_erased;
    detail["events_erased"] = r->events_erased;
    detail["identities_suppressed"] = r->identities_suppressed;
    detail["identities_unsuppressed"] = r->identities_unsuppressed;
    detail["purged"] = r->purged;
  }
  const char* action = request.type == RegulationType::kUnsuppress ? "privacy.unsuppress"
                       : request.type == RegulationType::kDelete   ? "privacy.erase"
                                                                   : "privacy.suppress";
  impl_->audit->Record(action, r.ok() ? fmt::format("regulation/{}", r->id) : "regulation", detail,
                       r.status());
  return r;
}

Result<RegulationReport> Engine::Regulation(uint64_t id) const { return impl_->privacy->Get(id); }

}  // namespace signpost
