// Engine: privacy regulations (the privacy service; engine.cc wires it to the services).
#include "engine/engine_impl.h"

namespace signpost {

Result<RegulationReport> Engine::Regulate(
    const RegulationRequest& request,
    const std::function<void(const RegulationProgress&)>& progress) {
  return impl_->privacy->Run(request, progress);
}

Result<RegulationReport> Engine::Regulation(uint64_t id) const { return impl_->privacy->Get(id); }

}  // namespace signpost
