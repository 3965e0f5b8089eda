#include "js_stats.h"

namespace proton {

namespace {

Napi::Object PhaseToJs(Napi::Env env, const PhaseTotal& total) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("count", static_cast<double>(total.count));
  result.Set("ns", static_cast<double>(total.ns));
  return result;
}

// {counts, sumNs}: counts[i] per bucket of kLatencyBucketBoundsNs, the last one above them all.
Napi::Object HistogramToJs(Napi::Env env, const HistogramSnapshot& histogram) {
  Napi::Object result = Napi::Object::New(env);
  Napi::Array counts = Napi::Array::New(env, histogram.counts.size());
  for (size_t i = 0; i < histogram.counts.size(); ++i)
    counts.Set(static_cast<uint32_t>(i), static_cast<double>(histogram.counts[i]));
  result.Set("counts", counts);
  result.Set("sumNs", static_cast<double>(histogram.sumNs));
  return result;
}

}  // namespace

Napi::Object StatsToJs(Napi::Env env, const StatsSnapshot& stats, uint64_t pending) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("executions", static_cast<double>(stats.executions));
  result.Set("inferences", static_cast<double>(stats.inferences));
  Napi::Array sizes = Napi::Array::New(env, stats.batchSizes.size());
  for (size_t i = 0; i < stats.batchSizes.size(); ++i) {
    sizes.Set(static_cast<uint32_t>(i), static_cast<double>(stats.batchSizes[i]));
  }
  result.Set("batchSizes", sizes);
  result.Set("pending", static_cast<double>(pending));
  result.Set("lastInferenceMs", static_cast<double>(stats.lastInferenceMs));
  Napi::Object inference = Napi::Object::New(env);
  inference.Set("success", PhaseToJs(env, stats.success));
  inference.Set("fail", PhaseToJs(env, stats.fail));
  inference.Set("queue", PhaseToJs(env, stats.queue));
  inference.Set("computeInput", PhaseToJs(env, stats.computeInput));
  inference.Set("computeInfer", PhaseToJs(env, stats.computeInfer));
  inference.Set("computeOutput", PhaseToJs(env, stats.computeOutput));
  result.Set("inferenceStats", inference);
  Napi::Array batches = Napi::Array::New(env, stats.batches.size());
  for (size_t i = 0; i < stats.batches.size(); ++i) {
    const BatchSizeStats& row = stats.batches[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("batchSize", static_cast<double>(row.batchSize));
    entry.Set("computeInput", PhaseToJs(env, row.computeInput));
    entry.Set("computeInfer", PhaseToJs(env, row.computeInfer));
    entry.Set("computeOutput", PhaseToJs(env, row.computeOutput));
    batches.Set(static_cast<uint32_t>(i), entry);
  }
  result.Set("batchStats", batches);
  Napi::Array instances = Napi::Array::New(env, stats.instanceExecutions.size());
  for (size_t i = 0; i < stats.instanceExecutions.size(); ++i) {
    instances.Set(static_cast<uint32_t>(i), static_cast<double>(stats.instanceExecutions[i]));
  }
  result.Set("instanceExecutions", instances);
  Napi::Object histograms = Napi::Object::New(env);
  histograms.Set("queue", HistogramToJs(env, stats.queueHistogram));
  histograms.Set("computeInfer", HistogramToJs(env, stats.computeInferHistogram));
  result.Set("latencyHistograms", histograms);
  return result;
}

}  // namespace proton
