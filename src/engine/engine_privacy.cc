// Engine: privacy regulations, and the privacy service wired to the services that forget.
#include "engine/engine_impl.h"

namespace signpost {

namespace engine {

std::unique_ptr<PrivacyService> OpenPrivacy(Engine::Impl& impl) {
  PrivacyService::Hooks hooks;
  // The services told about each erased person, in order (each forgets what it holds).
  hooks.forget = {};
  return std::make_unique<PrivacyService>(impl.store(), *impl.profiles, *impl.regulations,
                                          *impl.clock, std::move(hooks));
}

}  // namespace engine

Result<RegulationReport> Engine::Regulate(
    const RegulationRequest& request,
    const std::function<void(const RegulationProgress&)>& progress) {
  return impl_->privacy->Run(request, progress);
}

Result<RegulationReport> Engine::Regulation(uint64_t id) const { return impl_->privacy->Get(id); }

}  // namespace signpost
