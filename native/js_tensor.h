// Conversions between JS tensors ({type, dims, data}) and the job structs the workers use.
#pragma once

#include <napi.h>

#include "job.h"
#include "model_session.h"

namespace proton {

// The onnxruntime-node name of an element type ("float32", "int64", ...).
const char* TensorTypeName(ONNXTensorElementDataType type);

// Reads one input already validated by the TS layer. Numeric data is borrowed: a reference to
// the typed array is added to `js` and must be released on the JS thread after the job ends.
InputTensor ReadInputTensor(Napi::Env env, const Napi::Object& tensor, const TensorInfo& info,
                            JsHandles& js);

// Builds {type, dims, data} with a fresh typed array (the one copy out of ORT memory).
Napi::Object OutputToJs(Napi::Env env, const OutputTensor& output);

// {inputs: [...], outputs: [...]} with {name, type, shape}; symbolic dimensions as names.
Napi::Object MetadataToJs(Napi::Env env, const ModelSession& session);

}  // namespace proton
