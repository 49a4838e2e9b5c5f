// Engine: the event catalog and schema drift (catalog_service.h; signpost/event_catalog.h).
#include "engine/catalog_service.h"
#include "engine/engine_impl.h"
#include "signpost/event_catalog.h"

namespace signpost {

Result<EventCatalogReport> EventCatalogOf(Engine& engine, const CatalogQuery& query) {
  return ImplOf(engine).catalog->Report(query);
}

Result<DriftReport> SchemaDriftOf(Engine& engine) { return ImplOf(engine).catalog->Drift(); }

void SetEventCatalogObserving(Engine& engine, bool on) { ImplOf(engine).catalog->SetObserving(on); }

}  // namespace signpost
