// An ONNX Runtime session and what Proton needs to know about it: tensor metadata, and running
// one job or a batch of compatible jobs.
#pragma once

#include <onnxruntime_c_api.h>

#include <memory>
#include <string>
#include <vector>

#include "job.h"

namespace proton {

struct TensorInfo {
  std::string name;
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> dims;          // -1 for a dynamic dimension
  std::vector<std::string> symbolic;  // a dynamic dimension's name, or ""
  bool isTensor = true;               // false for sequences, maps and optionals
};

struct SessionOptions {
  int intraOpThreads = 1;
  int interOpThreads = 1;
  GraphOptimizationLevel optimization = ORT_ENABLE_ALL;
  ExecutionMode executionMode = ORT_SEQUENTIAL;
};

class ModelSession {
 public:
  // Throws ProtonFailure with the ONNX Runtime message when the model cannot be loaded.
  ModelSession(const std::string& path, const SessionOptions& options);
  ~ModelSession();

  ModelSession(const ModelSession&) = delete;
  ModelSession& operator=(const ModelSession&) = delete;

  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }

  // True when every input and output is a non-string tensor with a dynamic leading dimension.
  bool CanBatch(std::string* reason) const;

  // Runs the jobs as one execution (concatenated along dimension 0 when there are several) and
  // stores each job's results or error in the job; sets times.inputsReady and times.inferDone.
  // Safe to call from several threads at once.
  void Run(const JobPtr* jobs, size_t count, JobTimes& times) const;

 private:
  void RunOne(Job& job, JobTimes& times) const;
  void RunBatch(const JobPtr* jobs, size_t count, JobTimes& times) const;
  void Execute(const std::vector<OrtValue*>& inputs, const std::vector<size_t>& outputIndices,
               std::vector<OrtValue*>& outputs, JobTimes& times) const;
  std::vector<TensorInfo> ReadTensorInfo(bool inputs);

  OrtSession* session_ = nullptr;
  OrtMemoryInfo* cpuMemory_ = nullptr;
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
  std::vector<const char*> inputNames_;
  std::vector<const char*> outputNames_;
};

}  // namespace proton
