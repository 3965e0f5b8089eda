// Conversions between JS tensors ({type, dims, data}) and the job structs the workers use.
#pragma once

#include <napi.h>

#include <vector>

#include "job.h"
#include "model_session.h"

namespace proton {

// The onnxruntime-node name of an element type ("float32", "int64", ...).
const char* TensorTypeName(ONNXTensorElementDataType type);

// Property keys and type names created once per environment: setting a property by C string
// would internalize the key again on every call, a measurable cost per request. N-API cannot
// reference strings directly, so they live in one referenced array; Values() fetches them once
// per handle scope (once per wake-up of the JS thread, not per request).
class JsStrings {
 public:
  struct Values {
    napi_value type = nullptr, dims = nullptr, data = nullptr;
    // {outputs, timing} of Model.inferWithTiming and the timing's fields (InferTiming).
    napi_value outputs = nullptr, timing = nullptr;
    napi_value queueNs = nullptr, computeInputNs = nullptr, computeInferNs = nullptr,
               computeOutputNs = nullptr;
    std::vector<napi_value> typeNames;  // by ONNXTensorElementDataType
  };

  explicit JsStrings(Napi::Env env);
  Values Get() const;

 private:
  Napi::Reference<Napi::Array> strings_;
};

// Strings referenced as a group through one array (see JsStrings), e.g. a model's output names.
class JsStringList {
 public:
  JsStringList() = default;
  JsStringList(Napi::Env env, const std::vector<std::string>& strings);
  std::vector<napi_value> Get() const;

 private:
  Napi::Reference<Napi::Array> strings_;
  size_t size_ = 0;
};

// Reads one input already validated by the TS layer: its data (a typed array, or BYTES elements
// as strings or Uint8Arrays, which
// are copied) and its dims. Numeric data is borrowed: the caller keeps the array referenced.
InputTensor ReadInputTensor(Napi::Env env, Napi::Value data, Napi::Value dims,
                            const TensorInfo& info);

// Builds {type, dims, data}: a fresh typed array holding a copy of small outputs, or adopting the
// block of a large one (see OutputTensor::owned), which it takes from `output`.
napi_value OutputToJs(Napi::Env env, const JsStrings::Values& strings, OutputTensor& output);

// {inputs: [...], outputs: [...]} with {name, type, shape}; symbolic dimensions as names.
Napi::Object MetadataToJs(Napi::Env env, const std::vector<TensorInfo>& inputs,
                          const std::vector<TensorInfo>& outputs);

}  // namespace proton
