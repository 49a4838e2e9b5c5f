// Engine: delivery. The durable outbox, the channels, open and click tracking.
#include "engine/engine_delivery.h"

namespace signpost {

using nlohmann::json;

Status Engine::Impl::OpenDelivery() {
  delivery = std::make_unique<DeliveryPart>();
  return Status::Ok();
}

void Engine::Impl::CloseDelivery() {}

Result<json> Engine::Impl::ApplyTemplate(std::string_view text, std::string_view note) {
  return Status::InvalidArgument("kind: 'template' definitions are not built yet");
}

Result<json> Engine::Impl::ApplyChannel(std::string_view text, std::string_view note) {
  return Status::InvalidArgument("kind: 'channel' definitions are not built yet");
}

Result<json> Engine::Outbox(size_t limit) const { return json{{"messages", json::array()}}; }

Status Engine::DeliverDue() { return Status::Ok(); }

Status Engine::TrackOpen(std::string_view token) {
  return Status::InvalidArgument("tracking is not built yet");
}

Result<std::string> Engine::TrackClick(std::string_view token) {
  return Status::InvalidArgument("tracking is not built yet");
}

}  // namespace signpost
