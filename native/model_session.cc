#include "model_session.h"

#include <cstdlib>
#include <cstring>

#include "element_type.h"

namespace proton {

namespace {

struct ValueDeleter {
  void operator()(OrtValue* value) const { Ort().ReleaseValue(value); }
};
using ValuePtr = std::unique_ptr<OrtValue, ValueDeleter>;

// Owns the OrtValues handed to Run.
struct ValueList {
  std::vector<OrtValue*> values;
  ~ValueList() {
    for (OrtValue* value : values) {
      if (value != nullptr) Ort().ReleaseValue(value);
    }
  }
};

OrtAllocator* DefaultAllocator() {
  OrtAllocator* allocator = nullptr;
  Check(Ort().GetAllocatorWithDefaultOptions(&allocator));
  return allocator;
}

// Outputs at least this large are copied out of ORT's memory here, on the model thread, into a
// block that JS adopts: the JS thread never copies them (64 MiB into fresh pages takes it 30 to
// 40 ms), and ORT's arena gets its memory back now rather than whenever V8 collects the output.
constexpr size_t kDetachMinBytes = 64 * 1024;

void Detach(OutputTensor& out) {
  if (out.bytes < kDetachMinBytes) return;
  auto* block = static_cast<uint8_t*>(std::malloc(out.bytes));
  if (block == nullptr) throw std::bad_alloc();
  std::memcpy(block, out.data, out.bytes);
  out.owned.reset(block);
  out.data = block;
  out.value.reset();
}

// Reads an output value into `out`, taking ownership of `raw`.
void ReadOutput(OrtValue* raw, const TensorInfo& info, OutputTensor& out) {
  std::shared_ptr<OrtValue> value(raw, ValueDeleter());
  ONNXType kind = ONNX_TYPE_UNKNOWN;
  Check(Ort().GetValueType(raw, &kind));
  if (kind != ONNX_TYPE_TENSOR) {
    throw ProtonFailure(
        ErrorCode::kInvalidArgument,
        "output '" + info.name + "' is not a tensor (sequences and maps are not supported)");
  }
  OrtTensorTypeAndShapeInfo* shape = nullptr;
  Check(Ort().GetTensorTypeAndShape(raw, &shape));
  std::unique_ptr<OrtTensorTypeAndShapeInfo, void (*)(OrtTensorTypeAndShapeInfo*)> shapeGuard(
      shape, [](OrtTensorTypeAndShapeInfo* s) { Ort().ReleaseTensorTypeAndShapeInfo(s); });
  Check(Ort().GetTensorElementType(shape, &out.type));
  size_t rank = 0;
  Check(Ort().GetDimensionsCount(shape, &rank));
  out.dims.resize(rank);
  Check(Ort().GetDimensions(shape, out.dims.data(), rank));
  size_t count = 0;
  Check(Ort().GetTensorShapeElementCount(shape, &count));
  if (!IsSupportedElementType(out.type)) {
    throw ProtonFailure(ErrorCode::kInvalidArgument,
                        "output '" + info.name + "' has an element type Proton does not support (" +
                            std::to_string(out.type) + ")");
  }
  if (out.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    size_t total = 0;
    Check(Ort().GetStringTensorDataLength(raw, &total));
    std::string buffer(total, '\0');
    std::vector<size_t> offsets(count);
    if (count > 0)
      Check(Ort().GetStringTensorContent(raw, buffer.data(), total, offsets.data(), count));
    out.strings.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      const size_t end = i + 1 < count ? offsets[i + 1] : total;
      out.strings.emplace_back(buffer, offsets[i], end - offsets[i]);
    }
    return;
  }
  void* data = nullptr;
  if (count > 0) Check(Ort().GetTensorMutableData(raw, &data));
  out.data = static_cast<const uint8_t*>(data);
  out.bytes = count * ElementSize(out.type);
  out.value = std::move(value);
}

}  // namespace

