// The names the edges write for the enums of include/signpost/reports.h (enum_names.h tables), so
// src/experiments and src/wire spell them from the same lines.
//
// Thread-safety: constexpr tables.
#pragma once

#include "base/enum_names.h"
#include "signpost/reports.h"

namespace signpost {

inline constexpr EnumName<ExperimentDecision> kExperimentDecisionNames[] = {
    {ExperimentDecision::kRunning, "running"},
    {ExperimentDecision::kWinner, "winner"},
    {ExperimentDecision::kNoWinner, "no_winner"},
    {ExperimentDecision::kEnded, "ended"},
};

inline constexpr EnumName<MoneyReport::CostSource> kCostSourceNames[] = {
    {MoneyReport::CostSource::kQuery, "query"},
    {MoneyReport::CostSource::kChannel, "channel"},
};

}  // namespace signpost
