// Engine's funnel insights (include/signpost/engine.h): step drivers, answered by the funnel
// service (funnel_insights.cc).
#include "engine/engine_impl.h"
#include "engine/funnel_service.h"
#include "signpost/engine.h"

namespace signpost {

Result<StepDriversReport> Engine::FunnelDrivers(const StepDriversQuery& query) const {
  return impl_->funnels->Drivers(query);
}

Result<StepImportanceReport> Engine::FunnelImportance(const StepImportanceQuery& query) const {
  return impl_->funnels->Importance(query);
}

Result<NextBestActionReport> Engine::FunnelNextBestAction(const NextBestActionQuery& query) const {
  return impl_->next_best_actions->Report(query);
}

Result<ProfileNextBestAction> Engine::NextBestActionFor(std::string_view profile,
                                                        const FunnelId& funnel) const {
  return impl_->next_best_actions->ForIdentity(funnel, profile);
}

}  // namespace signpost