ModelSession::ModelSession(const std::string& path, const SessionOptions& options) {
  OrtSessionOptions* sessionOptions = nullptr;
  Check(Ort().CreateSessionOptions(&sessionOptions));
  std::unique_ptr<OrtSessionOptions, void (*)(OrtSessionOptions*)> optionsGuard(
      sessionOptions, [](OrtSessionOptions* o) { Ort().ReleaseSessionOptions(o); });
  Check(Ort().SetIntraOpNumThreads(sessionOptions, options.intraOpThreads));
  Check(Ort().SetInterOpNumThreads(sessionOptions, options.interOpThreads));
  Check(Ort().SetSessionGraphOptimizationLevel(sessionOptions, options.optimization));
  Check(Ort().SetSessionExecutionMode(sessionOptions, options.executionMode));
  // No session log level: sessions follow the environment's, which setLogSeverity controls and
  // whose messages go to the JS log sink (ort_log.h).
  Check(Ort().CreateSession(OrtEnvironment(), path.c_str(), sessionOptions, &session_));
  try {
    Check(Ort().CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &cpuMemory_));
    inputs_ = ReadTensorInfo(true);
    outputs_ = ReadTensorInfo(false);
  } catch (...) {
    if (cpuMemory_ != nullptr) Ort().ReleaseMemoryInfo(cpuMemory_);
    Ort().ReleaseSession(session_);
    throw;
  }
  for (const TensorInfo& info : inputs_) inputNames_.push_back(info.name.c_str());
  for (const TensorInfo& info : outputs_) outputNames_.push_back(info.name.c_str());
}

ModelSession::~ModelSession() {
  Ort().ReleaseMemoryInfo(cpuMemory_);
  Ort().ReleaseSession(session_);
}

std::vector<TensorInfo> ModelSession::ReadTensorInfo(bool inputs) {
  OrtAllocator* allocator = DefaultAllocator();
  size_t count = 0;
  Check(inputs ? Ort().SessionGetInputCount(session_, &count)
               : Ort().SessionGetOutputCount(session_, &count));
  std::vector<TensorInfo> result(count);
  for (size_t i = 0; i < count; ++i) {
    TensorInfo& info = result[i];
    char* name = nullptr;
    Check(inputs ? Ort().SessionGetInputName(session_, i, allocator, &name)
                 : Ort().SessionGetOutputName(session_, i, allocator, &name));
    info.name = name;
    Check(Ort().AllocatorFree(allocator, name));

    OrtTypeInfo* typeInfo = nullptr;
    Check(inputs ? Ort().SessionGetInputTypeInfo(session_, i, &typeInfo)
                 : Ort().SessionGetOutputTypeInfo(session_, i, &typeInfo));
    std::unique_ptr<OrtTypeInfo, void (*)(OrtTypeInfo*)> typeGuard(
        typeInfo, [](OrtTypeInfo* t) { Ort().ReleaseTypeInfo(t); });
    const OrtTensorTypeAndShapeInfo* tensorInfo = nullptr;
    Check(Ort().CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
    if (tensorInfo == nullptr) {
      info.isTensor = false;
      continue;
    }
    Check(Ort().GetTensorElementType(tensorInfo, &info.type));
    size_t rank = 0;
    Check(Ort().GetDimensionsCount(tensorInfo, &rank));
    info.dims.resize(rank);
    Check(Ort().GetDimensions(tensorInfo, info.dims.data(), rank));
    std::vector<const char*> symbolic(rank, nullptr);
    Check(Ort().GetSymbolicDimensions(tensorInfo, symbolic.data(), rank));
    for (size_t d = 0; d < rank; ++d) {
      info.symbolic.emplace_back(symbolic[d] != nullptr ? symbolic[d] : "");
    }
  }
  return result;
}

bool ModelSession::CanBatch(std::string* reason) const {
  auto check = [&](const std::vector<TensorInfo>& list, const char* kind) {
    for (const TensorInfo& info : list) {
      if (!info.isTensor || info.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
        *reason = std::string(kind) + " '" + info.name + "' is not a numeric tensor";
        return false;
      }
      if (info.dims.empty() || info.dims[0] >= 0) {
        *reason =
            std::string(kind) + " '" + info.name + "' has no dynamic leading (batch) dimension";
        return false;
      }
    }
    return true;
  };
  return check(inputs_, "input") && check(outputs_, "output");
}

void ModelSession::Run(const JobPtr* jobs, size_t count, JobTimes& times) const {
  times.inputsReady = times.inferDone = times.started;
  try {
    if (count == 1) {
      RunOne(*jobs[0], times);
    } else {
      RunBatch(jobs, count, times);
    }
  } catch (const ProtonFailure& failure) {
    for (size_t i = 0; i < count; ++i)
      jobs[i]->Fail(failure.code(), failure.what(), failure.detail());
  } catch (const std::exception& error) {
    for (size_t i = 0; i < count; ++i) jobs[i]->Fail(ErrorCode::kInternal, error.what());
  }
  // A failure before Run leaves the later phases empty rather than negative.
  const auto now = Clock::now();
  if (times.inputsReady == times.started) times.inputsReady = now;
  if (times.inferDone < times.inputsReady) times.inferDone = times.inputsReady;
}

void ModelSession::Execute(const std::vector<OrtValue*>& inputs,
                           const std::vector<size_t>& outputIndices,
                           std::vector<OrtValue*>& outputs, JobTimes& times) const {
  std::vector<const char*> names;
  names.reserve(outputIndices.size());
  for (size_t index : outputIndices) names.push_back(outputNames_[index]);
  outputs.assign(names.size(), nullptr);
  times.inputsReady = Clock::now();
  OrtStatus* status = Ort().Run(session_, nullptr, inputNames_.data(), inputs.data(), inputs.size(),
                                names.data(), names.size(), outputs.data());
  times.inferDone = Clock::now();
  CheckRun(status);
}

void ModelSession::RunOne(Job& job, JobTimes& times) const {
  static uint8_t emptyTensorData = 0;  // ORT wants a non-null pointer even for zero elements
  ValueList inputs;
  inputs.values.assign(inputs_.size(), nullptr);
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const InputTensor& input = job.inputs[i];
    const TensorInfo& info = inputs_[i];
    if (info.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
      Check(Ort().CreateTensorAsOrtValue(DefaultAllocator(), input.dims.data(), input.dims.size(),
                                         info.type, &inputs.values[i]));
      // Length-aware fill: FillStringTensor would stop each element at its first NUL.
      for (size_t e = 0; e < input.strings.size(); ++e) {
        const std::string& element = input.strings[e];
        char* target = nullptr;
        Check(Ort().GetResizedStringTensorElementBuffer(inputs.values[i], e, element.size(),
                                                        &target));
        if (!element.empty()) std::memcpy(target, element.data(), element.size());
      }
    } else {
      void* data = input.data != nullptr ? const_cast<void*>(input.data) : &emptyTensorData;
      Check(Ort().CreateTensorWithDataAsOrtValue(cpuMemory_, data, input.bytes, input.dims.data(),
                                                 input.dims.size(), info.type, &inputs.values[i]));
    }
  }
  ValueList outputs;
  Execute(inputs.values, job.outputs, outputs.values, times);
  job.results.resize(job.outputs.size());
  for (size_t k = 0; k < job.outputs.size(); ++k) {
    OrtValue* raw = outputs.values[k];
    outputs.values[k] = nullptr;  // ReadOutput owns it from here
    ReadOutput(raw, outputs_[job.outputs[k]], job.results[k]);
    Detach(job.results[k]);
  }
}

