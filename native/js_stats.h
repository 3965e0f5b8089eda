// The JS shape of a model's statistics (ModelStatistics in ts/model-types.ts).
#pragma once

#include <napi.h>

#include <cstdint>

#include "inference_stats.h"

namespace proton {

// {executions, inferences, batchSizes, pending, lastInferenceMs, inferenceStats, batchStats,
// instanceExecutions, latencyHistograms}.
Napi::Object StatsToJs(Napi::Env env, const StatsSnapshot& stats, uint64_t pending);

}  // namespace proton
