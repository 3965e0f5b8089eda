// Cumulative per-model statistics with Triton's inference_stats semantics: per request for
// success, fail, queue and the compute phases (a batch's phase time is attributed to each of its
// requests), per execution for the batch-size table. Written by every instance thread with
// relaxed atomics; a snapshot may see a count and its ns from slightly different moments.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "duration_histogram.h"
#include "job.h"

namespace proton {

struct PhaseTotal {
  uint64_t count = 0;
  uint64_t ns = 0;
};

struct BatchSizeStats {
  uint64_t batchSize = 0;
  PhaseTotal computeInput, computeInfer, computeOutput;  // count = executions of this size
};

struct StatsSnapshot {
  uint64_t executions = 0;
  uint64_t inferences = 0;
  int64_t lastInferenceMs = 0;  // ms since the Unix epoch; 0 before the first execution
  PhaseTotal success, fail, queue, computeInput, computeInfer, computeOutput;
  std::vector<BatchSizeStats> batches;       // sizes that ran at least once, ascending
  std::vector<uint64_t> batchSizes;          // executions by rows (index = rows)
  std::vector<uint64_t> instanceExecutions;  // executions by instance
  HistogramSnapshot queueHistogram, computeInferHistogram;  // per successful request
};

class InferenceStats {
 public:
  // Batch sizes above `maxRows` share the last row of the table.
  InferenceStats(size_t maxRows, int instances);

  // One execution of `rows` rows by `instance`, with the batch's shared phase times.
  void RecordExecution(int instance, int64_t rows, const JobTimes& times);
  // One request that ran and succeeded (times filled in by the worker).
  void RecordSuccess(const JobTimes& times);
  // One request that failed (before or during execution), finished at `now`.
  void RecordFailure(const JobTimes& times, Clock::time_point now);

  StatsSnapshot Snapshot() const;

 private:
  struct AtomicTotal {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> ns{0};
    void Add(Clock::duration d);
    PhaseTotal Load() const;
  };
  struct BatchRow {
    std::atomic<uint64_t> executions{0};
    AtomicTotal computeInput, computeInfer, computeOutput;
  };

  const size_t rows_;
  std::unique_ptr<BatchRow[]> byBatch_;
  const int instances_;
  std::unique_ptr<std::atomic<uint64_t>[]> byInstance_;
  std::atomic<uint64_t> executions_{0};
  std::atomic<uint64_t> inferences_{0};
  std::atomic<int64_t> lastInferenceMs_{0};
  AtomicTotal success_, fail_, queue_, computeInput_, computeInfer_, computeOutput_;
  DurationHistogram queueHistogram_, computeInferHistogram_;
};

}  // namespace proton
