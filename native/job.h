// One inference request as the model's worker threads see it: plain C++ data, no JS values.
#pragma once

#include <onnxruntime_c_api.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ort_api.h"

namespace proton {

using Clock = std::chrono::steady_clock;

struct InputTensor {
  std::vector<int64_t> dims;
  // Borrowed from the caller's ArrayBuffer, which the JS side keeps referenced until completion.
  const void* data = nullptr;
  size_t bytes = 0;
  // Copied on the JS thread: JS strings cannot be read from another thread.
  std::vector<std::string> strings;
};

// Frees a block from std::malloc.
struct FreeDeleter {
  void operator()(uint8_t* block) const noexcept { std::free(block); }
};

// An output tensor, or a batch row range of one. `data` points into ORT's memory, which `value`
// keeps alive, or, for large outputs, into `owned`: a copy the model thread made, which the JS
// thread adopts as an ArrayBuffer's memory instead of copying it (`value` is then empty).
struct OutputTensor {
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> dims;
  std::shared_ptr<OrtValue> value;
  std::unique_ptr<uint8_t, FreeDeleter> owned;
  const uint8_t* data = nullptr;
  size_t bytes = 0;
  std::vector<std::string> strings;
};

// Opaque to the workers: handles that only the JS thread creates and releases.
struct JsHandles {
  void* deferred = nullptr;
  std::vector<void*> references;
};

// When a job passed each phase (steady clock). A batch's phases are shared by all its jobs.
struct JobTimes {
  Clock::time_point enqueued;     // accepted on the JS thread
  Clock::time_point started;      // its execution began (end of the queue phase)
  Clock::time_point inputsReady;  // inputs handed to the session (end of compute input)
  Clock::time_point inferDone;    // Run returned (end of compute infer)
  Clock::time_point finished;     // outputs handed back (end of compute output)
};

struct Job {
  std::vector<InputTensor> inputs;  // in the model's input order
  std::vector<size_t> outputs;      // indices of the requested outputs, in order
  int64_t batchSize = 1;            // leading dimension when the model batches, else 1
  Clock::time_point deadline = Clock::time_point::max();
  // Set to non-zero by JS (Atomics.store) when the caller gives up; may be null.
  int32_t* cancelFlag = nullptr;
  bool wantTiming = false;  // the caller asked for this request's phase durations
  JobTimes times;

  bool failed = false;
  ErrorCode errorCode = ErrorCode::kInternal;
  std::string errorMessage;
  std::string errorDetail;  // the raw text behind errorMessage, for logs; may be empty
  std::vector<OutputTensor> results;

  JsHandles js;
  Job* next = nullptr;  // link while in a CompletionList (which then owns the job)

  void Fail(ErrorCode code, std::string message, std::string detail = {}) {
    failed = true;
    errorCode = code;
    errorMessage = std::move(message);
    errorDetail = std::move(detail);
    results.clear();
  }

  // Frees, on the worker thread that calls it, what a worker allocated for the job: its outputs
  // (ORT's memory) and error texts. The job then goes back to the JS thread for reuse.
  void ReleaseWorkerMemory() noexcept {
    std::vector<OutputTensor>().swap(results);
    std::string().swap(errorMessage);
    std::string().swap(errorDetail);
  }

  // A fresh job's state for the JS thread's next request, keeping the capacity of the vectors the
  // JS thread allocated. Called after ReleaseWorkerMemory; every field is reset here.
  void ResetForReuse() noexcept {
    inputs.clear();
    outputs.clear();
    batchSize = 1;
    deadline = Clock::time_point::max();
    cancelFlag = nullptr;
    wantTiming = false;
    times = JobTimes{};
    failed = false;
    errorCode = ErrorCode::kInternal;
    js.deferred = nullptr;
    js.references.clear();
    next = nullptr;
  }

  bool Cancelled() const {
    return cancelFlag != nullptr &&
           std::atomic_ref<int32_t>(*cancelFlag).load(std::memory_order_relaxed) != 0;
  }
};

// Every job is owned by exactly one of: the JS thread's Infer, the queue, a worker's batch, a
// CompletionList. Outside the lists ownership is always this type.
using JobPtr = std::unique_ptr<Job>;

}  // namespace proton