void ModelSession::RunBatch(const JobPtr* jobs, size_t count, JobTimes& times) const {
  int64_t rows = 0;
  for (size_t j = 0; j < count; ++j) rows += jobs[j]->batchSize;

  ValueList inputs;
  inputs.values.assign(inputs_.size(), nullptr);
  for (size_t i = 0; i < inputs_.size(); ++i) {
    std::vector<int64_t> dims = jobs[0]->inputs[i].dims;
    dims[0] = rows;
    Check(Ort().CreateTensorAsOrtValue(DefaultAllocator(), dims.data(), dims.size(),
                                       inputs_[i].type, &inputs.values[i]));
    void* target = nullptr;
    Check(Ort().GetTensorMutableData(inputs.values[i], &target));
    auto* cursor = static_cast<uint8_t*>(target);
    for (size_t j = 0; j < count; ++j) {
      const InputTensor& input = jobs[j]->inputs[i];
      if (input.bytes > 0) std::memcpy(cursor, input.data, input.bytes);
      cursor += input.bytes;
    }
  }

  ValueList outputs;
  const std::vector<size_t>& requested = jobs[0]->outputs;
  Execute(inputs.values, requested, outputs.values, times);
  for (size_t j = 0; j < count; ++j) jobs[j]->results.resize(requested.size());
  for (size_t k = 0; k < requested.size(); ++k) {
    OrtValue* raw = outputs.values[k];
    outputs.values[k] = nullptr;
    OutputTensor whole;
    ReadOutput(raw, outputs_[requested[k]], whole);
    if (whole.dims.empty() || whole.dims[0] != rows) {
      throw ProtonFailure(ErrorCode::kInternal,
                          "output '" + outputs_[requested[k]].name +
                              "' does not keep the batch as its first dimension; "
                              "disable batching for this model");
    }
    const size_t rowBytes = rows > 0 ? whole.bytes / static_cast<size_t>(rows) : 0;
    size_t offset = 0;
    for (size_t j = 0; j < count; ++j) {
      OutputTensor& slice = jobs[j]->results[k];
      slice.type = whole.type;
      slice.dims = whole.dims;
      slice.dims[0] = jobs[j]->batchSize;
      slice.value = whole.value;
      slice.bytes = rowBytes * static_cast<size_t>(jobs[j]->batchSize);
      slice.data = whole.data + offset;
      offset += slice.bytes;
      Detach(slice);
    }
  }
}

}  // namespace proton
