// FunnelReport: what a funnel query returns. The report types are public (signpost/reports.h);
// src/wire writes them as JSON. These names are the kernel's.
#pragma once

#include "signpost/reports.h"

namespace signpost::analytics {

using TimingStats = FunnelTiming;
using StepStats = FunnelStepStats;
using Histogram = FunnelHistogram;
using CompletionWithin = FunnelCompletion;
using TrendPoint = FunnelTrendPoint;
using BreakdownRow = FunnelBreakdownRow;
using FunnelReport = ::signpost::FunnelReport;

}  // namespace signpost::analytics
