#include "inference_stats.h"

#include <algorithm>

namespace proton {

void InferenceStats::AtomicTotal::Add(Clock::duration d) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  count.fetch_add(1, std::memory_order_relaxed);
  this->ns.fetch_add(ns > 0 ? static_cast<uint64_t>(ns) : 0, std::memory_order_relaxed);
}

PhaseTotal InferenceStats::AtomicTotal::Load() const {
  return {count.load(std::memory_order_relaxed), ns.load(std::memory_order_relaxed)};
}

InferenceStats::InferenceStats(size_t maxRows, int instances)
    : rows_(std::max<size_t>(maxRows, 1) + 1),
      byBatch_(std::make_unique<BatchRow[]>(rows_)),
      instances_(std::max(instances, 1)),
      byInstance_(std::make_unique<std::atomic<uint64_t>[]>(instances_)) {}

void InferenceStats::RecordExecution(int instance, int64_t rows, const JobTimes& times) {
  executions_.fetch_add(1, std::memory_order_relaxed);
  inferences_.fetch_add(static_cast<uint64_t>(rows), std::memory_order_relaxed);
  byInstance_[std::clamp(instance, 0, instances_ - 1)].fetch_add(1, std::memory_order_relaxed);
  BatchRow& row = byBatch_[std::min<size_t>(static_cast<size_t>(rows), rows_ - 1)];
  row.executions.fetch_add(1, std::memory_order_relaxed);
  row.computeInput.Add(times.inputsReady - times.started);
  row.computeInfer.Add(times.inferDone - times.inputsReady);
  row.computeOutput.Add(times.finished - times.inferDone);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  lastInferenceMs_.store(std::chrono::duration_cast<std::chrono::milliseconds>(now).count(),
                         std::memory_order_relaxed);
}

void InferenceStats::RecordSuccess(const JobTimes& times) {
  success_.Add(times.finished - times.enqueued);
  queue_.Add(times.started - times.enqueued);
  computeInput_.Add(times.inputsReady - times.started);
  computeInfer_.Add(times.inferDone - times.inputsReady);
  computeOutput_.Add(times.finished - times.inferDone);
  queueHistogram_.Record(times.started - times.enqueued);
  computeInferHistogram_.Record(times.inferDone - times.inputsReady);
}

void InferenceStats::RecordFailure(const JobTimes& times, Clock::time_point now) {
  fail_.Add(now - times.enqueued);
}

StatsSnapshot InferenceStats::Snapshot() const {
  StatsSnapshot s;
  s.executions = executions_.load(std::memory_order_relaxed);
  s.inferences = inferences_.load(std::memory_order_relaxed);
  s.lastInferenceMs = lastInferenceMs_.load(std::memory_order_relaxed);
  s.success = success_.Load();
  s.fail = fail_.Load();
  s.queue = queue_.Load();
  s.computeInput = computeInput_.Load();
  s.computeInfer = computeInfer_.Load();
  s.computeOutput = computeOutput_.Load();
  s.batchSizes.resize(rows_);
  for (size_t rows = 0; rows < rows_; ++rows) {
    const BatchRow& row = byBatch_[rows];
    s.batchSizes[rows] = row.executions.load(std::memory_order_relaxed);
    if (s.batchSizes[rows] == 0) continue;
    s.batches.push_back(
        {rows, row.computeInput.Load(), row.computeInfer.Load(), row.computeOutput.Load()});
  }
  s.instanceExecutions.resize(instances_);
  for (int i = 0; i < instances_; ++i)
    s.instanceExecutions[i] = byInstance_[i].load(std::memory_order_relaxed);
  s.queueHistogram = queueHistogram_.Load();
  s.computeInferHistogram = computeInferHistogram_.Load();
  return s;
}

}  // namespace proton
