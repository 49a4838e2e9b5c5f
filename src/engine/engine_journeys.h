// The journeys inside the engine, around the JourneyService (journey_service.h): the environment
// the runtime reads profiles through (the services wired together), what a journey definition
// refers to, and the step analytics views.
#pragma once

#include <functional>
#include <memory>

#include "engine/engine_channels.h"
#include "engine/engine_impl.h"
#include "goals/attribution.h"
#include "journeys/runtime.h"

namespace signpost {

// The environment the runtime reads profiles through (live and replay). With `channels`, its
// `channel: auto` choices come from (and are counted in) that ChannelBandits, under keys of their
// own, never reusing a stored choice (a replay); without, from the live one in JourneysPart.
std::unique_ptr<journeys::Environment> MakeEnvironment(const Engine::Impl& m,
                                                       ChannelBandits* channels = nullptr);
// The global frequency cap from the `kind: settings` definition (0 = none).
int FrequencyCap(const store::Store& store);
// What a journey definition refers to (segments, templates, channels, funnels, its goal), checked
// against the stored definitions.
journeys::References JourneyReferences(const Engine::Impl& m);
// The daily frequency cap of a `kind: settings` text (0 = none); kInvalidArgument naming the field.
Result<int> ParseSettingsCap(std::string_view text);
// The runtime's view of a stored event of `profile`.
journeys::InputEvent InputOf(const Event& e, ProfileId profile);
// Step analytics of a journey: the entry node, then each step of `def` with inflow, in progress,
// passed on, exits by reason and the edges to the next steps.
std::vector<JourneyStepView> StepViews(const journeys::JourneyDefinition& def,
                                       const journeys::JourneyStatus& st);
// The journey's totals (exits from steps, the entry node's left out).
JourneyTotals TotalsOf(const journeys::JourneyStatus& st);
}  // namespace signpost
