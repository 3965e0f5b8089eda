#include "js_tensor.h"

#include <cstdlib>
#include <cstring>

#include "element_type.h"

namespace proton {

const char* TensorTypeName(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
      return "float64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
      return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
      return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
      return "int16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
      return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
      return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
      return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16:
      return "uint16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32:
      return "uint32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64:
      return "uint64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
      return "bool";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
      return "string";
    default:
      return "unsupported";
  }
}

namespace {

napi_typedarray_type TypedArrayOf(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      return napi_float32_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
      return napi_float64_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16:
      return napi_uint16_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
      return napi_int8_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
      return napi_int16_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
      return napi_int32_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
      return napi_bigint64_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32:
      return napi_uint32_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64:
      return napi_biguint64_array;
    default:
      return napi_uint8_array;
  }
}

Napi::Array TensorInfoListToJs(Napi::Env env, const std::vector<TensorInfo>& list) {
  Napi::Array array = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const TensorInfo& info = list[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", info.name);
    entry.Set("type", TensorTypeName(info.type));
    Napi::Array shape = Napi::Array::New(env, info.dims.size());
    for (size_t d = 0; d < info.dims.size(); ++d) {
      if (info.dims[d] >= 0) {
        shape.Set(static_cast<uint32_t>(d), static_cast<double>(info.dims[d]));
      } else if (!info.symbolic[d].empty()) {
        shape.Set(static_cast<uint32_t>(d), info.symbolic[d]);
      } else {
        shape.Set(static_cast<uint32_t>(d), -1.0);
      }
    }
    entry.Set("shape", shape);
    array.Set(static_cast<uint32_t>(i), entry);
  }
  return array;
}

}  // namespace

namespace {
constexpr uint32_t kTypeKey = 0, kDimsKey = 1, kDataKey = 2, kOutputsKey = 3, kTimingKey = 4,
                   kQueueKey = 5, kComputeInputKey = 6, kComputeInferKey = 7, kComputeOutputKey = 8,
                   kFirstTypeName = 9;
constexpr int kLastElementType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64;
}  // namespace

JsStrings::JsStrings(Napi::Env env) {
  Napi::Array strings = Napi::Array::New(env);
  strings.Set(kTypeKey, "type");
  strings.Set(kDimsKey, "dims");
  strings.Set(kDataKey, "data");
  strings.Set(kOutputsKey, "outputs");
  strings.Set(kTimingKey, "timing");
  strings.Set(kQueueKey, "queueNs");
  strings.Set(kComputeInputKey, "computeInputNs");
  strings.Set(kComputeInferKey, "computeInferNs");
  strings.Set(kComputeOutputKey, "computeOutputNs");
  for (int type = 0; type <= kLastElementType; ++type) {
    strings.Set(kFirstTypeName + type,
                TensorTypeName(static_cast<ONNXTensorElementDataType>(type)));
  }
  strings_ = Napi::Persistent(strings);
}

JsStrings::Values JsStrings::Get() const {
  Napi::Array strings = strings_.Value();
  Values values;
  values.type = strings.Get(kTypeKey);
  values.dims = strings.Get(kDimsKey);
  values.data = strings.Get(kDataKey);
  values.outputs = strings.Get(kOutputsKey);
  values.timing = strings.Get(kTimingKey);
  values.queueNs = strings.Get(kQueueKey);
  values.computeInputNs = strings.Get(kComputeInputKey);
  values.computeInferNs = strings.Get(kComputeInferKey);
  values.computeOutputNs = strings.Get(kComputeOutputKey);
  for (int type = 0; type <= kLastElementType; ++type)
    values.typeNames.push_back(strings.Get(kFirstTypeName + type));
  return values;
}

JsStringList::JsStringList(Napi::Env env, const std::vector<std::string>& strings)
    : size_(strings.size()) {
  Napi::Array array = Napi::Array::New(env, strings.size());
  for (size_t i = 0; i < strings.size(); ++i) array.Set(static_cast<uint32_t>(i), strings[i]);
  strings_ = Napi::Persistent(array);
}

std::vector<napi_value> JsStringList::Get() const {
  Napi::Array array = strings_.Value();
  std::vector<napi_value> values(size_);
  for (size_t i = 0; i < size_; ++i) values[i] = array.Get(static_cast<uint32_t>(i));
  return values;
}

