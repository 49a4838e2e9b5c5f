// Engine: the event catalog and schema drift (include/signpost/engine.h), answered by the catalog
// service (catalog_service.h; the report types in signpost/event_catalog.h).
#include "engine/catalog_service.h"
#include "engine/engine_impl.h"
#include "signpost/engine.h"

namespace signpost {

Result<EventCatalogReport> Engine::EventCatalog(const CatalogQuery& query) const {
  return impl_->catalog->Report(query);
}

Result<DriftReport> Engine::SchemaDrift() const { return impl_->catalog->Drift(); }

void Engine::SetEventCatalogObserving(bool on) { impl_->catalog->SetObserving(on); }

}  // namespace signpost
