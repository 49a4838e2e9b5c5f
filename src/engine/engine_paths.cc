// Engine's multi-path reporting (include/signpost/engine.h), answered by the funnel service
// (funnel_paths.cc).
#include "engine/engine_impl.h"
#include "engine/funnel_service.h"
#include "signpost/engine.h"

namespace signpost {

Result<FunnelPathsReport> Engine::FunnelPaths(const FunnelPathsQuery& query) const {
  return impl_->funnels->Paths(query);
}

}  // namespace signpost