InputTensor ReadInputTensor(Napi::Env env, Napi::Value data, Napi::Value dims,
                            const TensorInfo& info) {
  InputTensor input;
  Napi::Array dimsArray = dims.As<Napi::Array>();
  const uint32_t rank = dimsArray.Length();
  input.dims.resize(rank);
  for (uint32_t d = 0; d < rank; ++d) {
    napi_value dim = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_element(env, dimsArray, d, &dim), input);
    double value = 0;
    NAPI_THROW_IF_FAILED(env, napi_get_value_double(env, dim, &value), input);
    input.dims[d] = static_cast<int64_t>(value);
  }
  if (info.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    // Each element is a string (its UTF-8 bytes) or a Uint8Array (its bytes); std::string keeps
    // embedded NULs and any byte values, as ORT's length-aware string fill needs.
    Napi::Array elements = data.As<Napi::Array>();
    const uint32_t count = elements.Length();
    input.strings.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      Napi::Value element = elements.Get(i);
      if (element.IsTypedArray()) {
        Napi::Uint8Array bytes = element.As<Napi::Uint8Array>();
        input.strings.emplace_back(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
      } else {
        input.strings.push_back(element.As<Napi::String>().Utf8Value());
      }
    }
    return input;
  }
  void* bytes = nullptr;
  size_t length = 0;
  napi_typedarray_type kind;
  NAPI_THROW_IF_FAILED(
      env, napi_get_typedarray_info(env, data, &kind, &length, &bytes, nullptr, nullptr), input);
  input.data = bytes;
  input.bytes = length * ElementSize(info.type);
  return input;
}

namespace {

void FreeAdoptedBlock(napi_env, void* block, void*) { std::free(block); }

// An ArrayBuffer of the output's bytes: its own block when the model thread detached one (no
// copy), else a copy (also where the runtime refuses external buffers).
napi_value OutputArrayBuffer(Napi::Env env, OutputTensor& output) {
  napi_value buffer = nullptr;
  if (output.owned) {
    const napi_status status = napi_create_external_arraybuffer(
        env, output.owned.get(), output.bytes, &FreeAdoptedBlock, nullptr, &buffer);
    if (status == napi_ok) {
      output.owned.release();  // freed by FreeAdoptedBlock once V8 collects the buffer
      return buffer;
    }
    if (status != napi_no_external_buffers_allowed) NAPI_THROW_IF_FAILED(env, status, nullptr);
  }
  void* target = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_arraybuffer(env, output.bytes, &target, &buffer), nullptr);
  if (output.bytes > 0) std::memcpy(target, output.data, output.bytes);
  return buffer;
}

}  // namespace

napi_value OutputToJs(Napi::Env env, const JsStrings::Values& strings, OutputTensor& output) {
  napi_value tensor = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_object(env, &tensor), nullptr);
  NAPI_THROW_IF_FAILED(
      env,
      napi_set_property(
          env, tensor, strings.type,
          strings
              .typeNames[static_cast<size_t>(output.type) < strings.typeNames.size() ? output.type
                                                                                     : 0]),
      nullptr);
  napi_value dims = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_array_with_length(env, output.dims.size(), &dims), nullptr);
  for (size_t d = 0; d < output.dims.size(); ++d) {
    napi_value dim = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_create_double(env, static_cast<double>(output.dims[d]), &dim),
                         nullptr);
    NAPI_THROW_IF_FAILED(env, napi_set_element(env, dims, static_cast<uint32_t>(d), dim), nullptr);
  }
  NAPI_THROW_IF_FAILED(env, napi_set_property(env, tensor, strings.dims, dims), nullptr);

  napi_value data = nullptr;
  if (output.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    // BYTES come back as bytes: one Uint8Array per element, all views of one ArrayBuffer, so
    // NULs and non-UTF-8 values survive (a JS string would replace them).
    size_t total = 0;
    for (const std::string& element : output.strings) total += element.size();
    void* target = nullptr;
    napi_value buffer = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_create_arraybuffer(env, total, &target, &buffer), nullptr);
    NAPI_THROW_IF_FAILED(env, napi_create_array_with_length(env, output.strings.size(), &data),
                         nullptr);
    size_t offset = 0;
    for (size_t i = 0; i < output.strings.size(); ++i) {
      const std::string& element = output.strings[i];
      if (!element.empty())
        std::memcpy(static_cast<char*>(target) + offset, element.data(), element.size());
      napi_value item = nullptr;
      NAPI_THROW_IF_FAILED(
          env, napi_create_typedarray(env, napi_uint8_array, element.size(), buffer, offset, &item),
          nullptr);
      NAPI_THROW_IF_FAILED(env, napi_set_element(env, data, static_cast<uint32_t>(i), item),
                           nullptr);
      offset += element.size();
    }
  } else {
    napi_value buffer = OutputArrayBuffer(env, output);
    const size_t length = output.bytes / ElementSize(output.type);
    NAPI_THROW_IF_FAILED(
        env, napi_create_typedarray(env, TypedArrayOf(output.type), length, buffer, 0, &data),
        nullptr);
  }
  NAPI_THROW_IF_FAILED(env, napi_set_property(env, tensor, strings.data, data), nullptr);
  return tensor;
}

Napi::Object MetadataToJs(Napi::Env env, const std::vector<TensorInfo>& inputs,
                          const std::vector<TensorInfo>& outputs) {
  Napi::Object metadata = Napi::Object::New(env);
  metadata.Set("inputs", TensorInfoListToJs(env, inputs));
  metadata.Set("outputs", TensorInfoListToJs(env, outputs));
  return metadata;
}

}  // namespace proton
