// DefinitionService: applying definitions (YAML or JSON documents with a `kind`) and listing the
// stored versions of each kind. Apply reads each document's kind and id, checks several documents
// as one (a later one may refer to an earlier one) before any is stored, then hands each to the
// service that owns its kind (funnels, segments, delivery's templates and channels, journeys and
// the settings), which validates it completely and stores a new version (definition_records.h).
//
// Thread-safety: every method may be called from any thread. Applies and deletes are serialized
// here (change_mu_), so a delete's check that nothing refers to a definition holds until it is
// removed; each kind's service also serializes its own (a segment cycle or a channel type that no
// longer fits a stored template is refused by that service). Plan and the reads take no lock.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "engine/delivery_service.h"
#include "engine/funnel_service.h"
#include "engine/journey_service.h"
#include "engine/segment_service.h"
#include "engine/settings.h"
#include "journeys/journey_definition.h"
#include "signpost/reports.h"
#include "signpost/status.h"
#include "store/definition_kind.h"
#include "store/store.h"

namespace signpost::engine {

class DefinitionService {
 public:
  // Every reference outlives the service. `references` says what a journey definition may refer
  // to among the stored definitions (segments, channels, templates, funnels).
  DefinitionService(store::Store& store, FunnelService& funnels, SegmentService& segments,
                    DeliveryService& delivery, JourneyService& journeys, SettingsService& settings,
                    std::function<journeys::References()> references);

  // See Engine::ApplyDocuments (include/signpost/engine.h).
  Result<AppliedDefinitions> Apply(const std::vector<std::string_view>& docs, std::string_view note,
                                   size_t* failed) EXCLUDES(change_mu_);
  // See Engine::PlanDocuments.
  Result<AppliedDefinitions> Plan(const std::vector<std::string_view>& docs, size_t* failed) const;
  // The latest version of every stored definition of `kind`, by id.
  Result<DefinitionList> List(DefinitionKind kind) const;
  // See Engine::GetDefinition and Engine::DeleteDefinition.
  Result<DefinitionText> Get(DefinitionKind kind, std::string_view id, uint64_t version) const;
  Result<DeletedDefinition> Delete(DefinitionKind kind, std::string_view id, bool dry_run)
      EXCLUDES(change_mu_);

  // A kind whose service is not one of the constructor's (tracking plans: the catalog service):
  // how to check a document, store it as a new version, and take a deleted one out of force. Set
  // by Engine::Open before anything is applied; nothing refers to such a kind.
  struct KindHandler {
    std::function<Status(std::string_view text)> check;
    std::function<Result<AppliedDefinition>(std::string_view text, std::string_view note)> apply;
    std::function<void(std::string_view id)> removed;
  };
  void AddKind(DefinitionKind kind, KindHandler handler) { kinds_[kind] = std::move(handler); }

 private:
  struct Pending;
  struct Document;
  // Reads every document's kind and id and what storing it would do (created, configured or
  // unchanged against the stored latest version); with `check_all`, also checks every document
  // as a multi-document apply does (a single-document apply leaves that to its kind's service).
  // Errors name the document as Apply describes.
  Result<std::vector<Document>> Read(const std::vector<std::string_view>& docs, size_t* failed,
                                     bool check_all) const;
  // The stored definitions that refer to (kind, id), as "journey/welcome@3" (at most a few).
  Result<std::vector<std::string>> Referrers(DefinitionKind kind, std::string_view id) const;
  // Validates one document of a multi-document apply completely, as its kind's service would,
  // except that it refers to the definitions of `pending` as if they were stored; then adds it to
  // `pending`.
  Status Check(store::DefinitionKind kind, std::string_view text, Pending& pending) const;
  // Hands one checked document to the service of its kind.
  Result<AppliedDefinition> Store(DefinitionKind kind, std::string_view text,
                                  std::string_view note);

  store::Store& store_;
  FunnelService& funnels_;
  SegmentService& segments_;
  DeliveryService& delivery_;
  JourneyService& journeys_;
  SettingsService& settings_;
  const std::function<journeys::References()> references_;
  // Applies and deletes, one at a time: a delete's check that nothing refers to the definition
  // holds until it is removed.
  Mutex change_mu_;
  std::map<DefinitionKind, KindHandler> kinds_;  // set before anything is applied (AddKind)
};

}  // namespace signpost::engine
